-- Sales channels a shop sells through, with the webhook that carries
-- messages to the customer through that channel; rules choose email or it.
CREATE TABLE sales_channels (
    id TEXT PRIMARY KEY NOT NULL,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    webhook_url TEXT NOT NULL,
    -- the Standard Webhooks signing secret, sealed with the server key
    secret_sealed TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (tenant_id, name)
);

ALTER TABLE rules ADD COLUMN action TEXT NOT NULL DEFAULT 'email';
