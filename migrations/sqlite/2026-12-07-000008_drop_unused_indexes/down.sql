CREATE INDEX history_events_grant_id ON history_events (grant_id);
CREATE INDEX orders_tenant_email ON orders (tenant_id, customer_email);
