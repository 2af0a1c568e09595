//! Media types (`text/csv`, `image/jpeg`) as the docs write them in prose,
//! header tables and example messages.

/// The first media type in `text` that is not JSON, as a word of its own
/// (`The media type, image/png.` gives `image/png`).
pub fn content_type_in(text: &str) -> Option<&str> {
    text.split(|c: char| c.is_whitespace() || matches!(c, '`' | ',' | ';' | '(' | ')' | '"'))
        .map(|word| word.trim_end_matches('.'))
        .find(|word| is_media_type(word) && !is_json(word))
}

/// Whether `word` reads as a media type: a known top-level type, a slash,
/// and a subtype of letters, digits, `+`, `-` and `.`.
pub fn is_media_type(word: &str) -> bool {
    let Some((top, sub)) = word.split_once('/') else {
        return false;
    };
    matches!(
        top.to_ascii_lowercase().as_str(),
        "image" | "text" | "application" | "video" | "audio" | "message" | "multipart"
    ) && !sub.is_empty()
        && sub
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
}

/// Whether a `Content-Type` value is JSON (`application/json;
/// odata.metadata=minimal`, `application/problem+json`).
pub fn is_json(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or("").trim();
    essence.eq_ignore_ascii_case("application/json")
        || essence.to_ascii_lowercase().ends_with("+json")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_types_are_found_in_prose_and_json_is_not_content() {
        assert_eq!(
            content_type_in("The media type, image/png."),
            Some("image/png")
        );
        assert_eq!(
            content_type_in("`application/json` or `text/csv`"),
            Some("text/csv")
        );
        assert_eq!(content_type_in("and/or a path like items/{id}"), None);
        assert_eq!(
            content_type_in("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        );
        assert!(is_json("application/json; odata.metadata=minimal"));
        assert!(is_json("application/problem+json"));
        assert!(!is_json("text/plain"));
    }
}
