//! [`JsonBody`], the request body extractor: bounded, and every
//! deserialisation error names the field it is about.

use std::ops::Deref;

use actix_web::dev::Payload;
use actix_web::error::PayloadError;
use actix_web::http::header;
use actix_web::mime;
use actix_web::web::Bytes;
use actix_web::{FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, FieldError};

/// A JSON request body of type `T`.
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<T> JsonBody<T> {
    /// The deserialised body.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for JsonBody<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for JsonBody<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<mime::Mime>().ok())
            .is_some_and(|m| m.subtype() == mime::JSON || m.suffix() == Some(mime::JSON));
        // The same limit is set as actix's PayloadConfig, which enforces it
        // while reading; this copy only words the error.
        let limit = req.app_data::<BodyLimit>().map_or(DEFAULT_LIMIT, |l| l.0);
        let bytes = Bytes::from_request(req, payload);
        Box::pin(async move {
            if !is_json {
                return Err(ApiError::UnsupportedMediaType);
            }
            let bytes = bytes.await.map_err(|e| body_error(e, limit))?;
            parse(&bytes).map(JsonBody)
        })
    }
}

const DEFAULT_LIMIT: usize = 256 * 1024;

/// The body size limit, as app data.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(pub usize);

fn body_error(err: actix_web::Error, limit: usize) -> ApiError {
    match err.as_error::<PayloadError>() {
        Some(PayloadError::Overflow) => ApiError::PayloadTooLarge(limit),
        _ => ApiError::Malformed("The request body could not be read.".into()),
    }
}

/// Deserialises `bytes`, naming the failing field on a type mismatch.
///
/// Two steps, so that only broken JSON is a 400: serde_json reports some
/// type mismatches (`null` for an enum, say) as syntax errors when it
/// deserialises straight into `T`, and a 422 naming the field is the truth.
/// Every body is an object: serde would otherwise map an array onto the
/// fields by position (`[null, null]` as a change of two fields).
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut value: serde_json::Value = serde_json::from_slice(bytes).map_err(|err| {
        ApiError::Malformed(format!(
            "The body is not valid JSON (line {}, column {}).",
            err.line(),
            err.column()
        ))
    })?;
    if !value.is_object() {
        return Err(ApiError::field("body", "must be a JSON object"));
    }
    whole_numbers_as_integers(&mut value);
    serde_path_to_error::deserialize(value).map_err(|err| {
        let path = err.path().to_string();
        ApiError::Validation(vec![data_error(&path, err.inner())])
    })
}

/// JSON has one number type: `3.0` is the integer 3 to JSON Schema (and to
/// many clients' serializers), while serde refuses it for an integer field.
fn whole_numbers_as_integers(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Number(n) if n.is_f64() => {
            let f = n.as_f64().unwrap_or(f64::NAN);
            // Within ±2^53 every whole f64 is exact; beyond it, leave the
            // number as it is and let the field's type refuse it.
            if f.fract() == 0.0 && f.abs() <= 9_007_199_254_740_992.0 {
                *value = Value::from(f as i64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(whole_numbers_as_integers),
        Value::Object(fields) => fields.values_mut().for_each(whole_numbers_as_integers),
        _ => {}
    }
}

/// serde reports a missing or unknown field at the parent's path; move it to
/// the field itself so the client sees `email`, not `.`.
fn data_error(path: &str, err: &serde_json::Error) -> FieldError {
    let full = err.to_string();
    let message = full
        .rsplit_once(" at line ")
        .map_or(full.as_str(), |(m, _)| m)
        .to_owned();
    let named = ["missing field `", "unknown field `"]
        .iter()
        .find_map(|prefix| message.strip_prefix(prefix))
        .and_then(|rest| rest.split('`').next());
    let parent = if path == "." { "" } else { path };
    match named {
        Some(name) if parent.is_empty() || parent.ends_with(name) => FieldError::new(
            if parent.is_empty() { name } else { parent },
            message.clone(),
        ),
        Some(name) => FieldError::new(format!("{parent}.{name}"), message.clone()),
        None if parent.is_empty() => FieldError::new("body", message),
        None => FieldError::new(parent, message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Signup {
        email: String,
        count: u32,
    }

    fn field_of(body: &str) -> String {
        match parse::<Signup>(body.as_bytes()) {
            Err(ApiError::Validation(errors)) => errors[0].field.clone(),
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn missing_field_is_named() {
        assert_eq!(field_of(r#"{"count": 1}"#), "email");
    }

    #[test]
    fn wrong_type_is_named() {
        assert_eq!(field_of(r#"{"email": "a@b.c", "count": "x"}"#), "count");
    }

    #[test]
    fn unknown_field_is_named() {
        assert_eq!(
            field_of(r#"{"email": "a@b.c", "count": 1, "extra": 2}"#),
            "extra"
        );
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(rename_all = "snake_case")]
    enum Status {
        Paid,
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Change {
        status: Status,
        limit: Option<Option<u32>>,
    }

    #[test]
    fn a_wrong_type_for_an_enum_is_named_not_malformed() {
        for body in [r#"{"status": null}"#, r#"{"status": 5}"#] {
            match parse::<Change>(body.as_bytes()) {
                Err(ApiError::Validation(errors)) => assert_eq!(errors[0].field, "status"),
                other => panic!("{body}: expected a validation error, got {other:?}"),
            }
        }
    }

    #[test]
    fn whole_numbers_count_as_integers_and_fractions_do_not() {
        let parsed: Signup = parse(br#"{"email": "a@b.c", "count": 3.0}"#).unwrap();
        assert_eq!(parsed.count, 3);
        assert_eq!(field_of(r#"{"email": "a@b.c", "count": 3.5}"#), "count");
        assert_eq!(field_of(r#"{"email": "a@b.c", "count": 1e300}"#), "count");
    }

    #[test]
    fn only_an_object_is_a_body() {
        // serde maps an array onto the fields by position; it must not.
        for body in ["[\"paid\", null]", "[]", "\"paid\"", "null", "1"] {
            match parse::<Change>(body.as_bytes()) {
                Err(ApiError::Validation(errors)) => assert_eq!(errors[0].field, "body", "{body}"),
                other => panic!("{body}: expected a validation error, got {other:?}"),
            }
        }
        assert!(parse::<Change>(br#"{"status": "paid"}"#).is_ok());
    }

    #[test]
    fn syntax_errors_are_malformed() {
        assert!(matches!(
            parse::<Signup>(b"{\"email\": "),
            Err(ApiError::Malformed(_))
        ));
        assert!(matches!(
            parse::<Signup>(br#"{"email": "a@b.c", "count": 1} []"#),
            Err(ApiError::Malformed(_))
        ));
    }
}
