//! Placing and applying the [`Fix`]es diagnostics carry on a file's text.
//! No IO: the caller reads the file, applies, checks and writes.

use std::ops::Range;

use crate::base::diagnostics::{Diagnostic, Edit, Fix};

/// An edit placed on a file's text: the bytes to replace and the
/// replacement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placed {
    /// The bytes replaced.
    pub range: Range<usize>,
    /// What they become.
    pub replace: String,
}

/// The edits of `fix` placed on `text`, in the text's order, or `None` when
/// one cannot be placed: its `find` is not in its span exactly once (as a
/// whole word, where it starts or ends with a word character), or the text
/// changed since the diagnostic was made.
///
/// The same edit given `n` times (a misspelt key in each item of a list)
/// must find its text exactly `n` times, and replaces each.
pub fn place(text: &str, fix: &Fix) -> Option<Vec<Placed>> {
    let mut times: Vec<(&Edit, usize)> = Vec::new();
    for edit in &fix.edits {
        match times.iter_mut().find(|(e, _)| *e == edit) {
            Some((_, n)) => *n += 1,
            None => times.push((edit, 1)),
        }
    }
    let mut out = Vec::new();
    for (edit, n) in times {
        out.extend(place_edit(text, edit, n)?);
    }
    out.sort_by_key(|p| p.range.start);
    Some(out)
}

fn place_edit(text: &str, edit: &Edit, times: usize) -> Option<Vec<Placed>> {
    if edit.find.is_empty() {
        return None;
    }
    let span = text.get(edit.span.start..edit.span.end.min(text.len()))?;
    let found: Vec<Placed> = span
        .match_indices(edit.find.as_str())
        .map(|(at, _)| edit.span.start + at)
        .filter(|&at| whole_word(text, at, at + edit.find.len()))
        .map(|at| Placed {
            range: at..at + edit.find.len(),
            replace: edit.replace.clone(),
        })
        .collect();
    (found.len() == times).then_some(found)
}

/// Whether `text[start..end]` does not continue a word on either side
/// (checked only on a side that is itself a word character).
fn whole_word(text: &str, start: usize, end: usize) -> bool {
    let word = |c: char| c.is_alphanumeric() || c == '_';
    let inner = &text[start..end];
    let before_ok = !inner.starts_with(word) || !text[..start].ends_with(word);
    let after_ok = !inner.ends_with(word) || !text[end..].starts_with(word);
    before_ok && after_ok
}

/// What applying fixes to one file did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// The file's text with the fixes applied.
    pub text: String,
    /// The indexes (into the diagnostics given) of the fixes applied.
    pub applied: Vec<usize>,
    /// The indexes of the fixes that could not be placed or overlapped
    /// one applied before them.
    pub refused: Vec<usize>,
}

/// Applies the fixes of `diagnostics` (all of one file) to `text`, in
/// order: a fix is applied whole or not at all, and never where it would
/// overlap an edit already taken.
pub fn apply(text: &str, diagnostics: &[&Diagnostic]) -> Applied {
    let mut taken: Vec<Placed> = Vec::new();
    let (mut applied, mut refused) = (Vec::new(), Vec::new());
    for (i, d) in diagnostics.iter().enumerate() {
        let Some(fix) = &d.fix else { continue };
        match place(text, fix) {
            Some(edits) if !edits.iter().any(|e| overlaps(e, &taken)) && !self_overlap(&edits) => {
                taken.extend(edits);
                applied.push(i);
            }
            _ => refused.push(i),
        }
    }
    taken.sort_by_key(|e| e.range.start);
    let mut out = String::with_capacity(text.len());
    let mut cursor = 0;
    for edit in &taken {
        out.push_str(&text[cursor..edit.range.start]);
        out.push_str(&edit.replace);
        cursor = edit.range.end;
    }
    out.push_str(&text[cursor..]);
    Applied {
        text: out,
        applied,
        refused,
    }
}

fn overlaps(edit: &Placed, taken: &[Placed]) -> bool {
    taken
        .iter()
        .any(|t| edit.range.start < t.range.end && t.range.start < edit.range.end)
}

fn self_overlap(edits: &[Placed]) -> bool {
    edits
        .iter()
        .enumerate()
        .any(|(i, e)| overlaps(e, &edits[i + 1..]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::diagnostics::Code;
    use crate::base::source::Span;

    fn diag(fix: Fix) -> Diagnostic {
        Diagnostic {
            code: Code::ExampleStatusLine,
            file: "a.md".into(),
            line: 1,
            column: 1,
            span: Span::default(),
            message: String::new(),
            help: String::new(),
            related: Vec::new(),
            fix: Some(fix),
        }
    }

    #[test]
    fn an_edit_is_placed_on_its_one_whole_occurrence() {
        let text = "| name | Strng | Strings |";
        let fix = Fix::one("x", Span::new(0, text.len()), "Strng", "String");
        let placed = place(text, &fix).expect("placed");
        assert_eq!(placed[0].range, 9..14);
        // `String` inside `Strings` is no whole occurrence.
        let fix = Fix::one("x", Span::new(0, text.len()), "String", "Text");
        assert_eq!(place(text, &fix), None);
    }

    #[test]
    fn an_edit_found_twice_or_outside_its_span_is_refused() {
        let text = "\"a\": 1, \"a\": 2";
        assert_eq!(
            place(text, &Fix::one("x", Span::new(0, 14), "\"a\"", "\"b\"")),
            None
        );
        assert!(place(text, &Fix::one("x", Span::new(0, 6), "\"a\"", "\"b\"")).is_some());
        assert_eq!(
            place(text, &Fix::one("x", Span::new(8, 99), "\"z\"", "\"b\"")),
            None
        );
    }

    #[test]
    fn fixes_apply_in_order_and_overlapping_ones_are_refused() {
        let text = "HTTP 1.1 200 OK\n## HTTP Requst\n";
        let a = diag(Fix::one(
            "a",
            Span::new(0, 15),
            "HTTP 1.1 200 OK",
            "HTTP/1.1 200 OK",
        ));
        let b = diag(Fix::one(
            "b",
            Span::new(16, 30),
            "HTTP Requst",
            "HTTP request",
        ));
        let c = diag(Fix::one("c", Span::new(0, 15), "1.1", "2"));
        let out = apply(text, &[&a, &b, &c]);
        assert_eq!(out.text, "HTTP/1.1 200 OK\n## HTTP request\n");
        assert_eq!(out.applied, vec![0, 1]);
        assert_eq!(out.refused, vec![2]);
    }
}
