DROP TABLE idempotency_keys;
DROP TABLE history_events;
DROP TABLE download_grants;
DROP TABLE order_items;
DROP TABLE orders;
DROP TABLE order_counters;
DROP TABLE portal_settings;
