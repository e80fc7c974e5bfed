//! Which linked files a download recently found in the bucket.
//!
//! A download asks the bucket whether the file is still there before it
//! counts, so a vanished file never costs the customer one of their
//! downloads. That question is a signed round trip to the seller's storage
//! and costs more than the rest of the download. A file that was there a
//! moment ago almost always still is: the answer is trusted for a short,
//! configurable time (`storage_presence_cache_secs`). A file deleted inside
//! that window can still be counted once or twice — the customer then gets a
//! link that fails and the seller sees the file missing at the next check,
//! exactly as when the file vanishes between the check and the fetch.
//!
//! Per server process: every server of a scaled-out deployment asks the
//! bucket for itself, at most once per window and file.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{Duration, NaiveDateTime};

use super::keys::ObjectKey;
use super::models::StorageConnection;

/// Files remembered at most; past this the stale entries go, then all (a bound, not a policy).
const MAX_ENTRIES: usize = 10_000;

/// Last successful look per (connection, object key).
pub struct PresenceCache {
    window: Duration,
    /// Value: the connection's `updated_at` when the file was found, and when.
    seen: Mutex<HashMap<(String, String), (NaiveDateTime, NaiveDateTime)>>,
}

impl PresenceCache {
    /// Trusts a look for `window_secs` seconds; 0 never trusts one.
    pub fn new(window_secs: u64) -> Self {
        Self {
            window: Duration::seconds(i64::try_from(window_secs).unwrap_or(i64::MAX / 1000)),
            seen: Mutex::default(),
        }
    }

    /// Whether `key` was found through this version of the connection less
    /// than the window ago (a changed connection may point at another bucket).
    pub fn recently_found(
        &self,
        conn: &StorageConnection,
        key: &ObjectKey,
        now: NaiveDateTime,
    ) -> bool {
        let seen = self.lock();
        seen.get(&(conn.id.clone(), key.as_str().to_owned()))
            .is_some_and(|(version, at)| {
                *version == conn.updated_at && *at <= now && now - *at < self.window
            })
    }

    /// The bucket has just answered that `key` is there.
    pub fn found(&self, conn: &StorageConnection, key: &ObjectKey, now: NaiveDateTime) {
        if self.window <= Duration::zero() {
            return;
        }
        let mut seen = self.lock();
        if seen.len() >= MAX_ENTRIES {
            let window = self.window;
            seen.retain(|_, (_, at)| now - *at < window);
            if seen.len() >= MAX_ENTRIES {
                seen.clear();
            }
        }
        seen.insert(
            (conn.id.clone(), key.as_str().to_owned()),
            (conn.updated_at, now),
        );
    }

    /// The bucket has answered that `key` is gone: the next download asks again.
    pub fn forget(&self, connection_id: &str, key: &str) {
        self.lock()
            .remove(&(connection_id.to_owned(), key.to_owned()));
    }

    fn lock(
        &self,
    ) -> std::sync::MutexGuard<'_, HashMap<(String, String), (NaiveDateTime, NaiveDateTime)>> {
        self.seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> NaiveDateTime {
        chrono::DateTime::from_timestamp(1_800_000_000 + secs, 0)
            .unwrap()
            .naive_utc()
    }

    fn connection(id: &str, updated: i64) -> StorageConnection {
        StorageConnection {
            id: id.into(),
            tenant_id: "shop".into(),
            name: "bucket".into(),
            kind: "s3".into(),
            endpoint: None,
            region: None,
            bucket: None,
            root_prefix: String::new(),
            path_style: true,
            credentials_sealed: None,
            created_at: at(0),
            updated_at: at(updated),
            last_checked_at: None,
            last_check_error: None,
        }
    }

    #[test]
    fn a_look_is_trusted_for_the_window_only() {
        let cache = PresenceCache::new(30);
        let conn = connection("c1", 0);
        let key = ObjectKey::parse("books/a.pdf").unwrap();
        assert!(!cache.recently_found(&conn, &key, at(10)));
        cache.found(&conn, &key, at(10));
        assert!(cache.recently_found(&conn, &key, at(10)));
        assert!(cache.recently_found(&conn, &key, at(39)));
        assert!(!cache.recently_found(&conn, &key, at(40)));
        let other = ObjectKey::parse("books/b.pdf").unwrap();
        assert!(!cache.recently_found(&conn, &other, at(11)));
    }

    #[test]
    fn a_changed_connection_or_a_missing_file_asks_again() {
        let cache = PresenceCache::new(30);
        let key = ObjectKey::parse("a.pdf").unwrap();
        cache.found(&connection("c1", 0), &key, at(10));
        assert!(!cache.recently_found(&connection("c1", 5), &key, at(11)));
        assert!(!cache.recently_found(&connection("c2", 0), &key, at(11)));
        assert!(cache.recently_found(&connection("c1", 0), &key, at(11)));
        cache.forget("c1", "a.pdf");
        assert!(!cache.recently_found(&connection("c1", 0), &key, at(12)));
    }

    #[test]
    fn a_zero_window_never_trusts_and_the_size_is_bounded() {
        let never = PresenceCache::new(0);
        let conn = connection("c1", 0);
        let key = ObjectKey::parse("a.pdf").unwrap();
        never.found(&conn, &key, at(0));
        assert!(!never.recently_found(&conn, &key, at(0)));

        let cache = PresenceCache::new(30);
        for i in 0..MAX_ENTRIES + 5 {
            let key = ObjectKey::parse(&format!("f{i}.pdf")).unwrap();
            cache.found(&conn, &key, at(0));
        }
        assert!(cache.lock().len() <= MAX_ENTRIES);
        let last = ObjectKey::parse(&format!("f{}.pdf", MAX_ENTRIES + 4)).unwrap();
        assert!(cache.recently_found(&conn, &last, at(1)));
    }
}
