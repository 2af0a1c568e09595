//! Permissions: the tables of a page's `Permissions` section, in the 2021
//! layout (`Permissions (from least to most privileged)`), the 2023 layout
//! (`Least privileged permissions | Higher privileged permissions`), under
//! scenario headings, or per resource.

use crate::model::api::{PermissionScenario, Permissions};
use crate::parse::{Page, SectionKind, Table};

/// The permissions of a page: the union of all its tables, least
/// privileged first, plus each table's own list where the page has several
/// (scenario tables under `###` headings, or a per-resource table).
///
/// Two table layouts are read. A row per permission type, with one or more
/// permission columns (`Permissions (from least to most privileged)`, or
/// `Least privileged permissions` then `Higher privileged permissions`); and
/// a row per resource (`Supported resource | Delegated (work or school
/// account) | ... | Application`).
pub(crate) fn read_permissions(page: &Page) -> Permissions {
    let mut perms = Permissions::default();
    let mut scenarios = Vec::new();
    let mut tables = 0;
    for section in page.sections_of(SectionKind::Permissions) {
        for part in section.walk() {
            let scenario = (!std::ptr::eq(part, section)).then(|| part.heading.clone());
            for table in part.tables() {
                let found = if is_per_resource(table) {
                    per_resource_table(table)
                } else {
                    per_type_table(table)
                        .map(|p| vec![(scenario.clone(), p)])
                        .unwrap_or_default()
                };
                for (scenario, p) in found {
                    tables += 1;
                    perms.add(&p);
                    scenarios.push(PermissionScenario {
                        scenario: scenario.unwrap_or_default(),
                        delegated_work: p.delegated_work,
                        delegated_personal: p.delegated_personal,
                        application: p.application,
                    });
                }
            }
        }
    }
    if tables > 1 || scenarios.iter().any(|s| !s.scenario.is_empty()) {
        perms.scenarios = scenarios;
    }
    perms
}

/// The permission names in a cell: `User.Read.All, Directory.Read.All` and
/// the like, without `Not supported.` and `Not available.`.
fn permission_names(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split([',', ' ', ';', '\u{a0}', '、', '，'])
        .map(|s| s.trim().trim_matches(['`', '*']))
        .filter(|s| {
            s.contains('.')
                && s.chars().next().is_some_and(char::is_alphabetic)
                && !s.ends_with('.')
        })
        .map(str::to_owned)
}

/// Which list of `perms` a permission type cell (`Application`) names.
/// The localized editions' words are known too (`Aplicativo`, `委派（个人
/// Microsoft 帐户）`, `Делегированные (рабочая или учебная учетная запись)`).
fn permission_list<'p>(perms: &'p mut Permissions, kind: &str) -> Option<&'p mut Vec<String>> {
    let kind = kind.to_lowercase();
    let any = |words: &[&str]| words.iter().any(|w| kind.contains(w));
    if any(&["personal", "pessoal", "个人", "личн", "個人", "persönlich"]) {
        Some(&mut perms.delegated_personal)
    } else if any(&[
        "application",
        "aplicativo",
        "aplicación",
        "应用",
        "приложени",
        "アプリケーション",
        "anwendung",
    ]) {
        Some(&mut perms.application)
    } else if any(&[
        "delegated",
        "work",
        "delegad",
        "委派",
        "делегир",
        "委任",
        "delegiert",
    ]) {
        Some(&mut perms.delegated_work)
    } else {
        None
    }
}

fn push_new(list: &mut Vec<String>, names: impl IntoIterator<Item = String>) {
    for n in names {
        if !list.contains(&n) {
            list.push(n);
        }
    }
}

/// A table with a row per permission type; `None` when it is no permissions table.
fn per_type_table(table: &Table) -> Option<Permissions> {
    let columns: Vec<(usize, bool)> = table
        .header
        .iter()
        .enumerate()
        .filter_map(|(i, h)| {
            let h = h.text.to_ascii_lowercase();
            (h.contains("permission") && !h.contains("type"))
                .then(|| (i, h.contains("most to least")))
        })
        .collect();
    // A translated header (`Tipo de permissão | Permissões (…)`): two
    // columns whose rows are each a permission type.
    let columns = if columns.is_empty() && translated_per_type(table) {
        vec![(1, false)]
    } else {
        columns
    };
    if columns.is_empty() {
        return None;
    }
    let mut perms = Permissions::default();
    for row in &table.rows {
        let kind = row
            .cells
            .first()
            .map(|c| c.text.as_str())
            .unwrap_or_default();
        let Some(list) = permission_list(&mut perms, kind) else {
            continue;
        };
        for &(col, most_first) in &columns {
            let Some(cell) = row.cells.get(col) else {
                continue;
            };
            let mut names: Vec<String> = permission_names(&cell.text).collect();
            if most_first {
                names.reverse();
            }
            push_new(list, names);
        }
    }
    Some(perms)
}

/// Whether a table whose header names no column in English is a
/// translated permissions table: a header word for "permission", two
/// columns, and every row's first cell a permission type.
fn translated_per_type(table: &Table) -> bool {
    const PERMISSION: &[&str] = &[
        "permiss",
        "权限",
        "разрешени",
        "アクセス許可",
        "berechtigung",
        "permiso",
    ];
    let named = table.header.iter().any(|h| {
        let h = h.text.to_lowercase();
        PERMISSION.iter().any(|w| h.contains(w))
    });
    named
        && table.header.len() == 2
        && !table.rows.is_empty()
        && table.rows.iter().all(|row| {
            let kind = row.cells.first().map_or("", |c| c.text.as_str());
            permission_list(&mut Permissions::default(), kind).is_some()
        })
}

/// Whether the table has a row per resource and a column per permission type.
fn is_per_resource(table: &Table) -> bool {
    table
        .header
        .first()
        .is_some_and(|h| h.text.to_ascii_lowercase().contains("resource"))
        && table
            .header
            .iter()
            .skip(1)
            .any(|h| h.text.to_ascii_lowercase().contains("delegated"))
}

/// A per-resource table: one scenario per resource row.
fn per_resource_table(table: &Table) -> Vec<(Option<String>, Permissions)> {
    let mut out = Vec::new();
    for row in &table.rows {
        let column = table.header.first().map_or("", |h| h.text.trim());
        let resource = row
            .cells
            .first()
            .map(|c| format!("{column}: {}", c.text.trim()));
        let mut perms = Permissions::default();
        for (col, header) in table.header.iter().enumerate().skip(1) {
            let (Some(list), Some(cell)) = (
                permission_list(&mut perms, &header.text),
                row.cells.get(col),
            ) else {
                continue;
            };
            push_new(list, permission_names(&cell.text));
        }
        out.push((resource, perms));
    }
    out
}
