DROP TABLE invoices;
DROP TABLE invoice_counters;
DROP TABLE invoice_settings;
