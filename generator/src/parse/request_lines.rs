//! Request lines: the `HTTP request` section's code blocks, read line by
//! line, or, failing that, http blocks under other headings.

use crate::base::Loc;
use crate::base::diagnostics::{Code, Diagnostics};
use crate::base::source::Span;

use super::page::*;
use super::{http, loc_at};

pub(super) fn read_request_lines(page: &Page, diags: &mut Diagnostics<'_>) -> Vec<RequestLine> {
    let mut lines = Vec::new();
    let http_sections: Vec<&Section> = page.sections_of(SectionKind::HttpRequest).collect();
    if http_sections.is_empty() && page.doc_type() == Some(&DocType::Api) {
        // Some pages give their request lines under descriptive headings
        // (`## Get the tenant's root site`). Read those, and say so.
        let mut found = Vec::new();
        for section in page.all_sections().filter(|s| s.kind == SectionKind::Other) {
            for code in section
                .code_blocks()
                .filter(|c| c.lang == "http" && c.annotation.is_none())
            {
                let mut sink = Diagnostics::new(&page.file, diags.map());
                let mut lines = Vec::new();
                read_code_block_lines(code, &mut sink, &mut lines);
                if !lines.is_empty() && sink.finish().is_empty() {
                    found.push((section, lines));
                }
            }
        }
        if let Some((first, _)) = found.first() {
            diags.push(
                Code::RequestLinesOutsideSection,
                first.at.read,
                format!("request lines are under `{}`, not under an `HTTP request` section", first.heading),
                "put the request lines under a `## HTTP request` heading; they were read from where they are",
            );
            return found.into_iter().flat_map(|(_, lines)| lines).collect();
        }
        let span = page.sections.first().map_or(Span::default(), |s| s.at.read);
        let help = if page.sections_of(SectionKind::Properties).next().is_some() {
            "the page has a `Properties` section: if it describes a type, set `doc_type: resourcePageType`"
        } else {
            "add a `## HTTP request` section with a ```http block such as `GET /users/{id}`"
        };
        diags.push(
            Code::HttpSectionMissing,
            span,
            "api page has no `HTTP request` section",
            help,
        );
    }
    for section in http_sections {
        // Sub-sections (`### For a specific user`) belong to the HTTP request section too,
        // unless they are themselves another kind of section.
        for part in section
            .walk()
            .filter(|s| s.kind == SectionKind::HttpRequest || s.kind == SectionKind::Other)
        {
            for code in part.code_blocks() {
                read_code_block_lines(code, diags, &mut lines);
            }
        }
    }
    lines
}

fn read_code_block_lines(
    code: &CodeBlock,
    diags: &mut Diagnostics<'_>,
    lines: &mut Vec<RequestLine>,
) {
    if code.text.trim().is_empty() {
        diags.push(
            Code::HttpBlockEmpty,
            code.at.read,
            "code block in the `HTTP request` section has no request line",
            "write the request line, e.g. `PATCH /deviceManagement/deviceManagementScripts/{deviceManagementScriptId}/userRunStates/{deviceManagementScriptUserStateId}`",
        );
        return;
    }
    // Consecutive lines that are not request lines (headers and a pasted body,
    // say) are reported once, as a run.
    let mut run: Option<InvalidRun> = None;
    for (index, raw) in code.text.split_inclusive('\n').enumerate() {
        // The page offset of the line's first non-blank byte: one lookup per
        // line, so a block of many lines reads in linear time.
        let indent = raw.len() - raw.trim_start().len();
        let start = code
            .line_offsets
            .get(index)
            .map_or(code.at.read.start, |line_start| line_start + indent);
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        let at = loc_at(diags, start, line.len());
        match http::parse_request_line(line) {
            Ok(parts) => {
                flush_run(&mut run, diags);
                if !parts.irregular.is_empty() {
                    diags.push(
                        Code::RequestLineIrregular,
                        at.read,
                        format!(
                            "request line `{line}` is irregular: {}",
                            parts.irregular.join(", ")
                        ),
                        format!("write it as `{} {}`", parts.method.as_str(), parts.path),
                    );
                }
                lines.push(RequestLine {
                    at,
                    method: parts.method,
                    path: parts.path,
                    query: parts.query,
                });
            }
            Err(http::LineProblem::NoPath(method)) => {
                flush_run(&mut run, diags);
                diags.push(
                    Code::RequestLineNoPath,
                    at.read,
                    format!("request line `{line}` has no path"),
                    format!(
                        "write the resource path after the method, e.g. `{} /users/{{id}}`",
                        method.as_str()
                    ),
                );
            }
            Err(problem) => match run.as_mut() {
                Some(run) => run.count += 1,
                None => {
                    run = Some(InvalidRun {
                        at,
                        first: line.to_owned(),
                        count: 1,
                        header: problem == http::LineProblem::Header,
                    })
                }
            },
        }
    }
    flush_run(&mut run, diags);
}

/// Consecutive lines of an `HTTP request` block that are not request lines
/// (headers, a pasted body), reported once.
struct InvalidRun {
    /// Where the first one is.
    at: Loc,
    /// The first one's text.
    first: String,
    /// How many there are.
    count: usize,
    /// Whether the first looks like a header.
    header: bool,
}

fn flush_run(run: &mut Option<InvalidRun>, diags: &mut Diagnostics<'_>) {
    let Some(InvalidRun {
        at,
        first,
        count,
        header,
    }) = run.take()
    else {
        return;
    };
    let what = if header { "header line" } else { "line" };
    let message = if count == 1 {
        format!("{what} `{first}` in the `HTTP request` block is not a request line")
    } else {
        format!("{count} lines from `{first}` on in the `HTTP request` block are not request lines")
    };
    let help = if header {
        "move headers to the `Request headers` table and bodies to the examples; the lines were ignored"
    } else {
        "request lines read `METHOD /path`; move prose and code out of the block; the lines were ignored"
    };
    diags.push(Code::RequestLineInvalid, at.read, message, help);
}
