-- 0003_audit_checkpoints.sql — signed checkpoints of the audit log, supervisors'
-- cosignatures, and the deadlines at which a checkpoint must be signed.

-- One row per signed tree size. note is the complete signed note (c2sp.org/tlog-checkpoint),
-- exactly as signed; kind says why it was signed.
CREATE TABLE audit_checkpoints (
    size       BIGINT UNSIGNED NOT NULL PRIMARY KEY,
    root       BINARY(32) NOT NULL,
    signed_us  BIGINT NOT NULL,
    kind       ENUM('periodic','requested','deadline') NOT NULL,
    note       TEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    KEY ix_checkpoint_time (signed_us)
) ENGINE=InnoDB;

-- A supervisor's cosignature of a checkpoint: one signed-note signature line (type 0x02, their
-- registered ECDSA P-256 key). At most one per supervisor and size.
CREATE TABLE audit_cosignatures (
    size       BIGINT UNSIGNED NOT NULL,
    user_id    BIGINT UNSIGNED NOT NULL,
    key_id     CHAR(64) CHARACTER SET ascii NOT NULL,
    line       VARCHAR(600) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    signed_us  BIGINT NOT NULL,
    PRIMARY KEY (size, user_id),
    KEY ix_cosig_user (user_id, size),
    CONSTRAINT fk_cosig_checkpoint FOREIGN KEY (size) REFERENCES audit_checkpoints (size),
    CONSTRAINT fk_cosig_user FOREIGN KEY (user_id) REFERENCES users (id)
) ENGINE=InnoDB;

-- Deadlines (bid deadlines, ...) at which the sequencer must sign a checkpoint. Once signed,
-- checkpoint_size says which checkpoint covers everything committed before the deadline.
CREATE TABLE audit_deadlines (
    id               BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    deadline_us      BIGINT NOT NULL,
    label            VARCHAR(200) NOT NULL,
    project_id       BIGINT UNSIGNED NULL,
    checkpoint_size  BIGINT UNSIGNED NULL,
    signed_us        BIGINT NULL,
    KEY ix_deadline_due (checkpoint_size, deadline_us)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The log's verifier keys, current and past (signed-note vkey form), so that old checkpoints
-- stay verifiable after a key rotation.
CREATE TABLE audit_keys (
    vkey           VARCHAR(300) CHARACTER SET ascii NOT NULL PRIMARY KEY,
    first_used_us  BIGINT NOT NULL
) ENGINE=InnoDB;
