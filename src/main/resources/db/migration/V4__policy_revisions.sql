-- Every rule set that has decided calls, by revision (the SHA-256 of the rule set), so a
-- recorded call can be decided again under the rules of its time (bulwark audit replay).
-- Rows are only ever added.
CREATE TABLE policy_revision (
  revision VARCHAR(64) NOT NULL PRIMARY KEY,
  created_at BIGINT NOT NULL, -- microseconds since the epoch
  rules TEXT NOT NULL
);
