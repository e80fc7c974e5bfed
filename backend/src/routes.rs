//! The route table: every API route of the product, in one place.

use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

use actix_web::dev::ResourceDef;
use actix_web::middleware::DefaultHeaders;

use crate::{
    api_keys, articles, auth, health, invoices, metrics, notifications, orders, overview, portal,
    storage,
};

/// Every documented route.
pub fn api(cfg: &mut ServiceConfig<'_>) {
    cfg.service(health::get_health)
        .service(metrics::get_metrics)
        .service(storage::local::download_local_file)
        .service(
            scope::scope("/api/v1")
                .configure(auth::routes::configure)
                .configure(api_keys::routes::configure)
                .configure(storage::routes::configure)
                .configure(articles::routes::configure)
                .configure(orders::routes::configure)
                .configure(portal::settings::configure)
                .configure(notifications::templates::configure)
                .configure(notifications::rules::configure)
                .configure(notifications::outbox::configure)
                .configure(notifications::channels::configure)
                .configure(invoices::settings::configure)
                .configure(invoices::routes::configure)
                .configure(overview::configure),
        )
        .service(
            scope::scope("/api/portal")
                // The code is in the URL: keep it out of referrers, indexes and caches.
                .wrap(
                    DefaultHeaders::new()
                        .add(("Referrer-Policy", "no-referrer"))
                        .add(("X-Robots-Tag", "noindex, nofollow"))
                        .add(("Cache-Control", "no-store")),
                )
                .configure(portal::routes::configure),
        );
}

/// The methods each documented path takes, so that a known path called with
/// another method answers 405 with `Allow` (what HTTP asks for) rather than
/// the 404 of an unknown path.
pub struct MethodTable(Vec<(ResourceDef, bool, String)>);

impl MethodTable {
    /// Reads the paths and their methods from the API document.
    pub fn from_document(doc: &utoipa::openapi::OpenApi) -> Self {
        let entries = doc
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let methods = [
                    ("GET", item.get.is_some()),
                    ("HEAD", item.head.is_some()),
                    ("POST", item.post.is_some()),
                    ("PUT", item.put.is_some()),
                    ("PATCH", item.patch.is_some()),
                    ("DELETE", item.delete.is_some()),
                    ("OPTIONS", item.options.is_some()),
                ];
                let allow: Vec<&str> = methods
                    .iter()
                    .filter(|(_, has)| *has)
                    .map(|(name, _)| *name)
                    .collect();
                let def = ResourceDef::new(path.as_str());
                let is_static = !def.is_prefix() && !path.contains('{');
                (def, is_static, allow.join(", "))
            })
            .collect();
        MethodTable(entries)
    }

    /// The `Allow` value of a documented path without parameters that
    /// `path` is exactly (`/orders/import`).
    pub fn fixed_path_allows(&self, path: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(def, is_static, _)| *is_static && def.is_match(path))
            .map(|(.., allow)| allow.as_str())
    }

    /// The `Allow` value for `path`, when it is a documented path. A fixed
    /// path (`/orders/import`) wins over a template that also matches it
    /// (`/orders/{id}`).
    pub fn allowed(&self, path: &str) -> Option<&str> {
        let mut matching = self.0.iter().filter(|(def, ..)| def.is_match(path));
        let first = matching.next()?;
        let exact = std::iter::once(first)
            .chain(matching)
            .find(|(_, is_static, _)| *is_static);
        Some(exact.unwrap_or(first).2.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_paths_name_their_methods_and_fixed_paths_win() {
        let table = MethodTable::from_document(&crate::openapi::document());
        assert_eq!(table.allowed("/api/v1/orders"), Some("GET, POST"));
        assert_eq!(table.allowed("/api/v1/orders/import"), Some("POST"));
        assert_eq!(
            table.allowed("/api/v1/orders/0190f5a0-0000-7000-8000-000000000000"),
            Some("GET, PATCH")
        );
        assert_eq!(table.allowed("/api/v1/nothing-here"), None);
        assert_eq!(table.allowed("/api/v1/orders/a/b/c"), None);
        assert_eq!(
            table.fixed_path_allows("/api/v1/orders/import"),
            Some("POST")
        );
        assert_eq!(table.fixed_path_allows("/api/v1/orders/some-id"), None);
    }
}
