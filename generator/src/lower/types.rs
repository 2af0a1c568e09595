//! Resource and enum pages (and api pages' property tables) -> draft types,
//! whose type references are not resolved yet.

use crate::base::Loc;
use crate::base::diagnostics::diag;
use crate::base::diagnostics::{Code, Diagnostic};
use crate::lower::cells::read_type_cell;
use crate::model::api::{Source, TypeKind};
use crate::model::draft::{DraftMember, DraftProperty, DraftType, Origin};
use crate::model::types::CellTarget;
use crate::parse::{Block, DocType, Inline, Page, Section, SectionKind, Table};

/// The stem of a page path: `resources/identityset.md` -> `identityset`.
pub fn file_stem(file: &str) -> String {
    let name = file.rsplit('/').next().unwrap_or(file);
    name.strip_suffix(".md")
        .unwrap_or(name)
        .to_ascii_lowercase()
}

/// Reads the types a resource or enum page defines.
pub fn lower_type_page(page: &Page, out: &mut Vec<DraftType>, diags: &mut Vec<Diagnostic>) {
    let resource = resource_annotation(page);
    let annotated_name = resource
        .as_ref()
        .and_then(|a| a.get("@odata.type"))
        .and_then(|v| v.as_str())
        .and_then(strip_namespace)
        .filter(|n| is_identifier(n));
    let name = annotated_name.or_else(|| name_from_title(page));
    let at = page
        .sections_of(SectionKind::Title)
        .next()
        .map(|s| s.at)
        .or(page.front_matter.at)
        .unwrap_or_else(Loc::start);
    let description = page.front_matter.description.clone().unwrap_or_default();
    let mut enums = lower_enum_sections(page, name.as_deref(), diags);
    let is_enum_page = page.doc_type() == Some(&DocType::Enum);
    let properties = lower_property_sections(page, diags);
    let Some(name) = name else {
        if enums.is_empty() {
            diags.push(diag(
                &page.file,
                at,
                Code::TypeMissing,
                "page declares no type: no `@odata.type` annotation and no `<name> resource type` title".to_owned(),
                "title the page `<typeName> resource type` or add a JSON representation annotation".to_owned(),
            ));
        }
        out.append(&mut enums);
        return;
    };
    if is_enum_page && properties.is_empty() {
        // Enum pages: members came from their tables, under the page's name.
        for e in &mut enums {
            if e.name.is_empty() {
                e.name = name.clone();
            }
        }
        out.append(&mut enums);
        return;
    }
    out.append(&mut enums);
    let (base, base_diag) = base_type(page, resource.as_ref());
    if let Some(d) = base_diag {
        diags.push(d);
    }
    let key = resource
        .as_ref()
        .and_then(|a| a.get("keyProperty"))
        .and_then(|v| v.as_str())
        .map(str::to_owned);
    let open = resource
        .as_ref()
        .and_then(|a| a.get("openType"))
        .is_some_and(|v| v.as_bool() == Some(true) || v.as_str() == Some("true"));
    out.push(DraftType {
        name,
        kind: TypeKind::Complex,
        base,
        description,
        properties,
        members: Vec::new(),
        key,
        open,
        page_stem: file_stem(&page.file),
        source: Source::at(&page.file, at),
        at,
        origin: Origin::TypePage,
        pages: vec![page.file.clone()],
        representation: representation(page),
    });
}

/// The JSON representation: the code block of the `JSON representation`
/// section (or the one the `resource` annotation marks), when it reads as a
/// JSON object. Shortened or broken blocks are left out: they are not read
/// as data anywhere.
fn representation(page: &Page) -> Option<crate::model::api::Representation> {
    let in_section = page
        .sections_of(SectionKind::JsonRepresentation)
        .flat_map(|s| s.blocks.iter())
        .find_map(|b| match b {
            Block::Code(c) => Some(c),
            _ => None,
        });
    let annotated = || {
        page.all_sections()
            .flat_map(|s| s.blocks.iter())
            .find_map(|b| match b {
                Block::Code(c)
                    if c.annotation
                        .as_ref()
                        .is_some_and(|a| a.block_type().as_deref() == Some("resource")) =>
                {
                    Some(c)
                }
                _ => None,
            })
    };
    let code = in_section.or_else(annotated)?;
    let json = match crate::parse::http::parse_body(code.text.trim()) {
        crate::parse::http::BodyReading::Read(crate::parse::ExampleBody::Json(v))
        | crate::parse::http::BodyReading::Recovered(crate::parse::ExampleBody::Json(v), _) => v,
        _ => return None,
    };
    json.is_object().then(|| crate::model::api::Representation {
        json,
        source: Source::at(&page.file, code.at),
    })
}

/// The `blockType: resource` annotation's JSON, if the page has one.
fn resource_annotation(page: &Page) -> Option<serde_json::Value> {
    page.all_sections()
        .flat_map(|s| s.blocks.iter())
        .find_map(|b| match b {
            Block::Code(c) => c
                .annotation
                .as_ref()
                .filter(|a| a.block_type().as_deref() == Some("resource")),
            Block::Annotation(a) if a.block_type().as_deref() == Some("resource") => Some(a),
            _ => None,
        })
        .map(|a| a.value.clone())
}

/// `microsoft.graph.user` / `#microsoft.graph.user` -> `user`.
pub fn strip_namespace(name: &str) -> Option<String> {
    let name = name.trim().trim_start_matches('#');
    let short = name.rsplit('.').next().unwrap_or(name);
    (!short.is_empty() && !short.contains('$')).then(|| short.to_owned())
}

fn is_identifier(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `user resource type`, `runState enum type`, `identitySet complex type` -> the name.
fn name_from_title(page: &Page) -> Option<String> {
    let candidates = [page.front_matter.title.as_deref(), page.heading_title()];
    for title in candidates.into_iter().flatten() {
        let first = title.split_whitespace().next().unwrap_or("");
        let first = first.trim_matches(|c: char| !c.is_alphanumeric() && c != '_');
        let lower = title.to_ascii_lowercase();
        let typed = [
            "resource type",
            "enum type",
            "complex type",
            "entity type",
            "enumeration",
            "resource",
        ]
        .iter()
        .any(|k| lower.contains(k));
        if typed && is_identifier(first) {
            return Some(strip_namespace(first).unwrap_or_else(|| first.to_owned()));
        }
    }
    // A translated title (`Tipo de recurso user`, `user 资源类型`) on a page
    // that says it is a type page.
    if matches!(page.doc_type(), Some(DocType::Resource | DocType::Enum)) && is_localized(page) {
        let stem = file_stem(&page.file);
        return candidates
            .into_iter()
            .flatten()
            .find_map(|title| name_in_translation(title, Some(&stem)));
    }
    None
}

/// The base type from the annotation and from "Inherits from [x]" text; a
/// disagreement is reported and the annotation wins.
fn base_type(
    page: &Page,
    resource: Option<&serde_json::Value>,
) -> (Option<String>, Option<Diagnostic>) {
    let annotated = resource
        .and_then(|a| a.get("baseType"))
        .and_then(|v| v.as_str())
        .and_then(strip_namespace);
    let mut text_base: Option<(String, Loc)> = None;
    'outer: for section in page.all_sections() {
        for p in section.paragraphs() {
            let lower = p.inline.text.to_ascii_lowercase();
            if let Some(i) = lower.find("inherits from") {
                let after = &p.inline.text[i + "inherits from".len()..];
                let link = p
                    .inline
                    .links
                    .iter()
                    .find(|l| after.contains(l.text.as_str()) && !l.text.is_empty());
                let name = match link {
                    Some(l) => l.text.clone(),
                    None => after
                        .split_whitespace()
                        .next()
                        .unwrap_or("")
                        .trim_matches(|c: char| !c.is_alphanumeric())
                        .to_owned(),
                };
                if is_identifier(&name) {
                    text_base = Some((strip_namespace(&name).unwrap_or(name), p.at));
                }
                break 'outer;
            }
        }
    }
    match (annotated, text_base) {
        (Some(a), Some((t, at))) if !a.eq_ignore_ascii_case(&t) => {
            let d = diag(
                &page.file,
                at,
                Code::BaseTypeConflict,
                format!(
                    "the text says the type inherits from `{t}` but the annotation's `baseType` is `{a}`"
                ),
                format!("make both name the same base type; `{a}` from the annotation was used"),
            );
            (Some(a), Some(d))
        }
        (Some(a), _) => (Some(a), None),
        (None, Some((t, _))) => (Some(t), None),
        (None, None) => (None, None),
    }
}

/// The tables of a page's Properties and Relationships sections (and their
/// untitled sub-sections), each with whether it lists relationships.
pub fn property_tables(page: &Page) -> impl Iterator<Item = (&Table, bool)> {
    [SectionKind::Properties, SectionKind::Relationships]
        .into_iter()
        .flat_map(move |kind| {
            page.sections_of(kind).flat_map(move |section| {
                section
                    .walk()
                    .filter(move |s| s.kind == kind || s.kind == SectionKind::Other)
                    .flat_map(|part| part.tables())
                    .map(move |table| (table, kind == SectionKind::Relationships))
            })
        })
}

fn lower_property_sections(page: &Page, diags: &mut Vec<Diagnostic>) -> Vec<DraftProperty> {
    let mut out = Vec::new();
    for (table, navigation) in property_tables(page) {
        read_property_table(page, table, navigation, diags, &mut out);
    }
    out
}

/// The name, type and description columns of a property table, by their
/// English headers; a translated header (`Propriedade | Tipo | Descrição`,
/// `属性 | 类型 | 说明`) keeps the English order. `None` without a type
/// column.
fn property_columns(table: &Table) -> Option<(usize, usize, Option<usize>)> {
    let name_col = table
        .column(&[
            "property",
            "name",
            "relationship",
            "parameter",
            "property name",
        ])
        .unwrap_or(0);
    // A translated header (`Propriedade | Tipo | Descrição`, `属性 | 类型 |
    // 说明`) keeps the English order: name, type, description.
    let translated = table.header.len() >= 3
        && table.header.get(1).is_some_and(|h| {
            let h = h.text.trim().to_lowercase();
            !h.is_ascii() || ["tipo", "typ", "type de"].contains(&h.as_str())
        });
    let type_col = table
        .column(&["type", "value type"])
        .or(translated.then_some(1))?;
    let desc_col = table
        .column(&["description", "notes"])
        .or(translated.then_some(2));
    Some((name_col, type_col, desc_col))
}

/// Reads the rows of a `|Property|Type|Description|` table.
pub fn read_property_table(
    page: &Page,
    table: &Table,
    navigation: bool,
    diags: &mut Vec<Diagnostic>,
    out: &mut Vec<DraftProperty>,
) {
    let Some((name_col, type_col, desc_col)) = property_columns(table) else {
        return;
    };
    for row in &table.rows {
        let Some(name_cell) = row.cells.get(name_col) else {
            continue;
        };
        // `| **Teamwork** |||` groups the rows below it; it is no property.
        // Property names are camelCase, so only a capitalised or spaced name
        // with nothing else on the row counts as such a heading.
        let heading = name_cell.text.trim();
        if (heading.starts_with(|c: char| c.is_uppercase()) || heading.contains(' '))
            && row
                .cells
                .iter()
                .enumerate()
                .all(|(i, c)| i == name_col || c.text.trim().is_empty())
        {
            continue;
        }
        let Some(name) = property_name(name_cell) else {
            if !name_cell.text.trim().is_empty()
                || row
                    .cells
                    .get(type_col)
                    .is_some_and(|c| !c.text.trim().is_empty())
            {
                diags.push(diag(
                    &page.file,
                    row.at,
                    Code::TypeCellInvalid,
                    format!(
                        "property name `{}` is not an identifier; the row was skipped",
                        name_cell.text
                    ),
                    "write the property's API name in the first cell".to_owned(),
                ));
            }
            continue;
        };
        let empty = Inline::default();
        let cell = read_type_cell(row.cells.get(type_col).unwrap_or(&empty));
        let description = desc_col
            .and_then(|c| row.cells.get(c))
            .map(|c| c.text.clone())
            .unwrap_or_default();
        let lower = description.to_ascii_lowercase();
        if cell.target == CellTarget::Invalid {
            diags.push(diag(
                &page.file,
                row.at,
                Code::TypeCellInvalid,
                format!("type cell `{}` of property `{name}` names no type", cell.written),
                "write a type such as `String`, `Int32` or a link to the type's page; a JSON value is used".to_owned(),
            ));
        }
        out.push(DraftProperty {
            name,
            cell,
            navigation,
            read_only: lower.contains("read-only")
                || lower.contains("read only")
                || lower.contains("readonly"),
            not_nullable: lower.contains("not nullable") || lower.contains("non-nullable"),
            description,
            at: row.at,
        });
    }
}

/// The API name in a property cell: `id`, `**displayName**`, `@odata.type`, `userPrincipalName (deprecated)`.
pub fn property_name(cell: &Inline) -> Option<String> {
    let text = cell.text.replace(['`', '*', '\\'], "");
    let word = text.split_whitespace().next()?;
    let word = word.trim_end_matches([',', ':', '.']);
    let valid = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '@' || c == '.' || c == '-')
        && word.chars().any(|c| c.is_alphabetic());
    valid.then(|| word.to_owned())
}

/// Reads enum tables: an enum page's `Members`, or `<name> values` sections.
fn lower_enum_sections(
    page: &Page,
    page_type: Option<&str>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<DraftType> {
    let mut out = Vec::new();
    let is_enum_page = page.doc_type() == Some(&DocType::Enum);
    for section in page.sections_of(SectionKind::Members) {
        let heading_name = enum_name_from_heading(&section.heading, is_localized(page));
        let name = match (&heading_name, is_enum_page) {
            (Some(n), _) => n.clone(),
            (None, true) => page_type.map(str::to_owned).unwrap_or_default(),
            (None, false) => continue,
        };
        let mut members = Vec::new();
        for table in section.tables() {
            read_member_table(page, section, table, diags, &mut members);
        }
        if members.is_empty() {
            continue;
        }
        // The page's description is the enum's only on the enum's own page:
        // on a resource page it describes the resource (`user`), not the
        // values of one of its properties (`ageGroup`).
        let own_page = is_enum_page && heading_name.as_deref().is_none_or(|n| Some(n) == page_type);
        let description = section
            .paragraphs()
            .next()
            .map(|p| p.inline.text.clone())
            .or_else(|| {
                own_page
                    .then(|| page.front_matter.description.clone())
                    .flatten()
            })
            .unwrap_or_default();
        out.push(DraftType {
            name,
            kind: TypeKind::Enum,
            base: None,
            description,
            properties: Vec::new(),
            members,
            key: None,
            open: false,
            page_stem: heading_name
                .map_or_else(|| file_stem(&page.file), |n| n.to_ascii_lowercase()),
            source: Source::at(&page.file, section.at),
            at: section.at,
            origin: Origin::TypePage,
            pages: vec![page.file.clone()],
            representation: None,
        });
    }
    out
}

fn enum_name_from_heading(heading: &str, localized: bool) -> Option<String> {
    let lower = heading.to_ascii_lowercase();
    let Some(stripped) = lower
        .strip_suffix(" values")
        .or_else(|| lower.strip_suffix(" enum"))
        .or_else(|| lower.strip_suffix(" enumeration"))
    else {
        // A translated heading (`Valores de clonableTeamParts`,
        // `clonableTeamParts 值`) keeps the type's name.
        return localized
            .then(|| name_in_translation(heading, None))
            .flatten();
    };
    let name = heading[..stripped.len()].trim().trim_matches('`');
    let name = name.rsplit(' ').next().unwrap_or(name);
    is_identifier(name).then(|| name.to_owned())
}

/// Whether `page` is of a localized edition: its front matter names a
/// locale other than English (`ms.contentlocale: pt-BR`), or its title is
/// not in ASCII (the 2019 editions have no locale key). The rules for
/// translated titles and headings apply to these pages only.
fn is_localized(page: &Page) -> bool {
    let locale = page
        .front_matter
        .extra
        .get("ms.contentlocale")
        .is_some_and(|l| !l.trim().to_ascii_lowercase().starts_with("en"));
    let title = page.front_matter.title.as_deref().or(page.heading_title());
    locale || title.is_some_and(|t| !t.is_ascii())
}

/// The type name a translated title or heading keeps in English: the word
/// that is the page's file name (`Tipo de recurso user` on `user.md`), else
/// the first camelCase one (`Valores de clonableTeamParts`).
fn name_in_translation(text: &str, stem: Option<&str>) -> Option<String> {
    let words: Vec<&str> = text
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| is_identifier(w))
        .collect();
    stem.and_then(|stem| words.iter().find(|w| w.eq_ignore_ascii_case(stem)))
        .or_else(|| {
            words.iter().find(|w| {
                w.starts_with(|c: char| c.is_ascii_lowercase())
                    && w.chars().any(|c| c.is_ascii_uppercase())
            })
        })
        .map(|w| (*w).to_owned())
}

fn read_member_table(
    page: &Page,
    _section: &Section,
    table: &Table,
    diags: &mut Vec<Diagnostic>,
    out: &mut Vec<DraftMember>,
) {
    let member_col = table.column(&["member", "name", "members", "enum member"]);
    let value_col = table.column(&["value"]);
    let desc_col = table.column(&["description"]);
    // `|Member|Value|Description|`, or `|Value|Description|` where the value is the name.
    let (name_col, number_col) = match (member_col, value_col) {
        (Some(m), v) => (m, v),
        (None, Some(v)) => (v, None),
        (None, None) => (0, None),
    };
    for row in &table.rows {
        let name = row
            .cells
            .get(name_col)
            .map(|c| c.text.replace(['`', '*'], "").trim().to_owned())
            .unwrap_or_default();
        if !is_identifier(&name) {
            diags.push(diag(
                &page.file,
                row.at,
                Code::EnumMemberInvalid,
                format!("enum member `{name}` is not an identifier; the row was skipped"),
                "write the member's name in the first cell".to_owned(),
            ));
            continue;
        }
        let value = number_col
            .and_then(|c| row.cells.get(c))
            .and_then(|c| c.text.trim().replace('`', "").parse::<i64>().ok());
        out.push(DraftMember {
            name,
            value,
            description: desc_col
                .and_then(|c| row.cells.get(c))
                .map(|c| c.text.clone())
                .unwrap_or_default(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The enums `text` (a page at `file`) declares: name and description.
    fn enums_of(file: &str, text: &str) -> Vec<(String, String)> {
        let (page, _) = crate::parse::parse_page(file, text);
        let (mut out, mut diags) = (Vec::new(), Vec::new());
        lower_type_page(&page, &mut out, &mut diags);
        out.into_iter()
            .filter(|t| t.kind == TypeKind::Enum)
            .map(|t| (t.name, t.description))
            .collect()
    }

    const MEMBERS: &str =
        "| Member | Description |\n|:---|:---|\n| minor | A minor. |\n| adult | An adult. |\n";

    #[test]
    fn an_enum_takes_the_pages_description_on_its_own_page_only() {
        let resource = format!(
            "---\ntitle: \"user resource type\"\ndescription: \"Represents a user account.\"\ndoc_type: resourcePageType\n---\n\n# user resource type\n\n## Properties\n\n| Property | Type | Description |\n|:---|:---|:---|\n| ageGroup | ageGroup | The age group. |\n\n### ageGroup values\n\n{MEMBERS}"
        );
        assert_eq!(
            enums_of("resources/user.md", &resource),
            [("ageGroup".to_owned(), String::new())],
            "the user page's description is not the enum's"
        );
        let described = resource.replace(
            "### ageGroup values\n\n",
            "### ageGroup values\n\nHow old a user is.\n\n",
        );
        assert_eq!(
            enums_of("resources/user.md", &described),
            [("ageGroup".to_owned(), "How old a user is.".to_owned())]
        );
        let own = format!(
            "---\ntitle: \"ageGroup enum type\"\ndescription: \"How old a user is.\"\ndoc_type: enumPageType\n---\n\n# ageGroup enum type\n\n## Members\n\n{MEMBERS}"
        );
        let enums = enums_of("resources/agegroup.md", &own);
        assert_eq!(enums.len(), 1, "{enums:?}");
        assert_eq!(enums[0].1, "How old a user is.", "{enums:?}");
    }
}
