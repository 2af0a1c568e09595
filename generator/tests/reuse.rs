//! Reuse never changes the output. Docs are edited step by step, the way
//! people edit them (a sentence added, a table row added or dropped, lines
//! inserted above everything, a page deleted or added, an example value
//! changed), and after each step a run that reuses the last run's cache and
//! output is compared with a run that reuses nothing: files and
//! diagnostics, byte for byte. Run on `docs-input/` and on a slice of the
//! v1.0 corpus, where pages feed each other's types.

use crate::support;

use generator::emit::{EmitOptions, Emitted};
use generator::reuse::Cache;
use generator::{Includes, Reuse, RunStats, SourcePage, generate_reusing};

/// A small deterministic generator of choices (xorshift).
struct Dice(u64);

impl Dice {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n.max(1) as u64) as usize
    }
}

/// One edit to `pages`, described.
fn edit(pages: &mut Vec<(String, String)>, dice: &mut Dice) -> String {
    let page = dice.below(pages.len());
    let kind = dice.below(7);
    if kind == 5 && pages.len() > 2 {
        let gone = pages.remove(page);
        return format!("{} deleted", gone.0);
    }
    if kind >= 5 {
        let (path, text) = &pages[page];
        let copy = format!("{}-copy.md", path.trim_end_matches(".md"));
        let text = text.replace("title: ", "title: Copy of ");
        pages.push((copy.clone(), text));
        pages.sort();
        return format!("{copy} added");
    }
    let (path, text) = &mut pages[page];
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let at = dice.below(lines.len());
    let what = match kind {
        0 => {
            lines[at].push_str(" Edited.");
            "a sentence added to a line"
        }
        1 => {
            // A table row repeated under a new name: a new property or
            // parameter where the line is a table row.
            let row = lines
                .iter()
                .position(|l| l.starts_with('|') && !l.contains("---"));
            match row {
                Some(row) => {
                    let new = lines[row].replacen('|', "|extraField", 1);
                    lines.insert(row + 1, new);
                    "a table row added"
                }
                None => {
                    lines.insert(at, String::new());
                    "a blank line added"
                }
            }
        }
        2 => {
            lines.remove(at);
            "a line removed"
        }
        3 => {
            let end = lines
                .iter()
                .skip(1)
                .position(|l| l == "---")
                .map_or(0, |i| i + 2);
            lines.insert(end, "Some words above everything else.".to_owned());
            lines.insert(end, String::new());
            "lines inserted at the top"
        }
        _ => {
            // Strings in examples change.
            for line in &mut lines {
                if line.contains("\": \"") {
                    *line = line.replacen("\": \"", "\": \"changed ", 1);
                    break;
                }
            }
            "an example value changed"
        }
    };
    let mut new = lines.join("\n");
    new.push('\n');
    *text = new;
    format!("{path}: {what}")
}

fn run(
    pages: &[(String, String)],
    existing: &Emitted,
    cache: &Cache,
) -> (generator::Generated, Cache, RunStats) {
    let sources: Vec<SourcePage<'_>> = pages
        .iter()
        .map(|(path, text)| SourcePage { path, text })
        .collect();
    let reuse = Reuse::new(existing, cache);
    generate_reusing(&sources, &Includes::new(), &EmitOptions::default(), reuse)
}

/// Edits `pages` `steps` times with `edit`; after each edit, a run reusing
/// the last one must equal a run from nothing.
fn edits_change_nothing_but_the_work(
    mut pages: Vec<(String, String)>,
    steps: usize,
    mut edit: impl FnMut(&mut Vec<(String, String)>, usize) -> String,
) {
    let build = [3; 32];
    let none = Emitted::new();
    let (first, mut cache, _) = run(&pages, &none, &Cache::empty(build));
    let mut files = first.files;
    let mut reused = 0;
    let mut surfaces = 0;
    for step in 0..steps {
        let what = edit(&mut pages, step);
        let (warm, next, stats) = run(&pages, &files, &cache);
        let (fresh, _, _) = run(&pages, &none, &Cache::empty(build));
        let differing: Vec<&String> = fresh
            .files
            .iter()
            .filter(|(path, text)| warm.files.get(*path) != Some(text))
            .map(|(path, _)| path)
            .chain(warm.files.keys().filter(|p| !fresh.files.contains_key(*p)))
            .collect();
        assert!(
            differing.is_empty(),
            "step {step} ({what}): reuse changed {differing:?}"
        );
        assert!(
            warm.diagnostics == fresh.diagnostics,
            "step {step} ({what}): reuse changed the diagnostics"
        );
        assert!(
            stats.pages.read <= 2,
            "step {step} ({what}): {} pages read again",
            stats.pages.read
        );
        reused += stats.format.reused;
        surfaces += usize::from(stats.surface_reused);
        files = warm.files;
        cache = next;
    }
    assert!(reused > steps, "reuse was hardly exercised: {reused} files");
    assert!(surfaces > 0, "the API surface record was never reused");
}

/// A file of the API surface record changed in the output folder since
/// the last run is not taken as it is: the record is made again, the same
/// as from nothing.
#[test]
fn a_surface_record_file_changed_by_hand_is_made_again() {
    let pages = support::read_md_tree(&support::workspace().join("docs-input"));
    let none = Emitted::new();
    let (first, cache, _) = run(&pages, &none, &Cache::empty([4; 32]));
    let (again, _, stats) = run(&pages, &first.files, &cache);
    assert!(stats.surface_reused, "an unchanged record is reused");
    assert_eq!(again.files, first.files);
    let mut edited = first.files.clone();
    let (path, text) = edited
        .iter_mut()
        .find(|(path, _)| path.starts_with("api-surface/endpoints/"))
        .expect("a record file of endpoints");
    text.push_str("{}\n");
    let path = path.clone();
    let (remade, _, stats) = run(&pages, &edited, &cache);
    assert!(!stats.surface_reused, "{path} changed by hand, yet reused");
    assert_eq!(
        remade.files[&path], first.files[&path],
        "{path} is made again"
    );
    assert_eq!(remade.files, first.files);
}

#[test]
fn random_edits_to_the_docs_input_pages() {
    let pages = support::read_md_tree(&support::workspace().join("docs-input"));
    let mut dice = Dice(0x9e37_79b9_7f4a_7c15);
    edits_change_nothing_but_the_work(pages, 40, |pages, _| edit(pages, &mut dice));
}

/// Every page of `docs-input/` has the text of its first table row and of
/// its description edited, one page at a time: whatever reads an item's
/// text (a derived type's file reads its bases' properties) is made again.
#[test]
fn the_text_of_every_docs_input_page_edited_in_turn() {
    let pages = support::read_md_tree(&support::workspace().join("docs-input"));
    let count = pages.len();
    edits_change_nothing_but_the_work(pages, count, |pages, step| {
        let (path, text) = &mut pages[step];
        let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
        let row = lines
            .iter()
            .position(|l| l.starts_with('|') && l.ends_with('|') && !l.contains("---"))
            .map(|i| i + 2)
            .filter(|&i| i < lines.len() && lines[i].starts_with('|'));
        if let Some(row) = row {
            let cell = lines[row].trim_end_matches('|').to_owned();
            lines[row] = format!("{cell} Edited.|");
        }
        for line in &mut lines {
            if let Some(rest) = line.strip_prefix("description: ") {
                *line = format!("description: Edited. {rest}");
                break;
            }
        }
        *text = lines.join("\n") + "\n";
        format!("{path}: its first table row and description edited")
    });
}

#[test]
fn edits_to_a_slice_of_the_corpus() {
    let Some(dir) = support::shared("corpus/graph-docs-v1.0") else {
        return;
    };
    // Users, groups and their neighbours: pages that feed each other's types.
    let pages: Vec<(String, String)> = support::read_md_tree(&dir)
        .into_iter()
        .filter(|(path, _)| {
            ["user", "group", "directoryobject", "identityset", "entity"]
                .iter()
                .any(|k| path.contains(k))
        })
        .collect();
    assert!(pages.len() > 100, "{} pages", pages.len());
    let mut dice = Dice(0x2545_f491_4f6c_dd1d);
    edits_change_nothing_but_the_work(pages, 12, |pages, _| edit(pages, &mut dice));
}
