//! Reading a type cell of a table: `Collection(microsoft.graph.user)`,
//! `[user](user.md) collection`, `String (identifier)`.

use crate::model::types::{CellTarget, TypeCell, page_stem, primitive};
use crate::parse::Inline;

/// Reads a type cell.
pub fn read_type_cell(cell: &Inline) -> TypeCell {
    let written = cell.text.trim().to_owned();
    let mut text = in_english(&written.replace(['`', '*'], ""));
    let mut collection = false;
    // `Collection(X)` and `collection of X`.
    let lower = text.to_ascii_lowercase();
    if lower.starts_with("collection(") && text.ends_with(')') {
        text = text[11..text.len() - 1].to_owned();
        collection = true;
    } else if let Some(rest) = lower.strip_prefix("collection of ") {
        text = text[text.len() - rest.len()..].to_owned();
        collection = true;
    }
    // `X collection`, `X Collection`, `X collection (optional)`.
    let lower = text.to_ascii_lowercase();
    if let Some(i) = lower.find(" collection") {
        text.truncate(i);
        collection = true;
    }
    // Parenthetical notes: `String (identifier)`, `Int32 (nullable)`.
    if let Some(i) = text.find('(') {
        if i > 0 {
            text.truncate(i);
        }
    }
    let text = text.trim().trim_end_matches(['.', ',', ';']).trim();
    let link = cell.links.first();
    let link_stem = link.and_then(|l| page_stem(&l.target));
    let name = match link {
        Some(l) if !l.text.trim().is_empty() => {
            let t = l.text.replace('`', "");
            let t = t.trim();
            let lower = t.to_ascii_lowercase();
            match lower.find(" collection") {
                Some(i) => {
                    collection = true;
                    t[..i].trim().to_owned()
                }
                None => t.to_owned(),
            }
        }
        _ => text.to_owned(),
    };
    let name = name
        .strip_prefix("microsoft.graph.")
        .unwrap_or(&name)
        .to_owned();
    if link.is_none() || link_stem.is_none() {
        if let Some(p) = primitive(&name) {
            return TypeCell {
                target: CellTarget::Primitive(p),
                collection,
                written,
            };
        }
    }
    let valid = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '.' || c == '_')
        && !name.contains("..");
    let target = if valid {
        CellTarget::Named {
            name,
            link: link_stem,
        }
    } else if let Some(stem) = link_stem {
        CellTarget::Named {
            name: stem.clone(),
            link: Some(stem),
        }
    } else {
        CellTarget::Invalid
    };
    TypeCell {
        target,
        collection,
        written,
    }
}

/// Words the localized editions write before a type for "collection of"
/// (pt-BR, ru-RU, de-DE, es-ES, fr-FR).
const COLLECTION_BEFORE: &[&str] = &[
    "coleção de ",
    "coleção ",
    "conjunto de ",
    "conjunto ",
    "коллекция объектов ",
    "коллекция ",
    "sammlung von objekten des typs ",
    "collection von objekten des typs ",
    "colección de ",
    "collection de ",
];

/// Words they write after a type for "collection" (zh-CN, ja-JP, de-DE).
const COLLECTION_AFTER: &[&str] = &[
    "集合",
    "コレクション",
    "-sammlung",
    "-auflistung",
    "auflistung",
];

/// Primitive types' names as the localized editions translate them.
const PRIMITIVE_WORDS: &[(&str, &str)] = &[
    ("cadeia de caracteres", "String"),
    ("cadeias de caracteres", "String"),
    ("字符串", "String"),
    ("строка", "String"),
    ("строк", "String"),
    ("文字列", "String"),
    ("zeichenfolge", "String"),
    ("zeichenfolgen", "String"),
    ("booliano", "Boolean"),
    ("booleano", "Boolean"),
    ("布尔值", "Boolean"),
    ("布尔", "Boolean"),
    ("логический", "Boolean"),
    ("логическое", "Boolean"),
    ("ブール値", "Boolean"),
    ("boolescher wert", "Boolean"),
    ("duração", "Duration"),
    ("期限", "Duration"),
    ("длительность", "Duration"),
    ("期間", "Duration"),
    ("dauer", "Duration"),
    ("duplo", "Double"),
    ("双精度", "Double"),
    ("двойное с плавающей точкой", "Double"),
    ("binária", "Binary"),
    ("binär", "Binary"),
];

/// A type cell of a localized edition in English words: a collection
/// marker before or after the type becomes ` collection` after it
/// (`Coleção [grupo](group.md)`, `[组](group.md) 集合` are `... collection`),
/// and a translated primitive its name (`Cadeia de caracteres` is
/// `String`). An English cell comes back as it is: no English type cell
/// starts or ends with these words.
fn in_english(text: &str) -> String {
    let trimmed = text.trim();
    let lower = trimmed.to_lowercase();
    let (mut core, mut collection) = (trimmed.to_owned(), false);
    if let Some(word) = COLLECTION_BEFORE.iter().find(|w| lower.starts_with(**w)) {
        core = trimmed[byte_len_of_prefix(trimmed, word.chars().count())..].to_owned();
        collection = true;
    } else if let Some(word) = COLLECTION_AFTER.iter().find(|w| lower.ends_with(**w)) {
        let keep = trimmed.chars().count() - word.chars().count();
        core = trimmed[..byte_len_of_prefix(trimmed, keep)].to_owned();
        collection = true;
    }
    let core = core.trim().trim_end_matches('-').trim();
    let core_lower = core.to_lowercase();
    let core = PRIMITIVE_WORDS
        .iter()
        .find(|(word, _)| core_lower == *word)
        .map_or(core, |(_, english)| english);
    if collection {
        format!("{core} collection")
    } else {
        core.to_owned()
    }
}

/// The bytes of the first `chars` characters of `text`.
fn byte_len_of_prefix(text: &str, chars: usize) -> usize {
    text.char_indices()
        .nth(chars)
        .map_or(text.len(), |(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Primitive;
    use crate::parse::Link;

    fn cell(text: &str, link: Option<(&str, &str)>) -> TypeCell {
        read_type_cell(&Inline {
            text: text.to_owned(),
            links: link
                .map(|(t, target)| {
                    vec![Link {
                        text: t.to_owned(),
                        target: target.to_owned(),
                    }]
                })
                .unwrap_or_default(),
            anchor: None,
        })
    }

    fn prim(text: &str) -> (Option<Primitive>, bool) {
        let c = cell(text, None);
        match c.target {
            CellTarget::Primitive(p) => (Some(p), c.collection),
            _ => (None, c.collection),
        }
    }

    #[test]
    fn primitives_in_every_spelling() {
        assert_eq!(prim("String"), (Some(Primitive::String), false));
        assert_eq!(prim("string"), (Some(Primitive::String), false));
        assert_eq!(prim("Int32"), (Some(Primitive::Int32), false));
        assert_eq!(prim("int"), (Some(Primitive::Int32), false));
        assert_eq!(prim("Boolean"), (Some(Primitive::Boolean), false));
        assert_eq!(prim("bool"), (Some(Primitive::Boolean), false));
        assert_eq!(
            prim("DateTimeoffset"),
            (Some(Primitive::DateTimeOffset), false)
        );
        assert_eq!(prim("GUID"), (Some(Primitive::Guid), false));
        assert_eq!(prim("Edm.Duration"), (Some(Primitive::Duration), false));
        assert_eq!(prim("`Date`"), (Some(Primitive::Date), false));
        assert_eq!(prim("TimeOfDay"), (Some(Primitive::TimeOfDay), false));
        assert_eq!(prim("Binary"), (Some(Primitive::Binary), false));
        assert_eq!(prim("Stream"), (Some(Primitive::Stream), false));
        assert_eq!(prim("Double"), (Some(Primitive::Double), false));
        assert_eq!(prim("Single"), (Some(Primitive::Single), false));
        assert_eq!(prim("decimal"), (Some(Primitive::Decimal), false));
        assert_eq!(prim("String collection"), (Some(Primitive::String), true));
        assert_eq!(
            prim("Collection(Edm.String)"),
            (Some(Primitive::String), true)
        );
        assert_eq!(
            prim("String (identifier)"),
            (Some(Primitive::String), false)
        );
    }

    #[test]
    fn named_types_from_links_and_bare_names() {
        let c = cell(
            "identitySet collection",
            Some(("identitySet", "identityset.md")),
        );
        assert_eq!(
            c.target,
            CellTarget::Named {
                name: "identitySet".into(),
                link: Some("identityset".into())
            }
        );
        assert!(c.collection);
        // A broken link target (`x.md collection`) still names its page.
        let c = cell(
            "timeZoneInformation",
            Some(("timeZoneInformation", "timezoneinformation.md collection")),
        );
        assert_eq!(
            c.target,
            CellTarget::Named {
                name: "timeZoneInformation".into(),
                link: Some("timezoneinformation".into())
            }
        );
        let c = cell("identitySet", Some(("identitySet", "")));
        assert_eq!(
            c.target,
            CellTarget::Named {
                name: "identitySet".into(),
                link: None
            }
        );
        let c = cell("runState", None);
        assert_eq!(
            c.target,
            CellTarget::Named {
                name: "runState".into(),
                link: None
            }
        );
        let c = cell("microsoft.graph.runState", None);
        assert_eq!(
            c.target,
            CellTarget::Named {
                name: "runState".into(),
                link: None
            }
        );
        let c = cell("ageGroup", Some(("ageGroup", "#agegroup-values")));
        assert_eq!(
            c.target,
            CellTarget::Named {
                name: "ageGroup".into(),
                link: Some("agegroup".into())
            }
        );
        assert_eq!(cell("", None).target, CellTarget::Invalid);
        assert_eq!(
            cell("see below for details", None).target,
            CellTarget::Invalid
        );
    }
}
