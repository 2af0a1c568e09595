//! Page-level checks made after reading: permissions present, stub
//! placeholders in tables, and the problems of includes.

use crate::base::diagnostics::{Code, Diagnostics, Fix};
use crate::base::source::Span;

use super::front_matter;
use super::include::{self, IncludeProblem};
use super::page::*;

/// `target` (as written, relative to its page) with the case of `found`
/// (the docs-relative path of the file it meant): the written tail that
/// equals `found`'s ignoring case takes `found`'s letters. `None` unless
/// the two differ only in case over the whole written path below its `../`
/// steps.
fn target_in_case_of(target: &str, found: &str) -> Option<String> {
    let common = target
        .bytes()
        .rev()
        .zip(found.bytes().rev())
        .take_while(|(a, b)| a.eq_ignore_ascii_case(b))
        .count();
    let (head, tail) = target.split_at(target.len() - common);
    let head_ok = head
        .split('/')
        .all(|part| part.is_empty() || part == ".." || part == ".");
    (head_ok && common > 0 && tail != &found[found.len() - common..])
        .then(|| format!("{head}{}", &found[found.len() - common..]))
}

pub(super) fn report_include(diags: &mut Diagnostics<'_>, span: Span, problem: IncludeProblem) {
    match problem {
        IncludeProblem::Missing {
            target,
            tried,
            case_differs,
        } => {
            let fix = case_differs
                .as_deref()
                .and_then(|found| target_in_case_of(&target, found))
                .map(|fixed| Fix::one(format!("write `{fixed}`"), span, target.as_str(), fixed));
            let help = match &case_differs {
                Some(found) if fix.is_some() => format!(
                    "looked for `{tried}` (relative to the docs folder), and `{found}` differs only in case: paths are case-sensitive where the docs are built; the rest of the page is read without it"
                ),
                _ => format!(
                    "looked for `{tried}` (relative to the docs folder); the rest of the page is read without it"
                ),
            };
            diags.push_fixed(
                Code::IncludeMissing,
                span,
                format!("include `{target}` was not found"),
                help,
                fix,
            );
        }
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

#[cfg(test)]
mod tests {
    use super::target_in_case_of;

    #[test]
    fn a_target_takes_the_case_of_the_file_it_meant() {
        assert_eq!(
            target_in_case_of(
                "../includes/Permissions/User-Get.md",
                "includes/permissions/user-get.md"
            )
            .as_deref(),
            Some("../includes/permissions/user-get.md")
        );
        // The same already, or a different path: no fix.
        assert_eq!(target_in_case_of("../a/b.md", "a/b.md"), None);
        assert_eq!(target_in_case_of("../x/B.md", "a/b.md"), None);
    }
}
