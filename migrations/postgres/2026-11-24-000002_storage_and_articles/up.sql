-- Sellers' storage connections, articles and the files linked to them.
CREATE TABLE storage_connections (
    id TEXT PRIMARY KEY NOT NULL,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('s3', 'local')),
    endpoint TEXT,
    region TEXT,
    bucket TEXT,
    root_prefix TEXT NOT NULL,
    path_style BOOLEAN NOT NULL DEFAULT FALSE,
    -- {access_key_id, secret_access_key} sealed with the server key, bound to tenant and row
    credentials_sealed TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    last_checked_at TIMESTAMP,
    last_check_error TEXT
);
CREATE INDEX storage_connections_tenant_id ON storage_connections (tenant_id, id);

CREATE TABLE articles (
    id TEXT PRIMARY KEY NOT NULL,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    sku TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    -- hundredths of the currency unit: exact, never a float
    price_minor BIGINT NOT NULL,
    currency TEXT NOT NULL,
    -- hundredths of a percent: 19 % = 1900
    vat_rate_bp INTEGER NOT NULL,
    active BOOLEAN NOT NULL,
    download_limit INTEGER,
    validity_days INTEGER,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (tenant_id, sku)
);
CREATE INDEX articles_tenant_id ON articles (tenant_id, id);

CREATE TABLE article_files (
    id TEXT PRIMARY KEY NOT NULL,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    article_id TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    -- no cascade: a connection with linked files cannot be deleted
    connection_id TEXT NOT NULL REFERENCES storage_connections (id),
    object_key TEXT NOT NULL,
    display_name TEXT NOT NULL,
    size BIGINT NOT NULL,
    content_type TEXT,
    etag TEXT,
    position INTEGER NOT NULL,
    missing BOOLEAN NOT NULL,
    checked_at TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX article_files_article_id ON article_files (article_id, position);
CREATE INDEX article_files_connection_id ON article_files (connection_id);
