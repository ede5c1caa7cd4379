//! A session's device as its owner would name it ("Chrome on Android"),
//! from the User-Agent at sign-in. Only the label is stored, never the
//! whole header.

/// The label for a User-Agent header; `None` when nothing is recognisable.
pub fn label(user_agent: &str) -> Option<String> {
    let ua = user_agent;
    // Order matters: Edge and Opera say "Chrome", Chrome says "Safari".
    let browser = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("FxiOS/", "Firefox"),
        ("CriOS/", "Chrome"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
    ]
    .into_iter()
    .find(|(marker, _)| ua.contains(marker))
    .map(|(_, name)| name);
    let system = [
        ("Android", "Android"),
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("CrOS", "ChromeOS"),
        ("Linux", "Linux"),
    ]
    .into_iter()
    .find(|(marker, _)| ua.contains(marker))
    .map(|(_, name)| name);
    match (browser, system) {
        (Some(b), Some(s)) => Some(format!("{b} on {s}")),
        (Some(b), None) => Some(b.to_owned()),
        (None, Some(s)) => Some(s.to_owned()),
        // An API client: its product name, if short and plain.
        (None, None) => {
            let product = ua.split(['/', ' ']).next().unwrap_or_default();
            (!product.is_empty()
                && product.len() <= 32
                && product.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
            .then(|| product.to_owned())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::label;

    #[test]
    fn common_browsers_get_a_plain_name() {
        let pixel = "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36";
        assert_eq!(label(pixel).as_deref(), Some("Chrome on Android"));
        let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";
        assert_eq!(label(iphone).as_deref(), Some("Safari on iPhone"));
        let edge = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0";
        assert_eq!(label(edge).as_deref(), Some("Edge on Windows"));
        assert_eq!(label("reqwest/0.13").as_deref(), Some("reqwest"));
        assert_eq!(label("").as_deref(), None);
    }
}
