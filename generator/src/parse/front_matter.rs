//! YAML front matter: split it off the page, read it, and recover what a
//! broken block still says.

use std::collections::BTreeMap;

use crate::base::Loc;
use crate::base::diagnostics::{Code, Diagnostics};
use crate::base::source::Span;
use crate::parse::page::{DocType, FrontMatter};

/// The front matter of a page and the byte offset where the markdown body starts.
pub struct Split {
    /// The front matter as read.
    pub front_matter: FrontMatter,
    /// Where the markdown body starts.
    pub body_start: usize,
}

/// Splits off and reads the front matter at the top of `text`.
pub fn parse_front_matter(text: &str, diags: &mut Diagnostics<'_>) -> Split {
    let lead = text.len() - text.trim_start_matches('\u{feff}').len();
    let Some(first_end) = first_line_is_fence(text, lead) else {
        diags.push(
            Code::FrontMatterMissing,
            Span::new(lead, lead),
            "page has no front matter",
            "start the page with a `---` line, the YAML keys `title`, `description` and `doc_type`, and a closing `---`",
        );
        return Split {
            front_matter: FrontMatter::default(),
            body_start: 0,
        };
    };
    let yaml_start = first_end;
    let (yaml_end, body_start) = match find_closing_fence(text, yaml_start) {
        Some(found) => found,
        None => {
            // Without a closing fence, the YAML most likely ends where the markdown
            // starts: at the first heading.
            let end = find_first_heading(text, yaml_start).unwrap_or(text.len());
            diags.push(
                Code::FrontMatterUnterminated,
                Span::new(lead, first_end),
                "front matter has no closing `---`",
                "add a `---` line after the last YAML key; the YAML was read up to the first heading",
            );
            (end, end)
        }
    };
    let at = loc(diags, Span::new(lead, yaml_end));
    let yaml = &text[yaml_start..yaml_end];
    let fields = read_yaml(yaml, yaml_start, diags);
    let front_matter = interpret(at, fields, diags);
    Split {
        front_matter,
        body_start,
    }
}

fn loc(diags: &Diagnostics<'_>, span: Span) -> Loc {
    Loc::at(diags.map(), span)
}

/// The `**TODO: ...**` text that stub pages carry where a value belongs,
/// shortened for a message.
pub fn todo_placeholder(value: &str) -> Option<String> {
    // This runs on every table cell: the searcher is built once.
    static TODO: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"TODO"));
    let bytes = value.as_bytes();
    let at = |mark: u8| {
        TODO.find_iter(bytes)
            .find(|&i| bytes.get(i + 4) == Some(&mark))
    };
    let start = at(b':').or_else(|| at(b' '))?;
    let bold = value[..start].ends_with("**");
    let rest = &value[start..];
    let end = if bold { rest.find("**") } else { None }.unwrap_or(rest.len());
    let full = rest[..end].trim();
    let mut text: String = full.chars().take(40).collect();
    if text.len() < full.len() {
        text.push('…');
    }
    Some(if bold { format!("**{text}**") } else { text })
}

/// If the line at `start` is `---`, returns the offset after it.
fn first_line_is_fence(text: &str, start: usize) -> Option<usize> {
    let rest = &text[start..];
    let line_end = rest.find('\n').map_or(rest.len(), |i| i + 1);
    (rest[..line_end].trim_end() == "---").then_some(start + line_end)
}

/// Finds a closing `---` (or `...`) line: (where the YAML ends, where the body starts).
fn find_closing_fence(text: &str, from: usize) -> Option<(usize, usize)> {
    let mut offset = from;
    for line in text[from..].split_inclusive('\n') {
        let trimmed = line.trim_end();
        if trimmed == "---" || trimmed == "..." {
            return Some((offset, offset + line.len()));
        }
        offset += line.len();
    }
    None
}

fn find_first_heading(text: &str, from: usize) -> Option<usize> {
    let mut offset = from;
    for line in text[from..].split_inclusive('\n') {
        if line.starts_with('#') {
            return Some(offset);
        }
        offset += line.len();
    }
    None
}

/// One front matter key with its value as text and the span of its line.
struct Field {
    value: String,
    span: Span,
}

/// Reads the YAML mapping. Invalid YAML falls back to a line-by-line reading of
/// `key: value`, which recovers pages such as `title: driveItem: createUploadSession`.
fn read_yaml(yaml: &str, base: usize, diags: &mut Diagnostics<'_>) -> BTreeMap<String, Field> {
    let spans = key_spans(yaml, base);
    let span_of = |key: &str| {
        spans
            .iter()
            .find(|(k, _, _)| k == key)
            .map_or(Span::new(base, base), |(_, span, _)| *span)
    };
    match serde_yaml::from_str::<serde_yaml::Value>(yaml) {
        Ok(serde_yaml::Value::Mapping(map)) => map
            .into_iter()
            .filter_map(|(k, v)| {
                let key = yaml_scalar(&k)?;
                let span = span_of(&key);
                Some((
                    key,
                    Field {
                        value: yaml_scalar(&v).unwrap_or_default(),
                        span,
                    },
                ))
            })
            .collect(),
        Ok(serde_yaml::Value::Null) => BTreeMap::new(),
        Ok(_) => {
            diags.push(
                Code::FrontMatterInvalid,
                Span::new(base, base + yaml.len()),
                "front matter is not a YAML mapping",
                "write the front matter as `key: value` lines",
            );
            recover_lines(spans)
        }
        Err(err) => {
            let span = err.location().map_or(Span::new(base, base), |l| {
                Span::new(base + l.index(), base + l.index())
            });
            let message = err.to_string();
            let message = message
                .split(" at line ")
                .next()
                .unwrap_or(&message)
                .to_owned();
            diags.push(
                Code::FrontMatterInvalid,
                span,
                format!("front matter is not valid YAML: {message}"),
                "quote values that contain `: `, e.g. `title: \"driveItem: createUploadSession\"`; the keys were recovered line by line",
            );
            recover_lines(spans)
        }
    }
}

/// The `key: value` lines of a YAML block, with spans, in order.
fn key_spans(yaml: &str, base: usize) -> Vec<(String, Span, String)> {
    let mut out = Vec::new();
    let mut offset = base;
    for line in yaml.split_inclusive('\n') {
        let trimmed = line.trim_end();
        if !trimmed.starts_with([' ', '\t', '#', '-']) {
            if let Some((key, value)) = trimmed.split_once(':') {
                let key = key.trim();
                if !key.is_empty() && !key.contains(' ') {
                    out.push((
                        key.to_owned(),
                        Span::new(offset, offset + trimmed.len()),
                        unquote(value.trim()),
                    ));
                }
            }
        }
        offset += line.len();
    }
    out
}

fn recover_lines(spans: Vec<(String, Span, String)>) -> BTreeMap<String, Field> {
    spans
        .into_iter()
        .map(|(key, span, value)| (key, Field { value, span }))
        .collect()
}

fn unquote(value: &str) -> String {
    let v = value.trim();
    for q in ['"', '\''] {
        if v.len() >= 2 && v.starts_with(q) && v.ends_with(q) {
            return v[1..v.len() - 1].to_owned();
        }
    }
    v.to_owned()
}

fn yaml_scalar(value: &serde_yaml::Value) -> Option<String> {
    match value {
        serde_yaml::Value::String(s) => Some(s.clone()),
        serde_yaml::Value::Bool(b) => Some(b.to_string()),
        serde_yaml::Value::Number(n) => Some(n.to_string()),
        serde_yaml::Value::Null => Some(String::new()),
        serde_yaml::Value::Sequence(items) => Some(
            items
                .iter()
                .filter_map(yaml_scalar)
                .collect::<Vec<_>>()
                .join(", "),
        ),
        _ => None,
    }
}

fn interpret(
    at: Loc,
    mut fields: BTreeMap<String, Field>,
    diags: &mut Diagnostics<'_>,
) -> FrontMatter {
    for (key, field) in &fields {
        if let Some(start) = field.value.find("$(") {
            let placeholder: String = field.value[start..]
                .chars()
                .take_while(|c| *c != ')')
                .chain([')'])
                .collect();
            diags.push(
                Code::TemplatePlaceholder,
                field.span,
                format!("front matter `{key}` is the template placeholder `{placeholder}`"),
                "replace the placeholder with the real value",
            );
        } else if let Some(todo) = todo_placeholder(&field.value) {
            diags.push(
                Code::TemplatePlaceholder,
                field.span,
                format!("front matter `{key}` is the stub placeholder `{todo}`"),
                "replace the placeholder with the real value",
            );
        }
    }
    let doc_type_span = fields.get("doc_type").map(|f| f.span);
    let mut take = |key: &str, required: bool| -> Option<String> {
        let field = fields.remove(key);
        let value = field
            .as_ref()
            .map(|f| f.value.trim().to_owned())
            .filter(|v| !v.is_empty());
        if value.is_none() && required {
            let span = field.map_or(at.read, |f| f.span);
            diags.push(
                Code::FrontMatterField,
                Span::new(span.start, span.start),
                format!("front matter has no `{key}`"),
                format!("add `{key}: ...` to the front matter"),
            );
        }
        value
    };
    let title = take("title", true);
    let description = take("description", true);
    let doc_type = take("doc_type", true).map(|v| DocType::from_value(&v));
    let ms_prod = take("ms.prod", false);
    let author = take("author", false);
    if let (Some(DocType::Other(value)), Some(span)) = (&doc_type, doc_type_span) {
        let help = crate::base::diagnostics::did_you_mean(
            value,
            [
                "apiPageType",
                "resourcePageType",
                "enumPageType",
                "conceptualPageType",
            ],
        )
        .map_or_else(
            || "use apiPageType, resourcePageType, enumPageType or conceptualPageType".to_owned(),
            |s| format!("did you mean `{s}`?"),
        );
        diags.push(
            Code::DocTypeUnknown,
            span,
            format!("unknown doc_type `{value}`"),
            help,
        );
    }
    FrontMatter {
        at: Some(at),
        title,
        description,
        doc_type,
        ms_prod,
        author,
        extra: fields.into_iter().map(|(k, f)| (k, f.value)).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::todo_placeholder;

    /// The placeholder as two plain substring searches find it.
    fn by_substrings(value: &str) -> Option<usize> {
        value.find("TODO:").or_else(|| value.find("TODO "))
    }

    #[test]
    fn a_placeholder_is_found_where_it_starts() {
        assert_eq!(
            todo_placeholder("See **TODO: add the type** here").as_deref(),
            Some("**TODO: add the type**")
        );
        assert_eq!(
            todo_placeholder("TOD TODOx TODO later").as_deref(),
            Some("TODO later")
        );
        assert_eq!(todo_placeholder("TODO"), None);
        assert_eq!(todo_placeholder("The TOD"), None);
    }

    proptest::proptest! {
        #[test]
        fn the_search_finds_what_substring_searches_find(value in "[TOD: *ç]{0,24}") {
            let found = todo_placeholder(&value);
            proptest::prop_assert_eq!(found.is_some(), by_substrings(&value).is_some());
            if let (Some(found), Some(at)) = (found, by_substrings(&value)) {
                let text = found.trim_start_matches("**");
                let start: String = value[at..].chars().take(4).collect();
                proptest::prop_assert!(text.starts_with(&start), "{} {}", text, start);
            }
        }
    }
}
