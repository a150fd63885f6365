-- The audit store. One migration set for SQLite and PostgreSQL: only types and statements
-- both understand (BIGINT, VARCHAR, TEXT, composite primary keys).

-- The head of each hash chain (one per tenant, one for the gateway itself). A committing
-- transaction locks the row of every chain it extends, so several gateway nodes writing
-- the same database extend each chain one after the other.
CREATE TABLE audit_chain (
  chain VARCHAR(200) NOT NULL PRIMARY KEY,
  seq BIGINT NOT NULL,
  head VARCHAR(64) NOT NULL
);

-- Each event exactly as hashed: body is the RFC 8785 canonical JSON of the event with its
-- chain fields (chain, seq, prev) and without hash; hash is SHA-256 of body's UTF-8 bytes.
-- The primary key (chain, seq) is the backstop against two writers taking the same place.
CREATE TABLE audit_event (
  chain VARCHAR(200) NOT NULL,
  seq BIGINT NOT NULL,
  prev VARCHAR(64) NOT NULL,
  hash VARCHAR(64) NOT NULL,
  exchange_id VARCHAR(200) NOT NULL,
  type VARCHAR(100) NOT NULL,
  recorded_at BIGINT NOT NULL, -- the event's time, microseconds since the epoch
  body TEXT NOT NULL,
  PRIMARY KEY (chain, seq)
);
CREATE INDEX audit_event_exchange ON audit_event (exchange_id);
CREATE INDEX audit_event_time ON audit_event (recorded_at);

-- Calls whose intent is recorded and whose outcome is not yet. The row is added in the
-- transaction of the intent and removed in the transaction of the outcome (or of the
-- interrupted record written for it at start), so each intent is closed exactly once.
CREATE TABLE audit_intent (
  exchange_id VARCHAR(200) NOT NULL PRIMARY KEY,
  chain VARCHAR(200) NOT NULL,
  node VARCHAR(100) NOT NULL,
  body TEXT NOT NULL
);
