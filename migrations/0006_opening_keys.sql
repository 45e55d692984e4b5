-- 0006_opening_keys.sql — the time lock of sealed bids (docs/envelope.md §7): each lot's opening
-- public key, the Feldman commitments of its split private scalar, and each custodian's share
-- sealed (HPKE) to that custodian's registered key. The private scalar is never stored.

CREATE TABLE opening_keys (
    id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    project_id   BIGINT UNSIGNED NOT NULL,
    lot_seq      INT NOT NULL,
    key_id       CHAR(64) CHARACTER SET ascii NOT NULL COMMENT 'hex SHA-256 of public_key',
    public_key   BINARY(65) NOT NULL COMMENT 'uncompressed P-256 point',
    threshold    TINYINT UNSIGNED NOT NULL,
    custodians   TINYINT UNSIGNED NOT NULL,
    commitments  VARBINARY(1040) NOT NULL COMMENT 'threshold x 65-byte points, in order',
    created_by   BIGINT UNSIGNED NOT NULL,
    created_us   BIGINT NOT NULL,
    UNIQUE KEY uq_opening_lot (project_id, lot_seq),
    UNIQUE KEY uq_opening_key_id (key_id),
    CONSTRAINT fk_opening_lot FOREIGN KEY (project_id, lot_seq) REFERENCES project_lots (project_id, seq)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE opening_shares (
    opening_key       BIGINT UNSIGNED NOT NULL,
    x                 TINYINT UNSIGNED NOT NULL COMMENT 'share index, 1..custodians',
    custodian_user    BIGINT UNSIGNED NOT NULL,
    custodian_key_id  CHAR(64) CHARACTER SET ascii NOT NULL,
    enc               BINARY(65) NOT NULL COMMENT 'HPKE encapsulated key',
    sealed            BINARY(48) NOT NULL COMMENT 'the 32-byte share sealed with AES-256-GCM',
    PRIMARY KEY (opening_key, x),
    UNIQUE KEY uq_share_custodian (opening_key, custodian_user),
    CONSTRAINT fk_share_key FOREIGN KEY (opening_key) REFERENCES opening_keys (id),
    CONSTRAINT fk_share_user FOREIGN KEY (custodian_user) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
