//! HTML-comment annotations: `<!-- { "blockType": "request", ... } -->`.
//!
//! About one in a hundred real annotations is not valid JSON (trailing
//! commas, raw newlines inside strings, unquoted keys). They are recovered
//! with a JSON5 reading after escaping control characters, and as a last
//! resort by scanning for the few keys that matter.

use serde_json::{Map, Value};

/// The result of reading an HTML comment.
#[derive(Debug, PartialEq)]
pub enum Reading {
    /// Not an annotation: a plain comment such as `<!-- CRUD Methods -->`.
    NotAnnotation,
    /// Valid JSON.
    Valid(Value),
    /// Malformed JSON that was recovered; the string says what was wrong.
    Recovered(Value, String),
    /// Malformed JSON of which only some keys could be read; the string
    /// says what was wrong.
    Partial(Value, String),
    /// Nothing could be recovered; the string says why.
    Invalid(String),
}

/// Reads the HTML comment `html` as an annotation.
pub fn read_annotation(html: &str) -> Reading {
    let trimmed = html.trim();
    let Some(inner) = trimmed.strip_prefix("<!--") else {
        return Reading::NotAnnotation;
    };
    let inner = inner.trim_end();
    let inner = inner.strip_suffix("-->").unwrap_or(inner).trim();
    if !inner.starts_with('{') {
        return Reading::NotAnnotation;
    }
    let error = match serde_json::from_str::<Value>(inner) {
        Ok(value) => return Reading::Valid(value),
        Err(err) => err,
    };
    // `<!-- { "blockType": "ignored" } // Note: why -->`: a note after the
    // JSON is a convention of the docs, not a mistake.
    let mut stream = serde_json::Deserializer::from_str(inner).into_iter::<Value>();
    if let Some(Ok(value)) = stream.next() {
        if value.is_object() && inner[stream.byte_offset()..].trim_start().starts_with("//") {
            return Reading::Valid(value);
        }
    }
    let reason = describe(&error);
    let escaped = escape_controls_in_strings(inner);
    if let Some(value) = lenient_json(&escaped) {
        if value.is_object() {
            return Reading::Recovered(value, reason);
        }
    }
    let scanned = scan_keys(inner);
    if scanned.is_empty() {
        Reading::Invalid(reason)
    } else {
        Reading::Partial(
            Value::Object(scanned),
            format!("{reason}; only some keys were recovered"),
        )
    }
}

pub(crate) fn describe(err: &serde_json::Error) -> String {
    let msg = err.to_string();
    let msg = msg.split(" at line ").next().unwrap_or(&msg);
    if msg.contains("trailing comma") {
        "trailing comma".to_owned()
    } else if msg.contains("control character") {
        "raw line break or tab inside a string".to_owned()
    } else if msg.contains("key must be a string") {
        "unquoted key".to_owned()
    } else {
        msg.to_owned()
    }
}

/// The deepest nesting JSON5 is asked to read, as serde_json's own limit:
/// the JSON5 parser recurses without a guard, so a deeper text would
/// overflow the stack.
const LENIENT_DEPTH: usize = 128;

/// `text` read as JSON5 (comments, trailing commas, single quotes), unless
/// it nests deeper than [`LENIENT_DEPTH`].
pub(crate) fn lenient_json(text: &str) -> Option<Value> {
    (nesting_depth(text) <= LENIENT_DEPTH)
        .then(|| json5::from_str::<Value>(text).ok())
        .flatten()
}

/// How deep `[` and `{` nest in `text`, outside strings.
fn nesting_depth(text: &str) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for c in text.chars() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
            }
            None => match c {
                '"' | '\'' => quote = Some(c),
                '[' | '{' => {
                    depth += 1;
                    deepest = deepest.max(depth);
                }
                ']' | '}' => depth = depth.saturating_sub(1),
                _ => {}
            },
        }
    }
    deepest
}

/// Escapes raw control characters (line breaks, tabs) inside string literals,
/// which JSON and JSON5 both reject but authors often write.
pub(crate) fn escape_controls_in_strings(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_string: Option<char> = None;
    let mut escaped = false;
    for c in text.chars() {
        match in_string {
            Some(quote) => {
                if escaped {
                    escaped = false;
                    out.push(c);
                } else if c == '\\' {
                    escaped = true;
                    out.push(c);
                } else if c == quote {
                    in_string = None;
                    out.push(c);
                } else if c == '\n' {
                    out.push_str("\\n");
                } else if c == '\r' {
                } else if c == '\t' {
                    out.push_str("\\t");
                } else {
                    out.push(c);
                }
            }
            None => {
                if c == '"' || c == '\'' {
                    in_string = Some(c);
                }
                out.push(c);
            }
        }
    }
    out
}

/// What keeps `text` from being strict JSON, where it is a habit JSON5
/// forgives: `//` and `/* */` comments and trailing commas, outside strings.
pub(crate) fn lenient_flaws(text: &str) -> Vec<&'static str> {
    let mut flaws = Vec::new();
    let mut note = |flaw| {
        if !flaws.contains(&flaw) {
            flaws.push(flaw);
        }
    };
    let bytes = text.as_bytes();
    let mut in_string = false;
    let mut escaped = false;
    for (i, &b) in bytes.iter().enumerate() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                b'\t' | b'\n' => note("raw line break or tab inside a string"),
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'/' if bytes.get(i + 1) == Some(&b'/') => note("`//` comment"),
            b'/' if bytes.get(i + 1) == Some(&b'*') => note("`/* */` comment"),
            b',' => {
                let next = bytes[i + 1..].iter().find(|c| !c.is_ascii_whitespace());
                if matches!(next, Some(b'}' | b']')) {
                    note("trailing comma");
                }
            }
            _ => {}
        }
    }
    flaws
}

/// Last resort: picks `"key": "value"` and `"key": true|false` pairs from text
/// that is too broken to parse.
fn scan_keys(text: &str) -> Map<String, Value> {
    let mut out = Map::new();
    for key in [
        "blockType",
        "name",
        "@odata.type",
        "truncated",
        "isCollection",
        "baseType",
        "keyProperty",
    ] {
        let needle = format!("\"{key}\"");
        let Some(at) = text.find(&needle) else {
            continue;
        };
        let rest = text[at + needle.len()..].trim_start();
        let Some(rest) = rest.strip_prefix(':') else {
            continue;
        };
        let rest = rest.trim_start();
        if let Some(s) = rest.strip_prefix('"') {
            if let Some(end) = s.find('"') {
                out.insert(key.to_owned(), Value::String(s[..end].to_owned()));
            }
        } else if rest.starts_with("true") {
            out.insert(key.to_owned(), Value::Bool(true));
        } else if rest.starts_with("false") {
            out.insert(key.to_owned(), Value::Bool(false));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn plain_comments_are_not_annotations() {
        assert_eq!(
            read_annotation("<!-- CRUD Methods -->"),
            Reading::NotAnnotation
        );
    }

    #[test]
    fn valid_json_reads_as_is() {
        assert_eq!(
            read_annotation(r#"<!-- { "blockType": "request", "name": "x" } -->"#),
            Reading::Valid(json!({"blockType": "request", "name": "x"}))
        );
    }

    #[test]
    fn trailing_commas_unquoted_keys_and_raw_newlines_are_recovered() {
        let Reading::Recovered(v, why) =
            read_annotation("<!-- {\n \"blockType\": \"response\",\n \"truncated\": true,\n} -->")
        else {
            panic!("not recovered")
        };
        assert_eq!(v, json!({"blockType": "response", "truncated": true}));
        assert!(why.contains("trailing comma"), "{why}");

        let Reading::Recovered(v, _) = read_annotation("<!-- { blockType: \"ignored\" } -->")
        else {
            panic!()
        };
        assert_eq!(v, json!({"blockType": "ignored"}));

        let Reading::Recovered(v, why) =
            read_annotation("<!-- { \"description\": \"two\nlines\" } -->")
        else {
            panic!()
        };
        assert_eq!(v, json!({"description": "two\nlines"}));
        assert!(why.contains("line break"), "{why}");
    }

    #[test]
    fn hopeless_json_still_yields_the_block_type() {
        let Reading::Partial(v, _) =
            read_annotation("<!-- { \"blockType\": \"request\", \"name\": \"a\" \"x\" [ -->")
        else {
            panic!()
        };
        assert_eq!(v["blockType"], "request");
        assert!(matches!(
            read_annotation("<!-- { nonsense ( -->"),
            Reading::Invalid(_)
        ));
    }
}
