-- What the seller's home screen counts, without scanning whole tables.
CREATE INDEX history_events_tenant_kind_time ON history_events (tenant_id, kind, created_at);
CREATE INDEX outbox_messages_tenant_status ON outbox_messages (tenant_id, status, id);
CREATE INDEX article_files_tenant_missing ON article_files (tenant_id, missing);
CREATE INDEX orders_tenant_paid_at ON orders (tenant_id, paid_at);
