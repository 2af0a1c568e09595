//! `cargo xtask lint --fix`: the fixes diagnostics carry, applied to the
//! pages. A page is changed only when, read again with its fixes, its
//! fixed diagnostics are gone and nothing new is reported anywhere (by
//! file, code and message): every file says at most what it said before,
//! less what was fixed. Pages whose fixes fail that check are left as they
//! are and listed.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use generator::fixes;
use generator::{Code, Diagnostic};

use crate::docs::DocsFolder;
use crate::lint::diagnostics_of;

/// A page with the fixes that passed the check.
#[derive(Debug, Clone)]
pub struct FixedPage {
    /// The page, relative to the docs folder.
    pub file: String,
    /// Its text now.
    pub before: String,
    /// Its text with the fixes.
    pub after: String,
    /// The diagnostics fixed.
    pub fixed: Vec<Diagnostic>,
}

/// What `lint --fix` would do to a docs folder.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// The pages changed, by path.
    pub pages: Vec<FixedPage>,
    /// Pages whose fixes were withheld: read again, they reported
    /// something new or kept a diagnostic the fix was to remove.
    pub withheld: Vec<String>,
    /// Fixes that could not be placed on their page's text (the text to
    /// replace was not there exactly once, or overlapped another fix).
    pub unplaced: usize,
    /// How many verification runs of the whole folder it took.
    pub runs: usize,
}

impl Plan {
    /// The fixes applied, by code.
    pub fn by_code(&self) -> BTreeMap<Code, usize> {
        let mut out = BTreeMap::new();
        for page in &self.pages {
            for d in &page.fixed {
                *out.entry(d.code).or_insert(0) += 1;
            }
        }
        out
    }

    /// How many fixes are applied.
    pub fn count(&self) -> usize {
        self.pages.iter().map(|p| p.fixed.len()).sum()
    }
}

/// What is reported of each file, ignoring where: (code, message) with how
/// often. A fix may move lines; it must not change what is said.
type Said = BTreeMap<String, BTreeMap<(Code, String), usize>>;

fn said(diagnostics: &[Diagnostic]) -> Said {
    let mut out: Said = BTreeMap::new();
    for d in diagnostics {
        *out.entry(d.file.clone())
            .or_default()
            .entry((d.code, d.message.clone()))
            .or_insert(0) += 1;
    }
    out
}

/// Works out the fixes for `docs` (for the pages in `only`, when given),
/// checked as the module says.
pub fn plan(docs: &DocsFolder, only: Option<&BTreeSet<String>>) -> Plan {
    let diagnostics = diagnostics_of(docs);
    let mut by_file: BTreeMap<&str, Vec<&Diagnostic>> = BTreeMap::new();
    let wanted = |d: &&Diagnostic| d.fix.is_some() && only.is_none_or(|o| o.contains(&d.file));
    for d in diagnostics.iter().filter(wanted) {
        by_file.entry(d.file.as_str()).or_default().push(d);
    }
    let mut plan = Plan::default();
    let mut candidates: Vec<FixedPage> = Vec::new();
    for (file, list) in by_file {
        // Only pages are fixed: an include file is reported at its own
        // path, but its fixes were dropped where it was read.
        let Some(text) = docs.pages.iter().find(|(p, _)| p == file).map(|(_, t)| t) else {
            continue;
        };
        let applied = fixes::apply(text, &list);
        plan.unplaced += applied.refused.len();
        if applied.applied.is_empty() {
            continue;
        }
        candidates.push(FixedPage {
            file: file.to_owned(),
            before: text.clone(),
            after: applied.text,
            fixed: applied.applied.iter().map(|&i| list[i].clone()).collect(),
        });
    }
    let before = said(&diagnostics);
    let (kept, withheld) = check(docs, &before, candidates, &mut plan.runs);
    plan.pages = kept;
    plan.withheld = withheld;
    plan.withheld.sort();
    plan
}

/// Splits `candidates` into those that pass the check together and those
/// that do not: all at once first, then, if that fails, each half on its
/// own, down to single pages.
fn check(
    docs: &DocsFolder,
    before: &Said,
    candidates: Vec<FixedPage>,
    runs: &mut usize,
) -> (Vec<FixedPage>, Vec<String>) {
    if candidates.is_empty() {
        return (Vec::new(), Vec::new());
    }
    *runs += 1;
    if passes(docs, before, &candidates) {
        return (candidates, Vec::new());
    }
    if candidates.len() == 1 {
        return (Vec::new(), candidates.into_iter().map(|c| c.file).collect());
    }
    let mut left = candidates;
    let right = left.split_off(left.len() / 2);
    let (mut kept, mut withheld) = check(docs, before, left, runs);
    let (kept_right, withheld_right) = check(docs, before, right, runs);
    // Each half passed alone; together they must still pass.
    if !kept.is_empty() && !kept_right.is_empty() {
        let mut both = kept.clone();
        both.extend(kept_right.iter().cloned());
        *runs += 1;
        if !passes(docs, before, &both) {
            withheld.extend(kept_right.into_iter().map(|c| c.file));
            withheld.extend(withheld_right);
            return (kept, withheld);
        }
    }
    kept.extend(kept_right);
    withheld.extend(withheld_right);
    (kept, withheld)
}

/// Whether the folder with `pages` fixed reports nothing new: each file
/// says at most what it said before, less the diagnostics fixed (it may
/// say less still: an example fixed may let a check elsewhere pass).
fn passes(docs: &DocsFolder, before: &Said, pages: &[FixedPage]) -> bool {
    let replaced: BTreeMap<String, String> = pages
        .iter()
        .map(|p| (p.file.clone(), p.after.clone()))
        .collect();
    let after = said(&diagnostics_of(&docs.with_pages(&replaced)));
    let mut allowed = before.clone();
    for page in pages {
        let file = allowed.entry(page.file.clone()).or_default();
        for d in &page.fixed {
            if let Some(n) = file.get_mut(&(d.code, d.message.clone())) {
                *n = n.saturating_sub(1);
            }
        }
    }
    let empty = BTreeMap::new();
    after.iter().all(|(file, said_after)| {
        let said_before = allowed.get(file).unwrap_or(&empty);
        said_after
            .iter()
            .all(|(key, n)| said_before.get(key).is_some_and(|m| n <= m))
    })
}

/// Writes the fixed pages into the docs folder `root`, each atomically (a
/// file beside it, then a rename), so that no page is ever half-written.
pub fn write(root: &Path, plan: &Plan) -> Result<(), String> {
    for page in &plan.pages {
        let path = root.join(&page.file);
        let tmp = path.with_extension("md.fixing");
        std::fs::write(&tmp, &page.after)
            .map_err(|e| format!("writing `{}`: {e}", tmp.display()))?;
        std::fs::rename(&tmp, &path).map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            format!("replacing `{}`: {e}", path.display())
        })?;
    }
    Ok(())
}

/// The fixes as a unified diff (`a/` and `b/` paths relative to the docs
/// folder as given: `prefix`).
pub fn diff(plan: &Plan, prefix: &str) -> String {
    let mut out = String::new();
    for page in &plan.pages {
        let path = if prefix.is_empty() || prefix == "." {
            page.file.clone()
        } else {
            format!("{prefix}/{}", page.file)
        };
        let diff = similar::TextDiff::from_lines(&page.before, &page.after);
        out.push_str(
            &diff
                .unified_diff()
                .context_radius(2)
                .header(&format!("a/{path}"), &format!("b/{path}"))
                .to_string(),
        );
    }
    out
}

/// A summary: how many fixes in how many pages, by code, and what was
/// withheld or could not be placed.
pub fn summary(plan: &Plan, dry_run: bool) -> String {
    let verb = if dry_run { "would fix" } else { "fixed" };
    let mut out = format!(
        "{verb} {} diagnostics in {} pages",
        plan.count(),
        plan.pages.len()
    );
    let codes: Vec<String> = plan
        .by_code()
        .iter()
        .map(|(code, n)| format!("{code}: {n}"))
        .collect();
    if !codes.is_empty() {
        out.push_str(&format!(" ({})", codes.join(", ")));
    }
    if !plan.withheld.is_empty() {
        let pages: BTreeSet<&str> = plan.withheld.iter().map(String::as_str).collect();
        out.push_str(&format!(
            "; withheld in {} pages whose fixes, read again, changed what else is reported: {}",
            pages.len(),
            pages.into_iter().collect::<Vec<_>>().join(", ")
        ));
    }
    if plan.unplaced > 0 {
        out.push_str(&format!(
            "; {} fixes not placed (their text was not found exactly once, or overlapped another fix)",
            plan.unplaced
        ));
    }
    out
}
