DROP TABLE outbox_messages;
DROP TABLE rule_firings;
DROP TABLE rules;
DROP TABLE templates;
