-- Gateway nodes writing the store, with the time each last said it is alive. An open intent
-- is taken as interrupted only when its node is this one restarting, or has left (no row),
-- or has not beaten for a while: another live node's calls in flight are left alone.
CREATE TABLE audit_node (
  node VARCHAR(100) NOT NULL PRIMARY KEY,
  heartbeat_at BIGINT NOT NULL -- microseconds since the epoch
);
