//! Sign-up, sign-in, tokens, sessions.

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{SIGNING_SECRET, TestApp, assert_problem, problem_fields, tokens};
use crate::on_both_databases;

async fn login(app: &TestApp, email: &str, password: &str) -> reqwest::Response {
    app.post(
        "/api/v1/auth/login",
        &json!({"email": email, "password": password}),
        None,
    )
    .await
}

async fn signup_login_and_me(app: TestApp) {
    let signed_up = app.signup("Hörbuch Verlag", "Owner@Example.com").await;
    let me = app.get_json("/api/v1/me", Some(&signed_up.access)).await;
    assert_eq!(me["shop"]["name"], "Hörbuch Verlag");
    assert_eq!(
        me["user"]["email"], "owner@example.com",
        "emails are stored lower-cased"
    );
    assert_eq!(me["user"]["role"], "owner");

    let res = login(&app, "OWNER@example.com", "correct horse battery").await;
    assert_eq!(res.status(), StatusCode::OK);
    let logged_in = tokens(res).await;
    let me_again = app.get_json("/api/v1/me", Some(&logged_in.access)).await;
    assert_eq!(me_again["shop"]["id"], me["shop"]["id"]);
    assert_eq!(me_again["user"]["id"], me["user"]["id"]);
}

async fn signup_with_a_taken_email_is_a_conflict(app: TestApp) {
    app.signup("First", "taken@example.com").await;
    let res = app
        .post(
            "/api/v1/auth/signup",
            &json!({"shop_name": "Second", "email": "TAKEN@example.com", "password": "another long password"}),
            None,
        )
        .await;
    assert_problem(res, 409, "email_taken").await;
}

async fn signup_names_every_invalid_field(app: TestApp) {
    let res = app
        .post(
            "/api/v1/auth/signup",
            &json!({"shop_name": " ", "email": "nope", "password": "short"}),
            None,
        )
        .await;
    let body = assert_problem(res, 422, "validation_failed").await;
    let mut fields = problem_fields(&body);
    fields.sort();
    assert_eq!(fields, ["email", "password", "shop_name"]);
}

async fn wrong_password_and_unknown_email_answer_the_same(app: TestApp) {
    app.signup("Shop", "owner@example.com").await;
    let wrong_password = login(&app, "owner@example.com", "not the password!").await;
    let wrong_status = wrong_password.status();
    let wrong_body: Value = wrong_password.json().await.unwrap();
    let unknown = login(&app, "nobody@example.com", "correct horse battery").await;
    let unknown_status = unknown.status();
    let unknown_body: Value = unknown.json().await.unwrap();
    assert_eq!(wrong_status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown_status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        wrong_body, unknown_body,
        "the answers must not tell the cases apart"
    );
    assert_eq!(wrong_body["code"], "unauthorized");
}

async fn refresh_rotates_and_a_used_token_is_refused(app: TestApp) {
    let first = app.signup("Shop", "owner@example.com").await;
    let res = app
        .post(
            "/api/v1/auth/refresh",
            &json!({"refresh_token": first.refresh}),
            None,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let second = tokens(res).await;
    assert_ne!(second.refresh, first.refresh);
    assert_eq!(
        app.get("/api/v1/me", Some(&second.access)).await.status(),
        StatusCode::OK
    );

    // The old token works once only; presenting it again means a copy
    // exists, so the whole session ends, including the newer tokens.
    let reused = app
        .post(
            "/api/v1/auth/refresh",
            &json!({"refresh_token": first.refresh}),
            None,
        )
        .await;
    assert_problem(reused, 401, "unauthorized").await;
    let after_reuse = app
        .post(
            "/api/v1/auth/refresh",
            &json!({"refresh_token": second.refresh}),
            None,
        )
        .await;
    assert_problem(after_reuse, 401, "unauthorized").await;
    assert_problem(
        app.get("/api/v1/me", Some(&second.access)).await,
        401,
        "unauthorized",
    )
    .await;

    let garbage = app
        .post(
            "/api/v1/auth/refresh",
            &json!({"refresh_token": "rt_made_up"}),
            None,
        )
        .await;
    assert_problem(garbage, 401, "unauthorized").await;
}

async fn logout_revokes_the_session(app: TestApp) {
    let session = app.signup("Shop", "owner@example.com").await;
    let other = tokens(login(&app, "owner@example.com", "correct horse battery").await).await;
    let res = app
        .post("/api/v1/auth/logout", &json!({}), Some(&session.access))
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_problem(
        app.get("/api/v1/me", Some(&session.access)).await,
        401,
        "unauthorized",
    )
    .await;
    let refresh = app
        .post(
            "/api/v1/auth/refresh",
            &json!({"refresh_token": session.refresh}),
            None,
        )
        .await;
    assert_problem(refresh, 401, "unauthorized").await;
    // Other sessions of the same user stay signed in.
    assert_eq!(
        app.get("/api/v1/me", Some(&other.access)).await.status(),
        StatusCode::OK
    );
}

fn claims_of(access: &str) -> Value {
    use base64::Engine;
    let payload = access.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

fn sign(claims: &Value, secret: &str) -> String {
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

async fn forged_tokens_are_refused(app: TestApp) {
    let session = app.signup("Shop", "owner@example.com").await;
    let claims = claims_of(&session.access);

    // Sanity: re-signing the same claims with the real key is accepted, so
    // each refusal below is caused by exactly the one thing changed.
    let resigned = sign(&claims, SIGNING_SECRET);
    assert_eq!(
        app.get("/api/v1/me", Some(&resigned)).await.status(),
        StatusCode::OK
    );

    let mut cases: Vec<(&str, String)> = Vec::new();

    let mut tampered = claims.clone();
    tampered["tid"] = json!(uuid::Uuid::now_v7().to_string());
    let original_signature = session.access.rsplit('.').next().unwrap();
    let forged = sign(&tampered, SIGNING_SECRET);
    let mut parts: Vec<&str> = forged.split('.').collect();
    parts[2] = original_signature;
    cases.push(("tampered payload", parts.join(".")));

    cases.push((
        "wrong key",
        sign(&claims, "another-secret-that-is-long-enough-000000000"),
    ));

    let mut expired = claims.clone();
    expired["iat"] = json!(chrono::Utc::now().timestamp() - 7200);
    expired["exp"] = json!(chrono::Utc::now().timestamp() - 3600);
    cases.push(("expired", sign(&expired, SIGNING_SECRET)));

    let mut wrong_audience = claims.clone();
    wrong_audience["aud"] = json!("someone-else");
    cases.push(("wrong audience", sign(&wrong_audience, SIGNING_SECRET)));

    let mut wrong_type = claims.clone();
    wrong_type["typ"] = json!("refresh");
    cases.push(("wrong typ", sign(&wrong_type, SIGNING_SECRET)));

    use base64::Engine;
    let b64 = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    let none_header = json!({"alg": "none", "typ": "JWT"});
    cases.push((
        "alg none",
        format!("{}.{}.", b64(&none_header), b64(&claims)),
    ));

    cases.push(("garbage", "not-a-token".into()));

    for (what, token) in cases {
        let res = app.get("/api/v1/me", Some(&token)).await;
        assert_eq!(
            res.status(),
            StatusCode::UNAUTHORIZED,
            "{what} must be refused"
        );
        assert_problem(res, 401, "unauthorized").await;
    }
    assert_problem(app.get("/api/v1/me", None).await, 401, "unauthorized").await;
}

async fn login_attempts_are_rate_limited(app: TestApp) {
    app.signup("Shop", "owner@example.com").await;
    let burst = app.settings.login_burst_per_account;
    for _ in 0..burst {
        let res = login(&app, "owner@example.com", "wrong password!!").await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    let res = login(&app, "owner@example.com", "correct horse battery").await;
    let retry_after: u64 = res
        .headers()
        .get("retry-after")
        .expect("Retry-After header")
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry_after), "Retry-After {retry_after}");
    assert_problem(res, 429, "rate_limited").await;
    // Another account from the same address is still allowed.
    app.signup("Other", "other@example.com").await;
    let res = login(&app, "other@example.com", "correct horse battery").await;
    assert_eq!(res.status(), StatusCode::OK);
}

on_both_databases!(
    signup_login_and_me,
    signup_with_a_taken_email_is_a_conflict,
    signup_names_every_invalid_field,
    wrong_password_and_unknown_email_answer_the_same,
    refresh_rotates_and_a_used_token_is_refused,
    logout_revokes_the_session,
    forged_tokens_are_refused,
    login_attempts_are_rate_limited,
);
