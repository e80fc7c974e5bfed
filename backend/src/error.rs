//! The one error type. Every failure, from a malformed body to a panic,
//! leaves the server as RFC 9457 `application/problem+json` with a stable
//! machine-readable `code`. Server faults say nothing internal: the cause is
//! logged (with the request id) and the client gets an opaque 500.

use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

/// The media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// One field that failed validation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    /// The field's path in the request, e.g. `email` or `items[0].quantity`.
    pub field: String,
    /// What is wrong, in plain words.
    pub message: String,
}

impl FieldError {
    /// A field error with a message.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// An RFC 9457 problem detail, the body of every error response.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "urn:problem:delivery:validation_failed",
    "title": "Unprocessable Entity",
    "status": 422,
    "code": "validation_failed",
    "detail": "The request has invalid fields.",
    "errors": [{"field": "email", "message": "is not a valid email address"}]
}))]
pub struct Problem {
    /// A URI naming the problem type; `urn:problem:delivery:{code}`.
    #[serde(rename = "type")]
    pub type_: String,
    /// The HTTP status phrase.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// Stable machine-readable code, e.g. `validation_failed`, `not_found`.
    pub code: String,
    /// What went wrong, for a human.
    pub detail: String,
    /// For `validation_failed`: every field that is wrong.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// Everything a handler can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// One or more fields are invalid (422).
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    /// The body is not JSON, or not the JSON expected (400).
    #[error("malformed request: {0}")]
    Malformed(String),
    /// Missing or invalid credentials (401).
    #[error("unauthorized: {0}")]
    Unauthorized(&'static str),
    /// Authenticated, but not allowed (403).
    #[error("forbidden: {detail}")]
    Forbidden {
        /// Machine code, e.g. `insufficient_scope`.
        code: &'static str,
        /// Explanation.
        detail: &'static str,
    },
    /// No such thing for this caller: missing and foreign look the same (404).
    #[error("not found")]
    NotFound,
    /// The path exists, but not with this method (405); carries the `Allow` list.
    #[error("method not allowed")]
    MethodNotAllowed(String),
    /// The request conflicts with the current state (409).
    #[error("conflict: {detail}")]
    Conflict {
        /// Machine code, e.g. `email_taken`.
        code: &'static str,
        /// Explanation.
        detail: String,
    },
    /// Well-formed, but cannot be done as asked (422 with its own code).
    #[error("unprocessable: {detail}")]
    Unprocessable {
        /// Machine code, e.g. `storage_unavailable`.
        code: &'static str,
        /// Explanation.
        detail: String,
    },
    /// A refusal with its own status and code, e.g. the portal's localized
    /// download refusals.
    #[error("refused: {code}")]
    Refused {
        /// HTTP status.
        status: StatusCode,
        /// Machine code, e.g. `download_limit_reached`.
        code: &'static str,
        /// Explanation (possibly in the customer's language).
        detail: String,
    },
    /// The body is larger than allowed (413).
    #[error("payload too large")]
    PayloadTooLarge(usize),
    /// The body has the wrong content type (415).
    #[error("unsupported media type")]
    UnsupportedMediaType,
    /// Too many attempts; retry after the given time (429).
    #[error("rate limited")]
    RateLimited(Duration),
    /// A dependency (database pool) is unavailable (503).
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// A fault on our side (500); the cause is logged, never sent.
    #[error("internal error: {0:#}")]
    Internal(anyhow::Error),
}

impl ApiError {
    /// Wraps an unexpected error as a 500.
    pub fn internal(err: impl Into<anyhow::Error>) -> Self {
        ApiError::Internal(err.into())
    }

    /// A statement broke a unique constraint (and nothing caught it).
    pub fn is_unique_violation(&self) -> bool {
        matches!(
            self,
            ApiError::Internal(err) if matches!(
                err.downcast_ref::<diesel::result::Error>(),
                Some(diesel::result::Error::DatabaseError(
                    diesel::result::DatabaseErrorKind::UniqueViolation,
                    _
                ))
            )
        )
    }

    /// A single-field validation error.
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError::Validation(vec![FieldError::new(field, message)])
    }

    /// A pool checkout that timed out means the database is unreachable or saturated.
    pub fn from_pool(err: diesel::r2d2::PoolError) -> Self {
        tracing::error!(error = %err, "database pool checkout failed");
        ApiError::Unavailable("the database is not reachable right now".into())
    }

    /// The stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Validation(_) => "validation_failed",
            ApiError::Malformed(_) => "malformed_request",
            ApiError::Unauthorized(_) => "unauthorized",
            ApiError::Forbidden { code, .. } => code,
            ApiError::NotFound => "not_found",
            ApiError::MethodNotAllowed(_) => "method_not_allowed",
            ApiError::Conflict { code, .. } => code,
            ApiError::Unprocessable { code, .. } => code,
            ApiError::Refused { code, .. } => code,
            ApiError::PayloadTooLarge(_) => "payload_too_large",
            ApiError::UnsupportedMediaType => "unsupported_media_type",
            ApiError::RateLimited(_) => "rate_limited",
            ApiError::Unavailable(_) => "service_unavailable",
            ApiError::Internal(_) => "internal_error",
        }
    }

    fn detail(&self) -> String {
        match self {
            ApiError::Validation(_) => "The request has invalid fields.".into(),
            ApiError::Malformed(detail) => detail.clone(),
            ApiError::Unauthorized(detail) => (*detail).into(),
            ApiError::Forbidden { detail, .. } => (*detail).into(),
            ApiError::NotFound => "The resource does not exist.".into(),
            ApiError::MethodNotAllowed(allow) => {
                format!("This path does not take that method. It takes: {allow}.")
            }
            ApiError::Conflict { detail, .. } => detail.clone(),
            ApiError::Unprocessable { detail, .. } => detail.clone(),
            ApiError::Refused { detail, .. } => detail.clone(),
            ApiError::PayloadTooLarge(limit) => {
                format!("The request body is larger than the limit of {limit} bytes.")
            }
            ApiError::UnsupportedMediaType => "The body must be application/json.".into(),
            ApiError::RateLimited(wait) => format!(
                "Too many attempts. Try again in {} seconds.",
                retry_after_secs(*wait)
            ),
            ApiError::Unavailable(detail) => detail.clone(),
            ApiError::Internal(_) => "Something went wrong on our side. It has been logged.".into(),
        }
    }

    /// The problem document for this error.
    pub fn problem(&self) -> Problem {
        let status = self.status_code();
        Problem {
            type_: format!("urn:problem:delivery:{}", self.code()),
            title: status.canonical_reason().unwrap_or("Error").into(),
            status: status.as_u16(),
            code: self.code().into(),
            detail: self.detail(),
            errors: match self {
                ApiError::Validation(errors) => errors.clone(),
                _ => Vec::new(),
            },
        }
    }
}

fn retry_after_secs(wait: Duration) -> u64 {
    wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Malformed(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden { .. } => StatusCode::FORBIDDEN,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Refused { status, .. } => *status,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let ApiError::Internal(cause) = self {
            // Logged once, here, inside the request's span (so with its id).
            tracing::error!(error = format!("{cause:#}"), "request failed");
        }
        let mut response = HttpResponse::build(self.status_code());
        response.content_type(PROBLEM_JSON);
        match self {
            ApiError::RateLimited(wait) => {
                response.insert_header((header::RETRY_AFTER, retry_after_secs(*wait)));
            }
            ApiError::Unauthorized(_) => {
                response
                    .insert_header((header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer")));
            }
            ApiError::MethodNotAllowed(allow) => {
                response.insert_header((header::ALLOW, allow.as_str()));
            }
            _ => {}
        }
        response.json(self.problem())
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(err: diesel::result::Error) -> Self {
        match err {
            diesel::result::Error::NotFound => ApiError::NotFound,
            other => ApiError::internal(other),
        }
    }
}

/// Turns a plain framework error response (404 for an unknown path, 405, ...)
/// into a problem document, so clients see one error shape everywhere.
pub fn problem_for_status(status: StatusCode) -> HttpResponse {
    let code = match status {
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        s if s.is_server_error() => "internal_error",
        _ => "bad_request",
    };
    let title = status.canonical_reason().unwrap_or("Error");
    let detail = match status {
        StatusCode::NOT_FOUND => "The resource does not exist.",
        s if s.is_server_error() => "Something went wrong on our side. It has been logged.",
        _ => title,
    };
    HttpResponse::build(status)
        .content_type(PROBLEM_JSON)
        .json(Problem {
            type_: format!("urn:problem:delivery:{code}"),
            title: title.into(),
            status: status.as_u16(),
            code: code.into(),
            detail: detail.into(),
            errors: Vec::new(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_maps_to_its_status_and_code() {
        let cases = [
            (ApiError::field("email", "bad"), 422, "validation_failed"),
            (ApiError::Malformed("x".into()), 400, "malformed_request"),
            (ApiError::Unauthorized("x"), 401, "unauthorized"),
            (ApiError::NotFound, 404, "not_found"),
            (
                ApiError::RateLimited(Duration::from_millis(1500)),
                429,
                "rate_limited",
            ),
            (
                ApiError::internal(anyhow::anyhow!("db password is hunter2")),
                500,
                "internal_error",
            ),
        ];
        for (err, status, code) in cases {
            let problem = err.problem();
            assert_eq!(problem.status, status);
            assert_eq!(problem.code, code);
            assert!(!problem.detail.contains("hunter2"));
        }
    }

    #[test]
    fn retry_after_rounds_up() {
        assert_eq!(retry_after_secs(Duration::from_millis(1500)), 2);
        assert_eq!(retry_after_secs(Duration::from_secs(3)), 3);
    }
}
