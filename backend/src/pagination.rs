//! Keyset paging shared by every list: `limit` and `cursor` parameters, and
//! the split of a `limit + 1` query result into a page and the next cursor.
//! Cursors are the last id of the previous page (ids are time-ordered UUIDs).
//! A shop's lists narrow to the shop and the cursor with
//! [`keyset_by_tenant!`](crate::keyset_by_tenant), which words it per database.

use uuid::Uuid;

use crate::error::ApiError;

/// Page size when none is asked for.
const DEFAULT_LIMIT: i64 = 50;
/// Largest page size.
const MAX_LIMIT: u32 = 200;

/// A parsed page request.
pub struct PageRequest {
    /// Items per page.
    pub limit: i64,
    /// Items after this id (in list order); none = the first page.
    pub after: Option<String>,
}

impl PageRequest {
    /// Parses the query parameters, naming the field that is wrong.
    pub fn parse(limit: Option<u32>, cursor: Option<String>) -> Result<Self, ApiError> {
        let limit = match limit {
            None => DEFAULT_LIMIT,
            Some(n @ 1..=MAX_LIMIT) => i64::from(n),
            Some(_) => {
                return Err(ApiError::field(
                    "limit",
                    format!("must be between 1 and {MAX_LIMIT}"),
                ));
            }
        };
        let after = cursor.filter(|c| !c.is_empty());
        if let Some(c) = &after {
            Uuid::parse_str(c)
                .map_err(|_| ApiError::field("cursor", "is not a cursor from a previous page"))?;
        }
        Ok(Self { limit, after })
    }

    /// Rows to fetch: one more than the page, to know whether another follows.
    pub fn fetch(&self) -> i64 {
        self.limit + 1
    }

    /// The page and, when more rows follow, the cursor of the next page.
    pub fn split<T>(
        &self,
        mut rows: Vec<T>,
        id: impl Fn(&T) -> String,
    ) -> (Vec<T>, Option<String>) {
        let page = usize::try_from(self.limit).unwrap_or(usize::MAX);
        let more = rows.len() > page;
        rows.truncate(page);
        let next = if more { rows.last().map(id) } else { None };
        (rows, next)
    }
}

/// Narrows a boxed query on `$table` (ordered by `tenant_id` desc, then `id`
/// desc, with a `(tenant_id, id)` index) to one shop's rows before the
/// cursor, if any. Only that index serves such a list at every depth, and
/// each database needs its own words to see that:
///
/// - With `tenant_id = ?` PostgreSQL drops the shop from the ordering and
///   prefers the id index (ids and rows are both in time order), walking back
///   past every row of the shops created later (a 10 000-order shop's first
///   page beside a 100 000-order one: 500 ms); a one-value range keeps the
///   shop in the ordering.
/// - A cursor page on PostgreSQL then needs a row comparison: after a range
///   on the shop, `id < ?` cannot position the scan, and PostgreSQL walked
///   and sorted the shop's newer rows instead (a deep page beside a
///   million-order shop: 64 ms).
/// - SQLite needs the equality: after a range it cannot seek to a deep
///   page's cursor (18 req/s).
///
/// Same rows every way. A macro, because the columns differ per table.
#[macro_export]
macro_rules! keyset_by_tenant {
    ($query:expr, $conn:expr, $table:ident, $tenant_id:expr, $before:expr) => {{
        use diesel::prelude::*;
        use $crate::db::schema::$table;
        let tenant: String = $tenant_id.to_owned();
        match (&*$conn, $before) {
            ($crate::db::DbConnection::Pg(_), None) => $query
                .filter($table::tenant_id.ge(tenant.clone()))
                .filter($table::tenant_id.le(tenant)),
            ($crate::db::DbConnection::Pg(_), Some(before)) => {
                $query.filter($table::tenant_id.ge(tenant.clone())).filter(
                    diesel::dsl::sql::<diesel::sql_types::Bool>(concat!(
                        "(",
                        stringify!($table),
                        ".tenant_id, ",
                        stringify!($table),
                        ".id) < ("
                    ))
                    .bind::<diesel::sql_types::Text, _>(tenant)
                    .sql(", ")
                    .bind::<diesel::sql_types::Text, _>(before.to_owned())
                    .sql(")"),
                )
            }
            ($crate::db::DbConnection::Sqlite(_), before) => {
                let query = $query.filter($table::tenant_id.eq(tenant));
                match before {
                    Some(before) => query.filter($table::id.lt(before.to_owned())),
                    None => query,
                }
            }
        }
    }};
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_and_cursors_are_checked_and_pages_split() {
        assert!(PageRequest::parse(Some(0), None).is_err());
        assert!(PageRequest::parse(Some(201), None).is_err());
        assert!(PageRequest::parse(None, Some("nope".into())).is_err());
        let page = PageRequest::parse(Some(2), Some(String::new())).unwrap();
        assert_eq!(
            (page.limit, page.after.is_none(), page.fetch()),
            (2, true, 3)
        );
        assert_eq!(
            page.split(vec![1, 2, 3], |n| n.to_string()),
            (vec![1, 2], Some("2".into()))
        );
        assert_eq!(
            page.split(vec![1, 2], |n| n.to_string()),
            (vec![1, 2], None)
        );
    }
}
