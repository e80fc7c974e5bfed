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
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        use serde_json::error::Category;
        match inner.classify() {
            Category::Data => ApiError::Validation(vec![data_error(&path, &inner)]),
            Category::Syntax | Category::Eof | Category::Io => ApiError::Malformed(format!(
                "The body is not valid JSON (line {}, column {}).",
                inner.line(),
                inner.column()
            )),
        }
    })?;
    de.end().map_err(|_| {
        ApiError::Malformed("The body has trailing characters after the JSON value.".into())
    })?;
    Ok(value)
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
