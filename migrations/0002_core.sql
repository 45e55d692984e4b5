-- 0002_core.sql — what the core keeps for every module: idempotency records and the audit log.

-- A creating POST with an Idempotency-Key stores its answer here in the same transaction as
-- the change, so a retry returns the first answer and creates nothing.
CREATE TABLE idempotency (
    user_id       BIGINT UNSIGNED NOT NULL,
    idem_key      VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    request_hash  BINARY(32) NOT NULL COMMENT 'SHA-256 of method, path and body',
    status        SMALLINT NOT NULL,
    response      MEDIUMBLOB NOT NULL,
    created_us    BIGINT NOT NULL,
    PRIMARY KEY (user_id, idem_key),
    KEY ix_idem_created (created_us)
) ENGINE=InnoDB;

-- The audit log: one row per entry, idx dense from 0. The head row is locked by every append
-- so indexes are allocated without gaps, also on a multi-primary Galera cluster (a conflict
-- there is a certification failure that the transaction helper retries).
CREATE TABLE audit_head (
    id    TINYINT UNSIGNED NOT NULL PRIMARY KEY,
    size  BIGINT UNSIGNED NOT NULL
) ENGINE=InnoDB;
INSERT INTO audit_head (id, size) VALUES (1, 0);

CREATE TABLE audit_entries (
    idx          BIGINT UNSIGNED NOT NULL PRIMARY KEY,
    recorded_us  BIGINT NOT NULL,
    action       VARCHAR(64) CHARACTER SET ascii NOT NULL,
    project_id   BIGINT UNSIGNED NULL,
    entry        MEDIUMBLOB NOT NULL COMMENT 'canonical JSON, stored exactly as hashed',
    leaf_hash    BINARY(32) NOT NULL COMMENT 'SHA-256(0x00 || entry), RFC 6962',
    KEY ix_audit_project (project_id, idx)
) ENGINE=InnoDB;
