//! Rows and queries for articles and their files. Every query takes the
//! caller's tenant.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

use crate::db::schema::{article_files, articles};
use crate::db::{DbConnection, contains_pattern, lower};
use crate::error::ApiError;

/// An article.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = articles, treat_none_as_null = true)]
pub struct Article {
    /// Id.
    pub id: String,
    /// The shop.
    pub tenant_id: String,
    /// Stock-keeping unit, unique per shop.
    pub sku: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Price in hundredths.
    pub price_minor: i64,
    /// ISO 4217.
    pub currency: String,
    /// VAT in hundredths of a percent.
    pub vat_rate_bp: i32,
    /// Can be sold.
    pub active: bool,
    /// Allowed downloads per unit; `None` = the shop's default.
    pub download_limit: Option<i32>,
    /// Days available after payment; `None` = the shop's default.
    pub validity_days: Option<i32>,
    /// Created.
    pub created_at: NaiveDateTime,
    /// Last changed.
    pub updated_at: NaiveDateTime,
}

/// A file linked to an article.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = article_files)]
pub struct ArticleFile {
    /// Id.
    pub id: String,
    /// The shop.
    pub tenant_id: String,
    /// The article.
    pub article_id: String,
    /// Where the object lives.
    pub connection_id: String,
    /// Key relative to the connection's special folder.
    pub object_key: String,
    /// The name the customer's file is saved under.
    pub display_name: String,
    /// Bytes, when last checked.
    pub size: i64,
    /// MIME type.
    pub content_type: Option<String>,
    /// Entity tag, when last checked.
    pub etag: Option<String>,
    /// Order within the article, from 0.
    pub position: i32,
    /// The object was gone when last checked.
    pub missing: bool,
    /// Last existence check.
    pub checked_at: NaiveDateTime,
    /// Linked.
    pub created_at: NaiveDateTime,
}

fn sku_conflict(err: DieselError) -> ApiError {
    match err {
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => ApiError::Conflict {
            code: "sku_taken",
            detail: "Another article of this shop has this SKU.".into(),
        },
        other => other.into(),
    }
}

/// Inserts an article; a taken SKU is 409 `sku_taken`.
pub fn insert_article(conn: &mut DbConnection, article: &Article) -> Result<(), ApiError> {
    diesel::insert_into(articles::table)
        .values(article)
        .execute(conn)
        .map_err(sku_conflict)?;
    Ok(())
}

/// Writes back a changed article (tenant-checked).
pub fn save_article(conn: &mut DbConnection, article: &Article) -> Result<(), ApiError> {
    let changed = diesel::update(articles::table)
        .filter(articles::tenant_id.eq(&article.tenant_id))
        .filter(articles::id.eq(&article.id))
        .set(article)
        .execute(conn)
        .map_err(sku_conflict)?;
    if changed == 0 {
        return Err(ApiError::NotFound);
    }
    Ok(())
}

/// One of the shop's articles.
pub fn find_article(
    conn: &mut DbConnection,
    tenant_id: &str,
    id: &str,
) -> Result<Article, ApiError> {
    Ok(articles::table
        .filter(articles::tenant_id.eq(tenant_id))
        .filter(articles::id.eq(id))
        .select(Article::as_select())
        .first(conn)?)
}

/// Deletes one of the shop's articles with its file links.
pub fn delete_article(conn: &mut DbConnection, tenant_id: &str, id: &str) -> Result<(), ApiError> {
    conn.transaction(|conn| {
        find_article(conn, tenant_id, id)?;
        diesel::delete(article_files::table)
            .filter(article_files::tenant_id.eq(tenant_id))
            .filter(article_files::article_id.eq(id))
            .execute(conn)?;
        diesel::delete(articles::table)
            .filter(articles::tenant_id.eq(tenant_id))
            .filter(articles::id.eq(id))
            .execute(conn)?;
        Ok(())
    })
}

/// One page of the shop's articles, newest first (keyset on the
/// time-ordered id), optionally filtered by a search in SKU and title.
pub fn list_articles(
    conn: &mut DbConnection,
    tenant_id: &str,
    search: Option<&str>,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<Article>, ApiError> {
    let mut query = articles::table
        .select(Article::as_select())
        .order((articles::tenant_id.desc(), articles::id.desc()))
        .limit(limit)
        .into_boxed();
    query = crate::keyset_by_tenant!(query, conn, articles, tenant_id, after);
    if let Some(search) = search {
        let pattern = contains_pattern(search);
        query = query.filter(
            lower(articles::sku)
                .like(pattern.clone())
                .escape('\\')
                .or(lower(articles::title).like(pattern).escape('\\')),
        );
    }
    Ok(query.load(conn)?)
}

/// How many files each of these articles has.
pub fn file_counts(
    conn: &mut DbConnection,
    tenant_id: &str,
    ids: &[String],
) -> Result<Vec<(String, i64)>, ApiError> {
    use diesel::dsl::count_star;
    Ok(article_files::table
        .filter(article_files::tenant_id.eq(tenant_id))
        .filter(article_files::article_id.eq_any(ids))
        .group_by(article_files::article_id)
        .select((article_files::article_id, count_star()))
        .load(conn)?)
}

/// The article's files in order.
pub fn list_files(
    conn: &mut DbConnection,
    tenant_id: &str,
    article_id: &str,
) -> Result<Vec<ArticleFile>, ApiError> {
    Ok(article_files::table
        .filter(article_files::tenant_id.eq(tenant_id))
        .filter(article_files::article_id.eq(article_id))
        .order((article_files::position.asc(), article_files::id.asc()))
        .select(ArticleFile::as_select())
        .load(conn)?)
}

/// One file of one of the shop's articles.
pub fn find_file(
    conn: &mut DbConnection,
    tenant_id: &str,
    article_id: &str,
    file_id: &str,
) -> Result<ArticleFile, ApiError> {
    Ok(article_files::table
        .filter(article_files::tenant_id.eq(tenant_id))
        .filter(article_files::article_id.eq(article_id))
        .filter(article_files::id.eq(file_id))
        .select(ArticleFile::as_select())
        .first(conn)?)
}

/// Most files one article may have.
pub const MAX_FILES_PER_ARTICLE: usize = 200;

/// Appends a file to the article (after its last file).
pub fn insert_file(
    conn: &mut DbConnection,
    mut file: ArticleFile,
) -> Result<ArticleFile, ApiError> {
    conn.transaction(|conn| {
        let existing = list_files(conn, &file.tenant_id, &file.article_id)?;
        if existing.len() >= MAX_FILES_PER_ARTICLE {
            return Err(ApiError::Conflict {
                code: "too_many_files",
                detail: format!("An article can have at most {MAX_FILES_PER_ARTICLE} files."),
            });
        }
        file.position = i32::try_from(existing.len()).unwrap_or(i32::MAX);
        diesel::insert_into(article_files::table)
            .values(&file)
            .execute(conn)?;
        Ok(file)
    })
}

/// Renames a file and/or moves it to `position` (0-based; the others shift).
pub fn update_file(
    conn: &mut DbConnection,
    tenant_id: &str,
    article_id: &str,
    file_id: &str,
    display_name: Option<&str>,
    position: Option<usize>,
) -> Result<ArticleFile, ApiError> {
    conn.transaction(|conn| {
        let file = find_file(conn, tenant_id, article_id, file_id)?;
        if let Some(name) = display_name {
            diesel::update(article_files::table.find(&file.id))
                .set(article_files::display_name.eq(name))
                .execute(conn)?;
        }
        if let Some(position) = position {
            let mut order: Vec<String> = list_files(conn, tenant_id, article_id)?
                .into_iter()
                .map(|f| f.id)
                .filter(|id| *id != file.id)
                .collect();
            order.insert(position.min(order.len()), file.id.clone());
            renumber(conn, &order)?;
        }
        find_file(conn, tenant_id, article_id, file_id)
    })
}

fn renumber(conn: &mut DbConnection, order: &[String]) -> Result<(), ApiError> {
    for (index, id) in order.iter().enumerate() {
        diesel::update(article_files::table.find(id))
            .set(article_files::position.eq(i32::try_from(index).unwrap_or(i32::MAX)))
            .execute(conn)?;
    }
    Ok(())
}

/// Unlinks a file and closes the gap in the order.
pub fn delete_file(
    conn: &mut DbConnection,
    tenant_id: &str,
    article_id: &str,
    file_id: &str,
) -> Result<(), ApiError> {
    conn.transaction(|conn| {
        let file = find_file(conn, tenant_id, article_id, file_id)?;
        diesel::delete(article_files::table.find(&file.id)).execute(conn)?;
        let order: Vec<String> = list_files(conn, tenant_id, article_id)?
            .into_iter()
            .map(|f| f.id)
            .collect();
        renumber(conn, &order)
    })
}

/// Files linked through one connection (for re-checking), bounded.
pub fn files_of_connection(
    conn: &mut DbConnection,
    tenant_id: &str,
    connection_id: &str,
    limit: i64,
) -> Result<Vec<ArticleFile>, ApiError> {
    Ok(article_files::table
        .filter(article_files::tenant_id.eq(tenant_id))
        .filter(article_files::connection_id.eq(connection_id))
        .order(article_files::id.asc())
        .limit(limit)
        .select(ArticleFile::as_select())
        .load(conn)?)
}

/// Records the result of an existence check.
pub fn mark_checked(
    conn: &mut DbConnection,
    file_id: &str,
    missing: bool,
    size: Option<i64>,
    etag: Option<String>,
    at: NaiveDateTime,
) -> Result<(), ApiError> {
    match size {
        Some(size) => diesel::update(article_files::table.find(file_id))
            .set((
                article_files::missing.eq(missing),
                article_files::checked_at.eq(at),
                article_files::size.eq(size),
                article_files::etag.eq(etag),
            ))
            .execute(conn)?,
        None => diesel::update(article_files::table.find(file_id))
            .set((
                article_files::missing.eq(missing),
                article_files::checked_at.eq(at),
            ))
            .execute(conn)?,
    };
    Ok(())
}
