//! The outbox worker inside `delivery serve`: claims due messages (on
//! PostgreSQL with `FOR UPDATE SKIP LOCKED`, so any number of servers can
//! run it; on SQLite through its single writer) and delivers them. A claim
//! holds a message for a while; a server that dies mid-send releases it by
//! time, and the resend keeps the Message-ID.

use std::time::Duration;

use actix_web::web;
use diesel::Connection;

use super::mailer::Mailer;
use super::outbox::{mark_attempt_failed, mark_sent};
use crate::AppState;
use crate::db::{dialect, now};

/// Messages claimed per round.
const BATCH: i64 = 20;

/// Starts the worker on the current runtime.
///
/// A tokio task, not an actix (thread-local) one: when the server stops,
/// tokio drops its tasks inside the runtime, while actix drops its local
/// tasks after the runtime is gone. The mailer's SMTP pool spawns a task
/// to close its connections when dropped, and that spawn outside a runtime
/// panics inside a destructor, which aborts the process.
pub fn spawn(state: web::Data<AppState>, mailer: Mailer, http: reqwest::Client) {
    tokio::spawn(async move {
        let poll = Duration::from_millis(state.settings.outbox_poll_ms);
        loop {
            match round(&state, &mailer, &http).await {
                // A full batch: there may be more due right away.
                Ok(n) if n as i64 >= BATCH => continue,
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "outbox round failed"),
            }
            tokio::select! {
                () = tokio::time::sleep(poll) => {}
                () = state.outbox_wakeup.notified() => {}
            }
        }
    });
}

/// One round: claim what is due and try to deliver it. Returns how many.
pub async fn round(
    state: &AppState,
    mailer: &Mailer,
    http: &reqwest::Client,
) -> anyhow::Result<usize> {
    let at = now();
    let claim_for =
        chrono::Duration::seconds(i64::try_from(state.settings.outbox_claim_secs).unwrap_or(120));
    let claimed = state
        .db
        .write(move |conn| {
            dialect::claim_due_messages(conn, at, at + claim_for, BATCH).map_err(Into::into)
        })
        .await
        .map_err(|e| anyhow::anyhow!("claiming: {e}"))?;
    let count = claimed.len();
    let base = chrono::Duration::milliseconds(
        i64::try_from(state.settings.outbox_retry_base_ms).unwrap_or(2000),
    );
    let max_attempts = i32::try_from(state.settings.outbox_max_attempts).unwrap_or(8);
    let mut outcomes = Vec::with_capacity(count);
    for message in claimed {
        let result = match message.kind.as_str() {
            "sales_channel" => super::channels::deliver(state, http, &message).await,
            _ => mailer.send(&state.settings.mail_from, &message).await,
        };
        match &result {
            Ok(()) => tracing::info!(message.id = %message.id, "message delivered"),
            Err(error) => {
                tracing::warn!(message.id = %message.id, error = %error, "message not delivered");
            }
        }
        outcomes.push((message, result.map(|()| now())));
    }
    // The round's outcomes in one write: one commit instead of one per
    // message, which on PostgreSQL is a flush of its log each, and on
    // SQLite a turn of the one writer. A server that dies before this
    // resends the round's messages when their claim ends, with the same
    // Message-ID.
    let recorded = state
        .db
        .write(move |conn| {
            conn.transaction(|conn| {
                for (message, outcome) in &outcomes {
                    let done = match outcome {
                        Ok(sent_at) => mark_sent(conn, message, *sent_at),
                        Err(error) => {
                            mark_attempt_failed(conn, message, error, base, max_attempts)
                        }
                    };
                    // Each record is a savepoint: a failed one must not
                    // strand the rest under their claim; it is delivered
                    // again when its claim ends.
                    if let Err(e) = done {
                        tracing::error!(message.id = %message.id, error = %e, "recording a delivery failed");
                    }
                }
                Ok::<_, crate::error::ApiError>(())
            })
        })
        .await;
    if let Err(e) = recorded {
        tracing::error!(error = %e, "recording a round of deliveries failed");
    }
    Ok(count)
}
