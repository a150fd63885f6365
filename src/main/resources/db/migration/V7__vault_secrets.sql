-- The vault (docs/SECURITY.md, "Secrets"). One row per version of a secret: the value
-- encrypted under its own data key, that key wrapped by a key-encryption key (KEK) held by a
-- key provider (local keyring, PKCS#11 token, AWS KMS). Both are bound by their associated
-- data to (tenant, server, agent, user, name, version): a row copied to another place does
-- not decrypt. Nothing here is secret without the KEK. Portable types only: the binary
-- values are base64 text, absent scopes are '' (primary key columns are never null).
CREATE TABLE vault_secret (
  tenant VARCHAR(200) NOT NULL,
  server VARCHAR(200) NOT NULL,
  agent VARCHAR(200) NOT NULL,       -- '' unless scoped to one agent
  principal VARCHAR(200) NOT NULL,   -- the user's subject; '' unless scoped to one user
  name VARCHAR(100) NOT NULL,
  version BIGINT NOT NULL,
  kek_id VARCHAR(500) NOT NULL,      -- which KEK wrapped the data key (rotation re-wraps)
  wrapped_key TEXT NOT NULL,
  ciphertext TEXT NOT NULL,
  created_at BIGINT NOT NULL,        -- microseconds since the epoch
  PRIMARY KEY (tenant, server, agent, principal, name, version)
);
CREATE INDEX vault_secret_kek ON vault_secret (kek_id);
