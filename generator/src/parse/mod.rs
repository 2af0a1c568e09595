//! Reading pages: markdown and front matter in, a [`Page`] with source
//! positions out, plus diagnostics. Reading never fails and never panics.

pub mod annotation;
mod checks;
mod examples;
pub mod front_matter;
pub mod http;
pub mod include;
pub mod markdown;
pub mod page;
mod request_lines;
pub mod sections;

pub use include::{IncludeFile, Includes, find_includes, include_body, resolve_target};
pub use page::*;

use crate::base::Loc;
use crate::base::diagnostics::{Diagnostic, Diagnostics};
use crate::base::source::{SourceMap, Span};

/// Reads one page that includes nothing: every `[!INCLUDE]` directive is
/// reported as missing. `file` is the path used in diagnostics.
pub fn parse_page(file: &str, text: &str) -> (Page, Vec<Diagnostic>) {
    parse_page_with(file, text, &Includes::new())
}

/// Reads one page, splicing in its includes from `includes` first.
pub fn parse_page_with(file: &str, text: &str, includes: &Includes) -> (Page, Vec<Diagnostic>) {
    let spliced = include::splice(file, text, includes);
    let (read, pieces, problems) = match spliced {
        Some(s) => (std::borrow::Cow::Owned(s.text), s.pieces, s.problems),
        None => (std::borrow::Cow::Borrowed(text), Vec::new(), Vec::new()),
    };
    let map = if pieces.is_empty() {
        SourceMap::new(text)
    } else {
        SourceMap::spliced(&read, text, pieces)
    };
    let text: &str = &read;
    let mut diags = Diagnostics::new(file, &map);
    for (span, problem) in problems {
        checks::report_include(&mut diags, span, problem);
    }
    let split = front_matter::parse_front_matter(text, &mut diags);
    let blocks = markdown::parse_blocks(&text[split.body_start..], split.body_start, &mut diags);
    let sections = sections::build_sections(blocks, &mut diags);
    let mut page = Page {
        file: file.to_owned(),
        front_matter: split.front_matter,
        sections,
        request_lines: Vec::new(),
        examples: Vec::new(),
    };
    page.request_lines = request_lines::read_request_lines(&page, &mut diags);
    page.examples = examples::read_examples(&page, &mut diags);
    checks::check_permissions(&page, &mut diags);
    checks::check_todo_cells(&page, &mut diags);
    (page, diags.finish())
}

fn loc_at(diags: &Diagnostics<'_>, offset: usize, len: usize) -> Loc {
    Loc::at(diags.map(), Span::new(offset, offset + len))
}

/// The page offset of byte `offset` of a code block's content.
fn code_offset(code: &CodeBlock, offset: usize) -> usize {
    let line = code.text[..offset.min(code.text.len())]
        .matches('\n')
        .count();
    let line_start = code.text[..offset.min(code.text.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    code.line_offsets
        .get(line)
        .map_or(code.at.read.start, |start| start + (offset - line_start))
}
