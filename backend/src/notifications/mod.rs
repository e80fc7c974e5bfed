//! Notifications: templates with placeholders, rules that decide what to
//! send when an order changes, and the durable outbox a background worker
//! delivers from. What a rule sends is written to the outbox in the same
//! transaction as the change that triggered it, so a crash can neither
//! lose nor invent a message.

pub mod channels;
pub mod defaults;
pub mod mailer;
pub mod outbox;
pub mod rules;
pub mod templates;
pub mod worker;
