-- How far each configured export has delivered each chain: the seq of the last event it
-- handed over. Advanced only after a delivery succeeded and never moved back, so a restart
-- resumes after it and nothing is skipped (events after it may be delivered again: at least
-- once, duplicates identifiable by chain and seq).
CREATE TABLE audit_export_cursor (
  export VARCHAR(200) NOT NULL,
  chain VARCHAR(200) NOT NULL,
  seq BIGINT NOT NULL,
  PRIMARY KEY (export, chain)
);
