ALTER TABLE rules DROP COLUMN action;
DROP TABLE sales_channels;
