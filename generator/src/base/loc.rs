//! Where a model node or a diagnostic sits in a page.

use crate::base::source::{Position, SourceMap, Span};

/// A place in a page: line and column for people, byte span for renderers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Loc {
    /// 1-based line and column.
    pub pos: Position,
    /// Byte range in the page text.
    pub span: Span,
    /// Byte range in the text being read, which differs from `span` once
    /// includes are spliced in; diagnostics raised while reading use it.
    pub read: Span,
}

impl Loc {
    /// The start of the page, for things that have no better place.
    pub fn start() -> Loc {
        Loc {
            pos: Position { line: 1, column: 1 },
            span: Span::default(),
            read: Span::default(),
        }
    }

    /// The place of `span` of the text being read, in page coordinates
    /// (text spliced in from an include is placed at its directive).
    pub fn at(map: &SourceMap<'_>, span: Span) -> Loc {
        Loc {
            pos: map.position(span.start),
            span: map.page_span(span),
            read: span,
        }
    }

    /// The 1-based line.
    pub fn line(&self) -> u32 {
        self.pos.line
    }
}
