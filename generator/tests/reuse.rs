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
    let mut recorded = 0;
    let mut surfaces = 0;
    for step in 0..steps {
        let what = edit(&mut pages, step);
        let (warm, next, stats) = run(&pages, &files, &cache);
        let (fresh, _, _) = run(&pages, &none, &Cache::empty(build));
        // As after a fresh clone: no cache, the last run's crate with its
        // regen record in the output folder.
        let (clone, _, clone_stats) = run(&pages, &files, &Cache::empty(build));
        for (how, run) in [("reuse", &warm), ("the regen record", &clone)] {
            let differing: Vec<&String> = fresh
                .files
                .iter()
                .filter(|(path, text)| run.files.get(*path) != Some(text))
                .map(|(path, _)| path)
                .chain(run.files.keys().filter(|p| !fresh.files.contains_key(*p)))
                .collect();
            assert!(
                differing.is_empty(),
                "step {step} ({what}): {how} changed {differing:?}"
            );
            assert!(
                run.diagnostics == fresh.diagnostics,
                "step {step} ({what}): {how} changed the diagnostics"
            );
        }
        recorded += clone_stats.format.reused;
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
    assert!(
        recorded > steps,
        "the regen record was hardly used: {recorded} files"
    );
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

/// Without a cache, the regen record in the output folder is what the
/// files are reused by: every Rust file, when nothing changed. A record
/// that another generator made, cut short or missing reuses nothing; one
/// whose entry for a file is wrong reuses every other file. The output is
/// the same each time, its record included.
#[test]
fn a_fresh_clone_reuses_the_files_its_regen_record_vouches_for() {
    use generator::reuse::record::{CRATE, DIR, FINGERPRINT};
    let pages = support::read_md_tree(&support::workspace().join("docs-input"));
    let none = Emitted::new();
    let (first, _, _) = run(&pages, &none, &Cache::empty([5; 32]));
    let record: Vec<(&String, &String)> = first
        .files
        .iter()
        .filter(|(path, _)| path.starts_with(DIR))
        .collect();
    assert!(record.len() >= 4, "{record:?}");
    assert!(first.files[CRATE].contains(&format!("generator {FINGERPRINT}\n")));
    // The Rust files made from drafts (the runtime's copied sources are
    // not).
    let rust = record
        .iter()
        .flat_map(|(_, text)| text.lines())
        .filter(|l| l.starts_with("file "))
        .count();
    assert!(rust > 40, "{record:?}");
    let (clone, _, stats) = run(&pages, &first.files, &Cache::empty([6; 32]));
    assert_eq!(clone.files, first.files);
    assert!(stats.made.is_empty(), "made again: {:?}", stats.made);
    assert_eq!(stats.format.reused, rust);
    assert!(stats.surface_reused, "the API surface record is reused");
    assert!(stats.by_record);

    let edited = |path: &str, edit: &dyn Fn(&str) -> String| {
        let mut files = first.files.clone();
        let text = edit(&files[path]);
        files.insert(path.to_owned(), text);
        files
    };
    let other = edited(CRATE, &|t| t.replace(FINGERPRINT, &"0".repeat(64)));
    let damaged = edited(CRATE, &|t| t.replacen("\nend\n", "\n", 1));
    let mut without = first.files.clone();
    without.retain(|path, _| !path.starts_with(DIR));
    for (what, existing) in [
        ("another generator's", other),
        ("cut short", damaged),
        ("none", without),
    ] {
        let (run, _, stats) = run(&pages, &existing, &Cache::empty([6; 32]));
        assert_eq!(run.files, first.files, "record: {what}");
        assert_eq!(stats.format.reused, 0, "record: {what}");
        assert_eq!(stats.made.len(), rust, "record: {what}");
    }

    // One file's draft hash wrong: that file alone is made again.
    let models = format!("{DIR}/src-models.txt");
    let line = first.files[&models]
        .lines()
        .find(|l| l.starts_with("file "))
        .expect("a line for a model");
    let mut parts: Vec<&str> = line.splitn(4, ' ').collect();
    let path = parts[3].to_owned();
    let wrong = format!("{:016x}", u64::from_str_radix(parts[2], 16).unwrap() ^ 1);
    parts[2] = &wrong;
    let existing = edited(&models, &|t| t.replacen(line, &parts.join(" "), 1));
    let (run, _, stats) = run(&pages, &existing, &Cache::empty([6; 32]));
    assert_eq!(run.files, first.files);
    assert_eq!(stats.made, [path]);
    assert_eq!(stats.format.reused, rust - 1);
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
