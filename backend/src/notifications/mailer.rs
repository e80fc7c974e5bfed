//! Email delivery: SMTP (STARTTLS, TLS or plain, with credentials) when a
//! host is configured, otherwise `.eml` files in `DATA_DIR/mail` (the
//! embedded default: nothing to install, every mail inspectable).

use std::time::Duration;

use lettre::message::{Mailbox, MultiPart, SinglePart, header};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::ExposeSecret;

use super::outbox::OutboxMessage;
use crate::config::{Settings, SmtpSecurity};

/// Where mail goes.
pub enum Mailer {
    /// An SMTP server.
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// A folder of `.eml` files.
    Folder(AsyncFileTransport<Tokio1Executor>),
}

impl Mailer {
    /// Built from the settings.
    pub fn from_settings(settings: &Settings) -> anyhow::Result<Self> {
        let Some(host) = settings.mail_smtp_host.as_deref() else {
            let dir = settings.data_dir.join("mail");
            std::fs::create_dir_all(&dir)?;
            return Ok(Mailer::Folder(AsyncFileTransport::new(dir)));
        };
        let builder = match settings.mail_smtp_security {
            SmtpSecurity::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)?,
            SmtpSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(host)?,
            SmtpSecurity::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
        };
        let mut builder = builder
            .port(settings.mail_smtp_port)
            .timeout(Some(Duration::from_secs(15)));
        if let (Some(user), Some(password)) =
            (&settings.mail_smtp_username, &settings.mail_smtp_password)
        {
            builder = builder.credentials(Credentials::new(
                user.clone(),
                password.expose_secret().to_owned(),
            ));
        }
        Ok(Mailer::Smtp(builder.build()))
    }

    /// Delivers one outbox message; the error says why not.
    pub async fn send(&self, from: &str, message: &OutboxMessage) -> Result<(), String> {
        let email = build(from, message)?;
        match self {
            Mailer::Smtp(t) => t.send(email).await.map(|_| ()).map_err(|e| e.to_string()),
            Mailer::Folder(t) => t.send(email).await.map(|_| ()).map_err(|e| e.to_string()),
        }
    }
}

fn build(from: &str, message: &OutboxMessage) -> Result<Message, String> {
    let from: Mailbox = from.parse().map_err(|e| format!("sender address: {e}"))?;
    let to: Mailbox = message
        .recipient
        .parse()
        .map_err(|e| format!("recipient address: {e}"))?;
    let builder = Message::builder()
        .from(from)
        .to(to)
        .subject(&message.subject)
        .message_id(Some(message.message_id.clone()));
    let text = SinglePart::builder()
        .header(header::ContentType::TEXT_PLAIN)
        .body(message.body_text.clone());
    let result = match &message.body_html {
        Some(html) => builder.multipart(
            MultiPart::alternative().singlepart(text).singlepart(
                SinglePart::builder()
                    .header(header::ContentType::TEXT_HTML)
                    .body(html.clone()),
            ),
        ),
        None => builder.singlepart(text),
    };
    result.map_err(|e| format!("building the message: {e}"))
}
