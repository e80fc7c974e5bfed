//! The time that decides download expiry. The server uses the system clock;
//! tests use a manual one to step exactly across an end date.

use std::sync::{Arc, Mutex};

use chrono::{Duration, NaiveDateTime};

/// Where "now" comes from.
#[derive(Clone, Debug, Default)]
pub enum Clock {
    /// The system clock (UTC).
    #[default]
    System,
    /// A clock that moves only when told to.
    Manual(Arc<Mutex<NaiveDateTime>>),
}

impl Clock {
    /// A manual clock starting at `start`.
    pub fn manual(start: NaiveDateTime) -> Self {
        Clock::Manual(Arc::new(Mutex::new(start)))
    }

    /// The current time (UTC, whole microseconds).
    pub fn now(&self) -> NaiveDateTime {
        match self {
            Clock::System => crate::db::now(),
            Clock::Manual(t) => *t.lock().unwrap_or_else(std::sync::PoisonError::into_inner),
        }
    }

    /// Moves a manual clock forward; the system clock cannot be moved.
    pub fn advance(&self, by: Duration) {
        if let Clock::Manual(t) = self {
            let mut t = t.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            *t += by;
        }
    }
}
