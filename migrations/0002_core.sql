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

-- The audit log (docs/audit.md).
--
-- A state change queues its entry in its own transaction: a row of audit_entries with idx NULL
-- holding the canonical entry in two parts around its index (entry = head || index || tail).
-- That insert touches no shared row, so appends commit (and group-commit) like any insert.
-- The sequencer (server/audit.c) then takes committed rows in qid order under the head row's
-- lock, gives each the next dense index, writes entry and nodes, and extends the tree in
-- audit_head — in batches, one transaction each. Indexes are dense without AUTO_INCREMENT,
-- also on a multi-primary Galera cluster (sequencers of different nodes conflict on the head
-- row; the loser's batch is retried).
--
-- nodes holds the leaf hash SHA-256(0x00 || entry) followed by the root of every perfect
-- subtree this leaf completed (level 1, 2, ...): node (level L, index k) is in the row with
-- idx ((k+1) << L) - 1, at byte 32*L. audit_head.frontier holds the roots of the perfect
-- subtrees that make up the current tree, largest first (32 bytes each).
CREATE TABLE audit_head (
    id        TINYINT UNSIGNED NOT NULL PRIMARY KEY,
    size      BIGINT UNSIGNED NOT NULL,
    frontier  VARBINARY(2048) NOT NULL
) ENGINE=InnoDB;
INSERT INTO audit_head (id, size, frontier) VALUES (1, 0, '');

CREATE TABLE audit_entries (
    qid            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    idx            BIGINT UNSIGNED NULL COMMENT 'dense log index, NULL until sequenced',
    recorded_us    BIGINT NOT NULL COMMENT 'time of record, also in the entry as time_us',
    action         VARCHAR(64) CHARACTER SET ascii NOT NULL,
    actor_user_id  BIGINT UNSIGNED NULL,
    object_type    VARCHAR(32) CHARACTER SET ascii NOT NULL,
    object_id      BIGINT NOT NULL,
    project_id     BIGINT UNSIGNED NULL,
    head           MEDIUMBLOB NULL COMMENT 'canonical entry before its index, until sequenced',
    tail           MEDIUMBLOB NULL COMMENT 'canonical entry after its index, until sequenced',
    entry          MEDIUMBLOB NULL COMMENT 'canonical JSON, stored exactly as hashed',
    nodes          VARBINARY(2080) NULL COMMENT 'leaf hash, then completed subtree roots',
    UNIQUE KEY uq_audit_idx (idx),
    -- Only the keys a query uses: every index costs every append. The project key leaves idx
    -- out, so giving an entry its index rewrites uq_audit_idx alone.
    KEY ix_audit_project (project_id)
) ENGINE=InnoDB;
