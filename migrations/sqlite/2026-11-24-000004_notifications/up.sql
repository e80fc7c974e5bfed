-- Message templates, rules that send them, and the durable outbox.
CREATE TABLE templates (
    id TEXT PRIMARY KEY NOT NULL,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    language TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    body_html TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (tenant_id, name, language)
);

CREATE TABLE rules (
    id TEXT PRIMARY KEY NOT NULL,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    trigger_kind TEXT NOT NULL CHECK (trigger_kind IN ('order_paid', 'status_changed', 'order_created')),
    trigger_status TEXT,
    template_name TEXT NOT NULL,
    only_digital BOOLEAN NOT NULL,
    channels TEXT,
    language TEXT,
    min_total_minor INTEGER,
    enabled BOOLEAN NOT NULL,
    repeatable BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX rules_tenant_id ON rules (tenant_id, id);

-- A non-repeatable rule fires at most once per order: this row is the proof.
CREATE TABLE rule_firings (
    rule_id TEXT NOT NULL REFERENCES rules (id) ON DELETE CASCADE,
    order_id TEXT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    PRIMARY KEY (rule_id, order_id)
);

CREATE TABLE outbox_messages (
    id TEXT PRIMARY KEY NOT NULL,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    order_id TEXT REFERENCES orders (id) ON DELETE CASCADE,
    rule_id TEXT,
    kind TEXT NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    body_html TEXT,
    message_id TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    attempts INTEGER NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    locked_until TIMESTAMP,
    last_error TEXT,
    sent_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX outbox_messages_due ON outbox_messages (status, next_attempt_at);
CREATE INDEX outbox_messages_order_id ON outbox_messages (order_id, id);
