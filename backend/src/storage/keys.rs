//! Object keys and folder prefixes relative to a connection's root prefix,
//! parsed so that nothing can point outside the special folder.

/// Longest key S3 allows, in bytes.
const MAX_KEY_BYTES: usize = 1024;

fn check_segments(raw: &str) -> Result<(), String> {
    if raw.len() > MAX_KEY_BYTES {
        return Err(format!("must be at most {MAX_KEY_BYTES} bytes"));
    }
    if raw.starts_with('/') {
        return Err("must be relative to the special folder (no leading /)".into());
    }
    if raw.contains('\\') {
        return Err("must not contain backslashes".into());
    }
    if raw.chars().any(char::is_control) {
        return Err("must not contain control characters".into());
    }
    for segment in raw.split('/') {
        if segment == ".." || segment == "." {
            return Err("must not contain . or .. segments".into());
        }
    }
    Ok(())
}

/// A file's key below the root prefix: non-empty, relative, no `.`/`..`
/// segments, no empty segments, no backslashes or control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectKey(String);

impl ObjectKey {
    /// Parses a relative key.
    pub fn parse(raw: &str) -> Result<ObjectKey, String> {
        if raw.is_empty() {
            return Err("must not be empty".into());
        }
        check_segments(raw)?;
        if raw.split('/').any(str::is_empty) {
            return Err("must not contain empty path segments or end with /".into());
        }
        Ok(ObjectKey(raw.to_owned()))
    }

    /// The relative key.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The last segment: the default display name.
    pub fn base_name(&self) -> &str {
        self.0.rsplit('/').next().unwrap_or(&self.0)
    }
}

/// A folder below the root prefix: empty (the root) or segments ending in `/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prefix(String);

impl Prefix {
    /// The special folder itself.
    pub fn root() -> Prefix {
        Prefix(String::new())
    }

    /// Parses a relative folder; a missing trailing `/` is added.
    pub fn parse(raw: &str) -> Result<Prefix, String> {
        if raw.is_empty() {
            return Ok(Prefix::root());
        }
        check_segments(raw)?;
        let trimmed = raw.strip_suffix('/').unwrap_or(raw);
        if trimmed.split('/').any(str::is_empty) {
            return Err("must not contain empty path segments".into());
        }
        let prefix = format!("{trimmed}/");
        // The added slash counts too: what is accepted must parse again.
        if prefix.len() > MAX_KEY_BYTES {
            return Err(format!("must be at most {MAX_KEY_BYTES} bytes"));
        }
        Ok(Prefix(prefix))
    }

    /// The relative prefix ("" or "a/b/").
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Normalises a connection's root prefix: "" or segments ending in `/`.
/// Leading slashes and blanks go in any mix, so the result parses to itself.
pub fn parse_root_prefix(raw: &str) -> Result<String, String> {
    let trimmed = raw
        .trim_start_matches(|c: char| c == '/' || c.is_whitespace())
        .trim_end();
    Prefix::parse(trimmed).map(|p| p.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_cannot_leave_the_folder() {
        for bad in [
            "",
            "/etc/passwd",
            "../x",
            "a/../../x",
            "a/./b",
            "a\\b",
            "a//b",
            "a/",
            "a\u{0}b",
        ] {
            assert!(ObjectKey::parse(bad).is_err(), "{bad:?} must be refused");
        }
        let key = ObjectKey::parse("Kurse/Übung für Anfänger – Teil 1.pdf").unwrap();
        assert_eq!(key.base_name(), "Übung für Anfänger – Teil 1.pdf");
        assert!(ObjectKey::parse(&"a".repeat(1025)).is_err());
    }

    #[test]
    fn prefixes_are_normalised() {
        assert_eq!(Prefix::parse("").unwrap().as_str(), "");
        assert_eq!(Prefix::parse("a/b").unwrap().as_str(), "a/b/");
        assert_eq!(Prefix::parse("a/b/").unwrap().as_str(), "a/b/");
        for bad in ["/a", "..", "a/../b", "a//b"] {
            assert!(Prefix::parse(bad).is_err(), "{bad:?} must be refused");
        }
        assert_eq!(
            parse_root_prefix(" /shop/downloads ").unwrap(),
            "shop/downloads/"
        );
        assert_eq!(parse_root_prefix("").unwrap(), "");
    }

    #[test]
    fn a_normalised_root_prefix_normalises_to_itself() {
        // Found by the `object_keys` fuzz target: "/ +" became " +/", which became "+/".
        for raw in ["/ +", " / /a", "/\u{a0}b/", "a /"] {
            let once = parse_root_prefix(raw).unwrap();
            assert_eq!(parse_root_prefix(&once).unwrap(), once, "{raw:?}");
        }
        assert_eq!(parse_root_prefix("/ +").unwrap(), "+/");
        // Also found by the fuzzer: 1024 bytes without the slash became 1025 with it.
        let long = "a".repeat(1024);
        assert!(Prefix::parse(&long).is_err());
        assert!(Prefix::parse(&"a".repeat(1023)).is_ok());
    }
}
