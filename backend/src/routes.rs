//! The route table: every API route of the product, in one place.

use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

use actix_web::middleware::DefaultHeaders;

use crate::{api_keys, articles, auth, health, metrics, notifications, orders, portal, storage};

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
                .configure(notifications::channels::configure),
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
