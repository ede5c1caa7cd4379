//! Where to go after signing in. A signed-out visitor of a conversation
//! (say, from a notification after the session expired) is sent to sign in
//! with that page as `next`, and lands back on it afterwards.

use url::form_urlencoded;

/// The query parameter that carries the return address.
pub const NEXT: &str = "next";

/// The sign-in page that returns to `path` (a path with its query) afterwards.
pub fn sign_in_url(path: &str) -> String {
    let query = form_urlencoded::Serializer::new(String::new()).append_pair(NEXT, path).finish();
    format!("/signin?{query}")
}

/// `next` if it is a path on this site, else `/`. Anything else would make
/// the sign-in form an open redirect: `//evil.example` and `/\evil.example`
/// are other hosts to a browser, and a scheme (`javascript:`) never starts
/// with `/`.
pub fn safe_return_path(next: Option<&str>) -> &str {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.chars().any(|c| c.is_control() || c == '\\') =>
        {
            path
        }
        _ => "/",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed() {
        for ok in ["/", "/c/12", "/c/12?m=5", "/settings"] {
            assert_eq!(safe_return_path(Some(ok)), ok);
        }
        for bad in [
            "//evil.example",
            "/\\evil.example",
            "https://evil.example/",
            "javascript:alert(1)",
            "c/1",
            "/c/1\r\nx",
            "",
        ] {
            assert_eq!(safe_return_path(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_return_path(None), "/");
    }

    #[test]
    fn the_sign_in_url_carries_the_path_encoded() {
        assert_eq!(sign_in_url("/c/12"), "/signin?next=%2Fc%2F12");
        assert_eq!(sign_in_url("/c/1?a=b&c"), "/signin?next=%2Fc%2F1%3Fa%3Db%26c");
    }
}
