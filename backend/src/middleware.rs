//! Cross-cutting request handling: panics become opaque 500s, every error
//! response is a problem document, every response carries its request id.

use std::panic::AssertUnwindSafe;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::{ErrorHandlerResponse, Next};
use actix_web::{Error, HttpMessage};
use futures_util::FutureExt;
use tracing_actix_web::RequestId;

use crate::error::{ApiError, PROBLEM_JSON, problem_for_status};

/// The client's address: the peer, or the first `X-Forwarded-For` hop when
/// the server is configured to sit behind a trusted proxy.
pub fn client_ip(
    req: &actix_web::HttpRequest,
    settings: &crate::config::Settings,
) -> std::net::IpAddr {
    let forwarded = settings
        .trust_forwarded_for
        .then(|| {
            req.connection_info()
                .realip_remote_addr()
                .map(str::to_owned)
        })
        .flatten()
        .and_then(|addr| {
            addr.parse::<std::net::IpAddr>()
                .ok()
                .or_else(|| addr.parse::<std::net::SocketAddr>().ok().map(|s| s.ip()))
        });
    forwarded
        .or_else(|| req.peer_addr().map(|a| a.ip()))
        .unwrap_or(std::net::IpAddr::from([0, 0, 0, 0]))
}

/// The response header that carries the request id (also on every log line).
pub const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// Turns a panic in a handler into a 500 problem instead of a dropped
/// connection. The request cannot be kept for the response (routing needs it
/// unshared), so the panic becomes an error that actix renders.
pub async fn catch_panic(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    match AssertUnwindSafe(next.call(req)).catch_unwind().await {
        Ok(outcome) => outcome,
        Err(panic) => {
            let message = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            Err(ApiError::internal(anyhow::anyhow!("handler panicked: {message}")).into())
        }
    }
}

/// `ErrorHandlers` default: replaces any error response that is not already a
/// problem document (the framework's own 404/405/413, ...) with one.
pub fn problemize<B: MessageBody + 'static>(
    res: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let is_problem = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
    if is_problem {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let (req, _) = res.into_parts();
    let replaced = ServiceResponse::new(req, problem_for_status(status)).map_into_right_body();
    Ok(ErrorHandlerResponse::Response(replaced))
}

/// Adds `X-Request-Id` to every response.
pub async fn request_id_header(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let id = req.extensions().get::<RequestId>().map(ToString::to_string);
    let mut res = next.call(req).await?;
    if let Some(value) = id.and_then(|id| HeaderValue::from_str(&id).ok()) {
        res.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    use actix_web::middleware::{ErrorHandlers, from_fn};
    use actix_web::{App, HttpResponse, test, web};

    use super::*;

    #[actix_web::test]
    async fn a_panicking_handler_answers_an_opaque_problem() {
        let app = test::init_service(
            App::new()
                .route(
                    "/boom",
                    web::get().to(|| async {
                        if true {
                            panic!("secret internals");
                        }
                        HttpResponse::Ok().finish()
                    }),
                )
                .wrap(from_fn(catch_panic)),
        )
        .await;
        let err = test::try_call_service(&app, test::TestRequest::get().uri("/boom").to_request())
            .await
            .err()
            .expect("the panic becomes an error");
        let res = err.error_response();
        assert_eq!(res.status(), 500);
        assert_eq!(
            res.headers().get(header::CONTENT_TYPE).unwrap(),
            PROBLEM_JSON
        );
        let body = actix_web::body::to_bytes(res.into_body()).await.unwrap();
        let text = String::from_utf8_lossy(&body);
        assert!(text.contains("internal_error"));
        assert!(!text.contains("secret internals"));
    }

    #[actix_web::test]
    async fn framework_errors_become_problems() {
        let app = test::init_service(
            App::new()
                .route("/only-get", web::get().to(HttpResponse::Ok))
                .wrap(ErrorHandlers::new().default_handler(problemize)),
        )
        .await;
        let res =
            test::call_service(&app, test::TestRequest::get().uri("/nope").to_request()).await;
        assert_eq!(res.status(), 404);
        assert_eq!(
            res.headers().get(header::CONTENT_TYPE).unwrap(),
            PROBLEM_JSON
        );
        let body: serde_json::Value = test::read_body_json(res).await;
        assert_eq!(body["code"], "not_found");
    }
}
