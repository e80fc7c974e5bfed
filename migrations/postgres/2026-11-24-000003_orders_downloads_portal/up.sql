-- Portal settings, orders with items, download grants, the order history
-- and stored answers for Idempotency-Key replays.
CREATE TABLE portal_settings (
    tenant_id TEXT PRIMARY KEY NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    enabled BOOLEAN NOT NULL,
    title TEXT NOT NULL,
    logo_url TEXT,
    accent_color TEXT NOT NULL,
    welcome_text TEXT NOT NULL,
    footer_text TEXT NOT NULL,
    default_download_limit INTEGER,
    validity_days INTEGER,
    invoice_download BOOLEAN NOT NULL,
    contact_form BOOLEAN NOT NULL,
    support_email TEXT,
    updated_at TIMESTAMP NOT NULL
);

-- The next order number per shop; taken inside the order's transaction.
CREATE TABLE order_counters (
    tenant_id TEXT PRIMARY KEY NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    next_number BIGINT NOT NULL
);

CREATE TABLE orders (
    id TEXT PRIMARY KEY NOT NULL,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    number BIGINT NOT NULL,
    channel TEXT NOT NULL,
    external_ref TEXT,
    customer_name TEXT NOT NULL,
    customer_email TEXT NOT NULL,
    customer_language TEXT NOT NULL,
    billing_address TEXT NOT NULL,
    currency TEXT NOT NULL,
    total_net_minor BIGINT NOT NULL,
    total_vat_minor BIGINT NOT NULL,
    total_gross_minor BIGINT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'paid', 'shipped', 'completed', 'cancelled', 'refunded')),
    paid_at TIMESTAMP,
    portal_code TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (tenant_id, number),
    UNIQUE (tenant_id, channel, external_ref)
);
CREATE INDEX orders_tenant_id ON orders (tenant_id, id);
CREATE INDEX orders_tenant_status ON orders (tenant_id, status, id);
CREATE INDEX orders_tenant_email ON orders (tenant_id, customer_email);

CREATE TABLE order_items (
    id TEXT PRIMARY KEY NOT NULL,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    order_id TEXT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    article_id TEXT REFERENCES articles (id) ON DELETE SET NULL,
    position INTEGER NOT NULL,
    sku TEXT NOT NULL,
    title TEXT NOT NULL,
    quantity INTEGER NOT NULL,
    unit_price_minor BIGINT NOT NULL,
    vat_rate_bp INTEGER NOT NULL
);
CREATE INDEX order_items_order_id ON order_items (order_id, position);

-- One per (order item, linked file). The file is snapshotted so a later
-- change to the article never changes what a customer bought.
CREATE TABLE download_grants (
    id TEXT PRIMARY KEY NOT NULL,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    order_id TEXT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    order_item_id TEXT NOT NULL REFERENCES order_items (id) ON DELETE CASCADE,
    article_file_id TEXT NOT NULL,
    connection_id TEXT NOT NULL,
    object_key TEXT NOT NULL,
    display_name TEXT NOT NULL,
    size BIGINT NOT NULL,
    content_type TEXT,
    position INTEGER NOT NULL,
    max_downloads INTEGER,
    used_downloads INTEGER NOT NULL,
    expires_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (order_item_id, article_file_id)
);
CREATE INDEX download_grants_order_id ON download_grants (order_id, position);

CREATE TABLE history_events (
    id TEXT PRIMARY KEY NOT NULL,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    order_id TEXT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    actor TEXT NOT NULL,
    grant_id TEXT,
    details TEXT NOT NULL,
    ip TEXT,
    user_agent TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX history_events_order_id ON history_events (order_id, id);
CREATE INDEX history_events_grant_id ON history_events (grant_id);

CREATE TABLE idempotency_keys (
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status INTEGER NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, key)
);
