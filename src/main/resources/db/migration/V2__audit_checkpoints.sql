-- Signed checkpoints, retention anchors and the public keys that sign them (docs/AUDIT.md).

-- A checkpoint is inserted by the committer in the same transaction as the events it covers,
-- so it never names an event that is not durable. statement fields: see Checkpoint.java;
-- signature is the base64 Ed25519 signature of their canonical JSON.
CREATE TABLE audit_checkpoint (
  chain VARCHAR(200) NOT NULL,
  seq BIGINT NOT NULL,
  head VARCHAR(64) NOT NULL,
  signed_at BIGINT NOT NULL, -- microseconds since the epoch
  previous BIGINT NOT NULL,  -- the seq of the chain's checkpoint before this one, 0 for none
  key_id VARCHAR(100) NOT NULL,
  signature VARCHAR(200) NOT NULL,
  PRIMARY KEY (chain, seq)
);

-- Where a chain starts after retention pruned its prefix: the events through seq are gone,
-- the first remaining event's prev is head. One row per pruned chain, replaced by each prune.
CREATE TABLE audit_anchor (
  chain VARCHAR(200) NOT NULL PRIMARY KEY,
  seq BIGINT NOT NULL,
  head VARCHAR(64) NOT NULL,
  signed_at BIGINT NOT NULL,
  key_id VARCHAR(100) NOT NULL,
  signature VARCHAR(200) NOT NULL
);

-- The public keys of the nodes that sign checkpoints. Recorded for convenience: whoever can
-- write the store can add a key here, so an auditor pins keys with --trust-key.
CREATE TABLE audit_key (
  key_id VARCHAR(100) NOT NULL PRIMARY KEY,
  public_key VARCHAR(100) NOT NULL,
  added_at BIGINT NOT NULL
);
