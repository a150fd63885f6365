-- Approval requests (issue 8): a call held by an approval gate, bound to the SHA-256 of its
-- tenant, agent, user, delegation chain, server, item, canonical arguments and policy
-- revision. Status moves pending -> granted | denied | expired, and granted -> consumed
-- (or expired) by conditional UPDATEs, so a request is consumed at most once however many
-- nodes and retries race. At most one open (pending or granted) request per binding.
CREATE TABLE approval_request (
  id VARCHAR(64) NOT NULL PRIMARY KEY,
  binding VARCHAR(64) NOT NULL,
  tenant VARCHAR(128) NOT NULL,
  agent VARCHAR(128) NOT NULL,
  user_subject VARCHAR(256),
  chain TEXT NOT NULL,          -- JSON array of delegating agents, outermost first
  server VARCHAR(128) NOT NULL,
  kind VARCHAR(16) NOT NULL,
  item VARCHAR(256) NOT NULL,
  tiers TEXT NOT NULL,          -- JSON array
  arguments TEXT NOT NULL,      -- sanitized (secrets redacted), for people to judge
  justification TEXT,           -- what the agent said, untrusted
  gates TEXT NOT NULL,          -- JSON: the gates that asked and what each requires
  flow_labels TEXT NOT NULL,    -- JSON array: the caller's flow labels when asked
  policy_revision VARCHAR(64) NOT NULL,
  status VARCHAR(16) NOT NULL,
  created_at BIGINT NOT NULL,   -- microseconds since the epoch
  expires_at BIGINT NOT NULL,
  decided_at BIGINT,
  decided_reason TEXT,
  consumed_at BIGINT,
  consumed_by VARCHAR(128)      -- the exchange that ran under it
);
CREATE INDEX approval_request_binding ON approval_request (binding);
CREATE INDEX approval_request_status ON approval_request (status);
CREATE UNIQUE INDEX approval_request_open ON approval_request (binding) WHERE status IN ('pending', 'granted');

-- One vote per approver per request: distinct approvers are enforced by the key.
CREATE TABLE approval_vote (
  request_id VARCHAR(64) NOT NULL,
  approver VARCHAR(128) NOT NULL,
  vote VARCHAR(8) NOT NULL,     -- approve | deny
  roles TEXT NOT NULL,          -- JSON array: the approver's roles when voting
  reason TEXT,
  at BIGINT NOT NULL,
  PRIMARY KEY (request_id, approver)
);
