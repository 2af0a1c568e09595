//! Page-level checks made after reading: permissions present, stub
//! placeholders in tables, and the problems of includes.

use crate::base::diagnostics::{Code, Diagnostics};
use crate::base::source::Span;

use super::front_matter;
use super::include::{self, IncludeProblem};
use super::page::*;

pub(super) fn report_include(diags: &mut Diagnostics<'_>, span: Span, problem: IncludeProblem) {
    match problem {
        IncludeProblem::Missing { target, tried } => diags.push(
            Code::IncludeMissing,
            span,
            format!("include `{target}` was not found"),
            format!(
                "looked for `{tried}` (relative to the docs folder); the rest of the page is read without it"
            ),
        ),
        IncludeProblem::Refused { target, tried, root } => diags.push(
            Code::IncludeRefused,
            span,
            format!("include `{target}` is outside the include root and was not read"),
            match root {
                Some(root) => format!(
                    "it resolves to `{tried}`, outside the include root `{root}` (paths relative to the docs folder); move the file under the root or pass `--include-root`"
                ),
                None => "write the target as a path relative to this file".to_owned(),
            },
        ),
        IncludeProblem::Unreadable {
            target,
            tried,
            error,
        } => diags.push(
            Code::IncludeUnreadable,
            span,
            format!("include `{target}` could not be read"),
            format!("reading `{tried}` failed ({error}); the rest of the page is read without it"),
        ),
        IncludeProblem::Cycle { chain } => diags.push(
            Code::IncludeCycle,
            span,
            format!("include cycle: {}", chain.join(" -> ")),
            "the cycle was cut here; remove one of the directives",
        ),
        IncludeProblem::TooDeep { target } => diags.push(
            Code::IncludeTooDeep,
            span,
            format!(
                "include `{target}` nests more than {} levels deep and was not read",
                include::MAX_DEPTH
            ),
            "flatten the includes",
        ),
    }
}

/// Stub pages leave `**TODO: ...**` where a description or type belongs.
pub(super) fn check_todo_cells(page: &Page, diags: &mut Diagnostics<'_>) {
    for section in page.all_sections() {
        for table in section.tables() {
            for row in &table.rows {
                if let Some(todo) = row
                    .cells
                    .iter()
                    .find_map(|c| front_matter::todo_placeholder(&c.text))
                {
                    diags.push(
                        Code::TemplatePlaceholder,
                        row.at.read,
                        format!("table cell is the stub placeholder `{todo}`"),
                        "replace the placeholder with the real text; the row was read as it is",
                    );
                }
            }
        }
    }
}

pub(super) fn check_permissions(page: &Page, diags: &mut Diagnostics<'_>) {
    if page.doc_type() == Some(&DocType::Api) && !page.request_lines.is_empty() {
        let sections: Vec<&Section> = page.sections_of(SectionKind::Permissions).collect();
        let has_table = sections
            .iter()
            .any(|s| s.walk().any(|part| part.tables().next().is_some()));
        if !has_table {
            let (at, message) = match sections.first() {
                Some(section) => (
                    section.at.read,
                    "the `Permissions` section has no permissions table",
                ),
                None => (
                    page.sections.first().map_or(Span::default(), |s| s.at.read),
                    "api page lists no permissions",
                ),
            };
            diags.push(
                Code::PermissionsMissing,
                at,
                message,
                "add a `## Permissions` table (or an `[!INCLUDE]` of one) with the least privileged permission for each permission type",
            );
        }
    }
    for section in page.sections_of(SectionKind::Permissions) {
        for table in section.tables() {
            let Some(col) = table
                .header
                .iter()
                .position(|h| h.text.to_ascii_lowercase().contains("permissions"))
            else {
                continue;
            };
            let named = table
                .rows
                .iter()
                .any(|r| r.cells.get(col).is_some_and(|c| !c.text.trim().is_empty()));
            if !named && !table.rows.is_empty() {
                diags.push(
                    Code::PermissionsEmpty,
                    table.at.read,
                    "permissions table names no permission",
                    "fill in the least privileged permission for each permission type, or `Not supported.`",
                );
            }
        }
    }
}
