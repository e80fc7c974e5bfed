//! Parse, don't validate: request fields become domain types at the edge,
//! and every field that fails is reported at once, by name.

use crate::error::{ApiError, FieldError};

/// The result of parsing one field.
pub type FieldResult<T> = Result<T, FieldError>;

/// Attaches a field name to a parse error message.
pub trait ForField<T> {
    /// Names the field this result is about.
    fn for_field(self, field: &str) -> FieldResult<T>;
}

impl<T> ForField<T> for Result<T, String> {
    fn for_field(self, field: &str) -> FieldResult<T> {
        self.map_err(|message| FieldError::new(field, message))
    }
}

/// Combines several parsed fields: all values, or every error.
pub trait AllFields {
    /// The tuple of parsed values.
    type Output;
    /// All values, or a 422 listing every failed field.
    fn all(self) -> Result<Self::Output, ApiError>;
}

macro_rules! impl_all_fields {
    ($($name:ident),+) => {
        impl<$($name),+> AllFields for ($(FieldResult<$name>,)+) {
            type Output = ($($name,)+);
            #[allow(non_snake_case)]
            fn all(self) -> Result<Self::Output, ApiError> {
                let ($($name,)+) = self;
                let mut errors = Vec::new();
                $(let $name = $name.map_err(|e| errors.push(e)).ok();)+
                match ($($name,)+) {
                    ($(Some($name),)+) => Ok(($($name,)+)),
                    _ => Err(ApiError::Validation(errors)),
                }
            }
        }
    };
}

impl_all_fields!(A);
impl_all_fields!(A, B);
impl_all_fields!(A, B, C);
impl_all_fields!(A, B, C, D);
impl_all_fields!(A, B, C, D, E);
impl_all_fields!(A, B, C, D, E, F);
impl_all_fields!(A, B, C, D, E, F, G);
impl_all_fields!(A, B, C, D, E, F, G, H);
impl_all_fields!(A, B, C, D, E, F, G, H, I);
impl_all_fields!(A, B, C, D, E, F, G, H, I, J);
impl_all_fields!(A, B, C, D, E, F, G, H, I, J, K);

/// A trimmed single-line text of bounded length without control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text(String);

impl Text {
    /// Parses `raw` into a text of `min..=max` characters (after trimming).
    pub fn parse(raw: &str, min: usize, max: usize) -> Result<Text, String> {
        let trimmed = raw.trim();
        let len = trimmed.chars().count();
        if len < min {
            return Err(if min == 1 {
                "must not be empty".into()
            } else {
                format!("must be at least {min} characters")
            });
        }
        if len > max {
            return Err(format!("must be at most {max} characters"));
        }
        if trimmed.chars().any(char::is_control) {
            return Err("must not contain control characters".into());
        }
        Ok(Text(trimmed.to_owned()))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The owned text.
    pub fn into_inner(self) -> String {
        self.0
    }
}

/// A trimmed text of several lines (addresses, footers): line breaks and
/// tabs are kept (`\r\n` becomes `\n`), other control characters refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MultilineText(String);

impl MultilineText {
    /// Parses `raw` into at most `max` characters and `max_lines` lines.
    pub fn parse(raw: &str, max: usize, max_lines: usize) -> Result<MultilineText, String> {
        let text = raw.replace("\r\n", "\n");
        let text = text.trim();
        if text.chars().count() > max {
            return Err(format!("must be at most {max} characters"));
        }
        if text.lines().count() > max_lines {
            return Err(format!("must be at most {max_lines} lines"));
        }
        if text
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t')
        {
            return Err("must not contain control characters".into());
        }
        Ok(MultilineText(text.to_owned()))
    }

    /// The owned text.
    pub fn into_inner(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed_and_bounded() {
        assert_eq!(Text::parse("  Shop  ", 1, 10).unwrap().as_str(), "Shop");
        assert!(Text::parse("   ", 1, 10).is_err());
        assert!(
            Text::parse("ünïcödé ✓", 1, 9).is_ok(),
            "counts characters, not bytes"
        );
        assert!(Text::parse("0123456789x", 1, 10).is_err());
        assert!(Text::parse("a\u{0}b", 1, 10).is_err());
    }

    #[test]
    fn multiline_text_keeps_lines() {
        let t = MultilineText::parse(" Hauptstr. 1\r\n10115 Berlin \n", 100, 5).unwrap();
        assert_eq!(t.into_inner(), "Hauptstr. 1\n10115 Berlin");
        assert!(MultilineText::parse("a\nb\nc", 100, 2).is_err());
        assert!(MultilineText::parse("a\u{0}b", 100, 2).is_err());
        assert!(MultilineText::parse(&"x".repeat(101), 100, 2).is_err());
    }

    #[test]
    fn all_fields_reports_every_failure() {
        let a: FieldResult<u8> = Err(FieldError::new("a", "bad"));
        let b: FieldResult<u8> = Ok(1);
        let c: FieldResult<u8> = Err(FieldError::new("c", "bad"));
        match (a, b, c).all() {
            Err(ApiError::Validation(errors)) => {
                let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
                assert_eq!(fields, ["a", "c"]);
            }
            other => panic!("expected validation error, got {other:?}"),
        }
        let ok: (FieldResult<u8>, FieldResult<&str>) = (Ok(1), Ok("x"));
        assert_eq!(ok.all().unwrap(), (1, "x"));
    }
}
