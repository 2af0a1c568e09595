//! Rust identifiers from API names: always valid, never colliding silently.

use std::collections::BTreeMap;

/// Strict, reserved and edition-2024 keywords, which need `r#` or a suffix.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "static", "struct", "super", "trait", "true", "try", "type", "typeof",
    "union", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Keywords that cannot be raw identifiers.
const NOT_RAW: &[&str] = &["crate", "self", "super", "Self"];

/// Type names that would shadow the prelude or common `std` names in generated code.
const SHADOWING_TYPES: &[&str] = &[
    "Result", "Option", "String", "Box", "Vec", "Some", "None", "Ok", "Err", "Self", "Send",
    "Sync", "Sized", "Copy", "Clone", "Default", "Drop", "Fn", "Iterator", "From", "Into",
    "ToString", "Error", "Client", "Request", "Page", "Nullable",
];

/// File stems that Windows reserves in every folder, whatever the extension.
const WINDOWS_RESERVED: &[&str] = &[
    "con", "prn", "aux", "nul", "com0", "com1", "com2", "com3", "com4", "com5", "com6", "com7",
    "com8", "com9", "lpt0", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
];

/// Field names the emitter uses itself.
const RESERVED_FIELDS: &[&str] = &["odata_type", "additional_properties"];

/// Replaces anything that is not ASCII alphanumeric with `_`, so that
/// `@odata.type`, hyphens and non-ASCII letters give valid identifiers.
fn ascii_words(api: &str) -> String {
    api.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// Calls `word` with each word of `name` in turn, split as `heck` splits
/// `ascii_words(name)`: at anything not ASCII alphanumeric, before an
/// uppercase letter that follows a lowercase one or a digit after one
/// (`userId` is `user`, `Id`), and before the last of a run of uppercase
/// letters when a lowercase one follows (`XMLHttp` is `XML`, `Http`). The
/// words are never empty. It is heck's rule at a byte a step, without its
/// character-by-character formatting: names are made by the thousand.
fn for_each_word(name: &str, mut word: impl FnMut(&[u8])) {
    /// The case of the last cased letter of the current word.
    #[derive(Clone, Copy, PartialEq)]
    enum Mode {
        Boundary,
        Lower,
        Upper,
    }
    // Bytes, not characters: every byte of a non-ASCII character is not
    // ASCII alphanumeric, and separators in a row fold into one.
    for bytes in name.as_bytes().split(|b| !b.is_ascii_alphanumeric()) {
        let (mut start, mut mode) = (0, Mode::Boundary);
        for (i, &c) in bytes.iter().enumerate() {
            let Some(&next) = bytes.get(i + 1) else {
                word(&bytes[start..]);
                break;
            };
            let next_mode = if c.is_ascii_lowercase() {
                Mode::Lower
            } else if c.is_ascii_uppercase() {
                Mode::Upper
            } else {
                mode
            };
            if next_mode == Mode::Lower && next.is_ascii_uppercase() {
                word(&bytes[start..=i]);
                (start, mode) = (i + 1, Mode::Boundary);
            } else if mode == Mode::Upper && c.is_ascii_uppercase() && next.is_ascii_lowercase() {
                word(&bytes[start..i]);
                (start, mode) = (i, Mode::Boundary);
            } else {
                mode = next_mode;
            }
        }
    }
}

/// `name` in `snake_case`, from its ASCII words (see [`for_each_word`]);
/// empty when it has none.
fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for_each_word(name, |word| {
        if !out.is_empty() {
            out.push('_');
        }
        out.extend(word.iter().map(|b| char::from(b.to_ascii_lowercase())));
    });
    out
}

/// `name` in `UpperCamelCase`, from its ASCII words (see
/// [`for_each_word`]); empty when it has none.
fn upper_camel_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for_each_word(name, |word| {
        let (first, rest) = word.split_at(1);
        out.push(char::from(first[0].to_ascii_uppercase()));
        out.extend(rest.iter().map(|b| char::from(b.to_ascii_lowercase())));
    });
    out
}

/// A `snake_case` identifier for a field, method or parameter.
pub fn snake_ident(api: &str) -> String {
    valid_ident(&snake_case(api))
}

/// `name` made a valid identifier by the one rule every generated name
/// follows: other characters become `_`, an empty name is `value`, a
/// leading digit gets an `n` (`3d` is `n3d`), a keyword becomes raw
/// (`r#type`) or, where it cannot be raw, takes a `_` (`self_`).
pub fn valid_ident(name: &str) -> String {
    let mut name = ascii_words(name);
    if name.is_empty() {
        name = "value".to_owned();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name = format!("n{name}");
    }
    if NOT_RAW.contains(&name.as_str()) {
        name.push('_');
    } else if KEYWORDS.contains(&name.as_str()) {
        name = format!("r#{name}");
    }
    name
}

/// A `snake_case` identifier for a struct field, avoiding the emitter's own fields.
pub fn field_ident(api: &str) -> String {
    let name = snake_ident(api);
    if RESERVED_FIELDS.contains(&name.as_str()) && api != "@odata.type" {
        format!("{name}_property")
    } else {
        name
    }
}

/// The name of a module and, unchanged, of its file: `mod type_;` lives in
/// `type_.rs`. It is made only of `[a-z0-9_]`, starts with a letter, and is
/// never a keyword (no raw form: `r#type.rs` is no file name) nor a file
/// stem that Windows reserves (`con`, `aux`, `nul`). Names that differ only
/// in case map to the same module name, so a [`Scope`] must hand them out.
pub fn module_name(name: &str) -> String {
    let mut module = snake_case(name.trim_start_matches("r#"));
    if module.is_empty() {
        module = "value".to_owned();
    }
    if module.starts_with(|c: char| c.is_ascii_digit()) {
        module = format!("n{module}");
    }
    if KEYWORDS.contains(&module.as_str())
        || NOT_RAW.contains(&module.as_str())
        || WINDOWS_RESERVED.contains(&module.as_str())
    {
        module.push('_');
    }
    module
}

/// An `UpperCamelCase` identifier for a type.
pub fn type_ident(api: &str) -> String {
    let mut name = upper_camel(api);
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name = format!("T{name}");
    }
    if SHADOWING_TYPES.contains(&name.as_str()) {
        name.push_str("Type");
    }
    name
}

/// An `UpperCamelCase` identifier for an enum variant.
pub fn variant_ident(api: &str) -> String {
    let mut name = upper_camel(api);
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name = format!("V{name}");
    }
    if name == "Self" {
        name = "SelfValue".to_owned();
    }
    name
}

fn upper_camel(api: &str) -> String {
    let name = upper_camel_case(api);
    if name.is_empty() {
        "Value".to_owned()
    } else {
        name
    }
}

/// Hands out identifiers within one scope, renaming later ones that collide
/// (`displayName` and `DisplayName` both want `display_name`).
#[derive(Debug, Default)]
pub struct Scope {
    taken: BTreeMap<String, String>,
}

impl Scope {
    /// A scope in which `reserved` identifiers are already taken.
    pub fn with_reserved(reserved: &[&str]) -> Self {
        let mut scope = Self::default();
        for r in reserved {
            scope.taken.insert((*r).to_owned(), String::new());
        }
        scope
    }

    /// Whether `name` is already taken in this scope.
    pub fn is_taken(&self, name: &str) -> bool {
        self.taken.contains_key(name.trim_start_matches("r#"))
    }

    /// Claims `wanted` for `api`. On a collision, returns a suffixed identifier
    /// and the API name that held it first.
    pub fn claim(&mut self, api: &str, wanted: String) -> (String, Option<String>) {
        let key = |s: &str| s.trim_start_matches("r#").to_owned();
        let holder = match self.taken.entry(key(&wanted)) {
            std::collections::btree_map::Entry::Vacant(slot) => {
                slot.insert(api.to_owned());
                return (wanted, None);
            }
            std::collections::btree_map::Entry::Occupied(held) => held.get().clone(),
        };
        let base = key(&wanted);
        let sep = if base.chars().next().is_some_and(char::is_uppercase) {
            ""
        } else {
            "_"
        };
        let mut n = 2;
        loop {
            let candidate = format!("{base}{sep}{n}");
            if !self.taken.contains_key(&candidate) {
                self.taken.insert(candidate.clone(), api.to_owned());
                return (candidate, Some(holder));
            }
            n += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every string of up to six characters drawn from letters of both
    /// cases, a digit, separators and a non-ASCII letter, and names as
    /// Graph writes them: the words are heck's, in both cases.
    #[test]
    fn words_are_split_as_heck_splits_them() {
        use heck::{ToSnakeCase, ToUpperCamelCase};
        let alphabet = ['a', 'B', 'c', 'D', '1', '_', '.', 'é'];
        let mut names: Vec<String> = vec![
            "XMLHttpRequest".into(),
            "@odata.nextLink".into(),
            "userPrincipalName".into(),
            "onPremisesSIDs".into(),
            "iOSDeviceFeatures".into(),
            "windows10XVpnConfiguration".into(),
            "ABC123def456GHI".into(),
            "Σ-Δ straße".into(),
        ];
        let mut frontier = vec![String::new()];
        for _ in 0..6 {
            frontier = frontier
                .iter()
                .flat_map(|s| alphabet.iter().map(move |c| format!("{s}{c}")))
                .collect();
            names.extend(frontier.iter().cloned());
        }
        for name in &names {
            let ascii = ascii_words(name);
            assert_eq!(
                snake_case(name),
                ascii.to_snake_case(),
                "snake case of {name:?}"
            );
            assert_eq!(
                upper_camel_case(name),
                ascii.to_upper_camel_case(),
                "upper camel case of {name:?}"
            );
        }
    }

    #[test]
    fn identifiers_are_always_valid() {
        assert_eq!(snake_ident("userRunStates"), "user_run_states");
        assert_eq!(snake_ident("type"), "r#type");
        assert_eq!(snake_ident("ref"), "r#ref");
        assert_eq!(snake_ident("async"), "r#async");
        assert_eq!(snake_ident("self"), "self_");
        assert_eq!(snake_ident("crate"), "crate_");
        assert_eq!(snake_ident("super"), "super_");
        assert_eq!(snake_ident("@odata.type"), "odata_type");
        assert_eq!(snake_ident("@odata.nextLink"), "odata_next_link");
        assert_eq!(snake_ident("3dModel"), "n3d_model");
        assert_eq!(snake_ident("item-path"), "item_path");
        assert_eq!(snake_ident("naïve"), "na_ve");
        assert_eq!(snake_ident(""), "value");
        assert_eq!(
            field_ident("additionalProperties"),
            "additional_properties_property"
        );
        assert_eq!(
            type_ident("hardwareConfigurationUserState"),
            "HardwareConfigurationUserState"
        );
        assert_eq!(type_ident("result"), "ResultType");
        assert_eq!(type_ident("string"), "StringType");
        assert_eq!(type_ident("Vec"), "VecType");
        assert_eq!(type_ident("3dPrinter"), "T3dPrinter");
        assert_eq!(variant_ident("unknownFutureValue"), "UnknownFutureValue");
        assert_eq!(variant_ident("24Hours"), "V24hours");
        assert_eq!(variant_ident("Self"), "SelfValue");
    }

    /// Every keyword, reserved name and case variant gives a module name that
    /// is a plain identifier and a portable file stem, and the two agree.
    #[test]
    fn module_names_are_identifiers_and_file_names() {
        let mut names: Vec<String> = Vec::new();
        for word in KEYWORDS.iter().chain(NOT_RAW).chain(WINDOWS_RESERVED) {
            names.push((*word).to_owned());
            names.push(word.to_uppercase());
            names.push(upper_camel(word));
            names.push(format!("r#{word}"));
        }
        names.extend(
            [
                "", "_", "3d", "mod", "lib", "Self", "self_", "..", "../x", "a/b", "C:\\x", "ñ",
            ]
            .map(str::to_owned),
        );
        for name in &names {
            let module = module_name(name);
            let ident: syn::Ident = syn::parse_str(&module)
                .unwrap_or_else(|e| panic!("{name:?} -> {module:?} is no identifier: {e}"));
            assert_eq!(ident.to_string(), module, "{name:?} needs a raw identifier");
            assert!(
                module.starts_with(|c: char| c.is_ascii_lowercase())
                    && module
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
                "{name:?} -> {module:?} is no portable file stem"
            );
            assert!(!WINDOWS_RESERVED.contains(&module.as_str()), "{module}");
        }
        assert_eq!(module_name("type"), "type_");
        assert_eq!(module_name("Type"), "type_");
        assert_eq!(module_name("r#type"), "type_");
        assert_eq!(module_name("CON"), "con_");
        assert_eq!(
            module_name("HardwareConfiguration"),
            "hardware_configuration"
        );
        // Case variants meet at one module name; a scope separates them.
        let mut scope = Scope::default();
        let a = scope.claim("User", module_name("User")).0;
        let b = scope.claim("USER", module_name("USER")).0;
        assert_eq!((a.as_str(), b.as_str()), ("user", "user_2"));
    }

    #[test]
    fn collisions_get_suffixes_and_name_the_holder() {
        let mut scope = Scope::default();
        assert_eq!(
            scope.claim("displayName", "display_name".into()),
            ("display_name".into(), None)
        );
        assert_eq!(
            scope.claim("DisplayName", "display_name".into()),
            ("display_name_2".into(), Some("displayName".into()))
        );
        let mut types = Scope::default();
        types.claim("user", "User".into());
        assert_eq!(types.claim("User", "User".into()).0, "User2");
        let mut fields = Scope::with_reserved(&["odata_type"]);
        assert_eq!(
            fields.claim("odataType", "odata_type".into()).0,
            "odata_type_2"
        );
    }
}
