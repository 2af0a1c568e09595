//! Example values that are placeholders, not data: the reader flags them
//! in examples and the example checks skip them.

/// Example values that are really type names: a template that was never filled in.
pub const PLACEHOLDER_VALUES: &[&str] = &[
    "String",
    "Int32",
    "Int64",
    "Int16",
    "Boolean",
    "DateTimeOffset",
    "Guid",
    "Double",
    "Single",
    "Decimal",
    "Byte",
    "Binary",
    "Date",
    "Duration",
    "TimeOfDay",
    "String(identifier)",
    "Stream",
];
