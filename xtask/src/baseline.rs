//! The diagnostics baseline: the known problems of a docs set, so that a
//! check can fail on new ones only.
//!
//! A diagnostic's key is its code, its file and its message, never its line
//! or column: an edit elsewhere on the page moves lines, and the key stays.
//! The same key may occur more than once (two identical table rows); the
//! baseline keeps the count, and only occurrences beyond it are new. New
//! errors and warnings fail the check; new notes are listed, not failed.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use generator::{Diagnostic, Severity};

/// The version of the baseline file's format.
const FORMAT: u32 = 1;

/// The recorded diagnostics of a docs set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Baseline {
    /// The file format's version.
    pub format: u32,
    /// Known diagnostics, sorted by file, code and message.
    pub diagnostics: Vec<Entry>,
}

/// A known diagnostic, by its stable key, and how often it occurs.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Entry {
    /// The page (or include file).
    pub file: String,
    /// The diagnostic code.
    pub code: String,
    /// The message.
    pub message: String,
    /// How many times it occurs, when more than once.
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub count: usize,
}

fn one() -> usize {
    1
}

fn is_one(n: &usize) -> bool {
    *n == 1
}

type Key = (String, String, String);

fn key(d: &Diagnostic) -> Key {
    (
        d.file.clone(),
        d.code.as_str().to_owned(),
        d.message.clone(),
    )
}

impl Baseline {
    /// The baseline of these diagnostics.
    pub fn record(diagnostics: &[Diagnostic]) -> Baseline {
        let mut counts: BTreeMap<Key, usize> = BTreeMap::new();
        for d in diagnostics {
            *counts.entry(key(d)).or_default() += 1;
        }
        Baseline {
            format: FORMAT,
            diagnostics: counts
                .into_iter()
                .map(|((file, code, message), count)| Entry {
                    file,
                    code,
                    message,
                    count,
                })
                .collect(),
        }
    }

    /// Reads a baseline file.
    pub fn load(file: &Path) -> Result<Baseline, String> {
        let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
        let baseline: Baseline = serde_json::from_str(&text)
            .map_err(|e| format!("{}: not a diagnostics baseline: {e}", file.display()))?;
        if baseline.format != FORMAT {
            return Err(format!(
                "{}: baseline format {} is not {FORMAT}; record it again with --update-baseline",
                file.display(),
                baseline.format
            ));
        }
        Ok(baseline)
    }

    /// Writes the baseline file: pretty JSON, one entry per known problem.
    pub fn save(&self, file: &Path) -> Result<(), String> {
        let mut text = serde_json::to_string_pretty(self).map_err(|e| e.to_string())?;
        text.push('\n');
        std::fs::write(file, text).map_err(|e| format!("{}: {e}", file.display()))
    }

    /// Splits `diagnostics` into new and known ones, and lists the recorded
    /// ones that no longer occur.
    pub fn compare<'d>(&self, diagnostics: &'d [Diagnostic]) -> Comparison<'d> {
        let mut allowed: BTreeMap<Key, usize> = self
            .diagnostics
            .iter()
            .map(|e| ((e.file.clone(), e.code.clone(), e.message.clone()), e.count))
            .collect();
        let mut comparison = Comparison::default();
        for d in diagnostics {
            match allowed.get_mut(&key(d)) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    comparison.known += 1;
                }
                _ => comparison.new.push(d),
            }
        }
        comparison.fixed = allowed
            .into_iter()
            .filter(|(_, n)| *n > 0)
            .map(|((file, code, message), count)| Entry {
                file,
                code,
                message,
                count,
            })
            .collect();
        comparison
    }
}

/// What a docs set has against its baseline.
#[derive(Debug, Default)]
pub struct Comparison<'d> {
    /// Diagnostics the baseline does not know.
    pub new: Vec<&'d Diagnostic>,
    /// Recorded diagnostics that no longer occur (with how many times).
    pub fixed: Vec<Entry>,
    /// How many diagnostics the baseline knows.
    pub known: usize,
}

impl Comparison<'_> {
    /// Whether a new error or warning fails the check.
    pub fn fails(&self) -> bool {
        self.new.iter().any(|d| d.severity() != Severity::Note)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use generator::{Code, SourcePage};

    fn diagnostics(pages: &[(&str, &str)]) -> Vec<Diagnostic> {
        let sources: Vec<SourcePage<'_>> = pages
            .iter()
            .map(|(path, text)| SourcePage { path, text })
            .collect();
        let (read, mut diags) = generator::parse_pages(&sources, &generator::Includes::new());
        diags.extend(generator::build_model(&read).1);
        diags.sort();
        diags
    }

    const PAGE: &str = "---\ntitle: \"Get thing\"\ndescription: \"Gets a thing.\"\ndoc_type: apiPageType\n---\n# Get thing\n\n## HTTP request\n```http\nGET /things/{id}\n```\n\n## Response\nIf successful, this method returns a `200 OK` response code and a [thing](../resources/thing.md) object in the response body.\n";

    #[test]
    fn moved_lines_keep_their_key_and_new_problems_are_found() {
        let before = diagnostics(&[("api/thing-get.md", PAGE)]);
        assert!(
            before.iter().any(|d| d.code == Code::TypeUnresolved),
            "{before:?}"
        );
        let baseline = Baseline::record(&before);

        // Unrelated lines above move every diagnostic down: nothing is new.
        let moved = PAGE.replace(
            "# Get thing\n",
            "# Get thing\n\nSome words.\n\nMore words.\n",
        );
        let after = diagnostics(&[("api/thing-get.md", &moved)]);
        let line = |diags: &[Diagnostic]| {
            diags
                .iter()
                .find(|d| d.code == Code::TypeUnresolved)
                .map(|d| d.line)
        };
        assert_ne!(line(&before), line(&after));
        let comparison = baseline.compare(&after);
        assert!(comparison.new.is_empty(), "{:?}", comparison.new);
        assert!(comparison.fixed.is_empty());
        assert_eq!(comparison.known, after.len());
        assert!(!comparison.fails());

        // A second broken page is new; the first one's problems stay known.
        let broken = PAGE
            .replace("thing.md", "widget.md")
            .replace("[thing]", "[widget]");
        let after = diagnostics(&[("api/thing-get.md", PAGE), ("api/widget-get.md", &broken)]);
        let comparison = baseline.compare(&after);
        assert!(!comparison.new.is_empty());
        assert!(comparison.new.iter().all(|d| d.file == "api/widget-get.md"));
        assert!(comparison.fails());
    }

    #[test]
    fn fixed_problems_are_listed_and_counts_matter() {
        let before = diagnostics(&[("api/thing-get.md", PAGE)]);
        let baseline = Baseline::record(&before);
        let comparison = baseline.compare(&[]);
        assert!(comparison.new.is_empty());
        assert_eq!(comparison.fixed, baseline.diagnostics);
        assert!(!comparison.fails());

        // The same problem twice where the baseline knows it once: one is new.
        let twice: Vec<Diagnostic> = before.iter().chain(&before).cloned().collect();
        let comparison = baseline.compare(&twice);
        assert_eq!(comparison.new.len(), before.len());
        assert_eq!(Baseline::record(&twice).diagnostics[0].count, 2);
    }

    #[test]
    fn a_baseline_survives_its_file() {
        let baseline = Baseline::record(&diagnostics(&[("api/thing-get.md", PAGE)]));
        let dir = std::env::temp_dir().join(format!("xtask-baseline-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a folder");
        let file = dir.join("baseline.json");
        baseline.save(&file).expect("saves");
        assert_eq!(Baseline::load(&file).expect("loads"), baseline);
        std::fs::write(&file, "{\"format\": 9, \"diagnostics\": []}").expect("writes");
        assert!(Baseline::load(&file).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
