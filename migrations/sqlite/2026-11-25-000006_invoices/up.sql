-- Invoices: per-shop settings, gapless number series, and the issued
-- invoices themselves (immutable snapshot + the PDF rendered from it).
CREATE TABLE invoice_settings (
    tenant_id TEXT PRIMARY KEY NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    company_name TEXT NOT NULL,
    address TEXT NOT NULL,
    vat_id TEXT,
    tax_number TEXT,
    contact TEXT NOT NULL,
    bank_details TEXT NOT NULL,
    footer TEXT NOT NULL,
    number_prefix TEXT NOT NULL,
    number_with_year BOOLEAN NOT NULL,
    number_digits INTEGER NOT NULL,
    issue_mode TEXT NOT NULL CHECK (issue_mode IN ('manual', 'on_paid', 'on_portal_open')),
    updated_at TIMESTAMP NOT NULL
);

-- One row per number series (e.g. "RE-2026-"): the last number taken.
-- Taken in the same transaction that inserts the invoice, so a rollback
-- returns the number and the series never has a gap.
CREATE TABLE invoice_counters (
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    series TEXT NOT NULL,
    last_number INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, series)
);

CREATE TABLE invoices (
    id TEXT PRIMARY KEY NOT NULL,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    order_id TEXT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('invoice', 'cancellation')),
    number TEXT NOT NULL,
    series TEXT NOT NULL,
    sequence INTEGER NOT NULL,
    original_id TEXT REFERENCES invoices (id),
    language TEXT NOT NULL,
    currency TEXT NOT NULL,
    total_net_minor INTEGER NOT NULL,
    total_vat_minor INTEGER NOT NULL,
    total_gross_minor INTEGER NOT NULL,
    snapshot TEXT NOT NULL,
    pdf BLOB,
    issued_at TIMESTAMP NOT NULL,
    UNIQUE (tenant_id, number),
    UNIQUE (tenant_id, series, sequence),
    UNIQUE (order_id, kind)
);
CREATE INDEX invoices_tenant_id ON invoices (tenant_id, id);
