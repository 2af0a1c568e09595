//! Reads all 3,341 pages of the public Graph v1.0 docs without a panic and
//! checks floors on what was found, so a regression in reading shows up as a
//! failing count. The corpus lives in `../shared` and is never copied here.

use crate::support;

use std::collections::BTreeMap;

use generator::parse::{Block, ExampleBody, ExampleMessage};
use generator::{SourcePage, parse_pages};

#[derive(Debug, Default)]
struct Counts {
    pages: usize,
    request_lines: usize,
    tables: usize,
    table_rows: usize,
    annotations: usize,
    examples: usize,
    json_examples: usize,
    responses_with_status: usize,
}

#[test]
fn whole_corpus_reads_with_floors() {
    let Some(dir) = support::shared("corpus/graph-docs-v1.0") else {
        return;
    };
    let files = support::read_md_tree(&dir);
    let sources: Vec<SourcePage<'_>> = files
        .iter()
        .map(|(p, t)| SourcePage { path: p, text: t })
        .collect();
    let (pages, diagnostics) = parse_pages(&sources, &generator::Includes::new());

    let mut c = Counts {
        pages: pages.len(),
        ..Counts::default()
    };
    for page in &pages {
        c.request_lines += page.request_lines.len();
        c.examples += page.examples.len();
        for example in &page.examples {
            match &example.message {
                ExampleMessage::Request(r) if matches!(r.body, ExampleBody::Json(_)) => {
                    c.json_examples += 1
                }
                ExampleMessage::Response(r) => {
                    c.json_examples += usize::from(matches!(r.body, ExampleBody::Json(_)));
                    c.responses_with_status += usize::from(r.status.is_some());
                }
                _ => {}
            }
        }
        for section in page.all_sections() {
            for block in &section.blocks {
                match block {
                    Block::Table(t) => {
                        c.tables += 1;
                        c.table_rows += t.rows.len();
                    }
                    Block::Code(code) if code.annotation.is_some() => c.annotations += 1,
                    Block::Annotation(_) => c.annotations += 1,
                    _ => {}
                }
            }
        }
    }
    let mut by_code = BTreeMap::new();
    for d in &diagnostics {
        *by_code.entry(d.code.as_str()).or_insert(0usize) += 1;
    }
    eprintln!("{c:#?}\ndiagnostics by code: {by_code:#?}");

    assert_eq!(c.pages, 3341, "the corpus should hold 3,341 pages");
    // Floors sit just under what the reader finds today (see the closing note
    // of issue 2); raise them when reading improves.
    assert!(
        c.request_lines >= 3_700,
        "request lines: {}",
        c.request_lines
    );
    assert!(c.tables >= 7_000, "tables: {}", c.tables);
    assert!(c.table_rows >= 28_000, "table rows: {}", c.table_rows);
    assert!(c.annotations >= 8_250, "annotations: {}", c.annotations);
    assert!(c.examples >= 4_700, "examples: {}", c.examples);
    assert!(
        c.json_examples >= 2_500,
        "examples with a JSON body: {}",
        c.json_examples
    );
    assert!(
        c.responses_with_status >= 2_380,
        "responses with a status: {}",
        c.responses_with_status
    );
    // The 2021 snapshot holds no include files, so every include outside a
    // code tab is missing (141 of them). The 5,426 snippet includes inside
    // other languages' tabs are not reported: a jump here means they are.
    let missing = by_code.get("include-missing").copied().unwrap_or(0);
    assert!((100..=160).contains(&missing), "{missing} missing includes");
    // Diagnostics stay rare: a jump means the reader started misreading pages.
    assert!(
        diagnostics.len() - missing <= 400,
        "{} diagnostics",
        diagnostics.len() - missing
    );
}
