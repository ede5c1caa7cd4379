//! The few words a push says itself (the rest is what people wrote), in
//! the recipient's language from their preferences; English otherwise.

/// "…body (+3 more)": a quiet-hours summary of `count` held pushes.
pub fn and_more(language: Option<&str>, body: &str, count: i64) -> String {
    let more = count - 1;
    let tail = match language {
        Some("es") => format!("(+{more} más)"),
        Some("pt") => format!("(+{more} mais)"),
        Some("ru") => format!("(+{more} ещё)"),
        _ => format!("(+{more} more)"),
    };
    format!("{body} {tail}").trim_start().to_owned()
}

/// The body of "Send test notification".
pub fn test_body(language: Option<&str>) -> &'static str {
    match language {
        Some("es") => "Las notificaciones funcionan.",
        Some("pt") => "As notificações estão a funcionar.",
        Some("ru") => "Уведомления работают.",
        _ => "Notifications are working.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_language_has_its_words_and_english_is_the_default() {
        assert_eq!(and_more(None, "See you", 3), "See you (+2 more)");
        assert_eq!(and_more(Some("es"), "Hasta luego", 2), "Hasta luego (+1 más)");
        assert_eq!(and_more(Some("ru"), "", 4), "(+3 ещё)", "an empty body leaves no leading space");
        assert_eq!(and_more(Some("xx"), "a", 2), "a (+1 more)");
        assert_eq!(test_body(Some("pt")), "As notificações estão a funcionar.");
        assert_eq!(test_body(None), "Notifications are working.");
    }
}
