-- 0007_bids.sql — sealed bids and their opening (docs/envelope.md §8–§9). A bid row records an
-- envelope the platform stored durably (the bytes live in bids.store_dir, named by their
-- SHA-256); revisions supersede each other and a bid may be withdrawn before the deadline.
-- An opening holds the custodians' shares handed in at the opening time, the per-bid outcome,
-- objections raised on the spot, and — once every envelope is opened — the opening private key,
-- published so anyone can re-derive every content key.

CREATE TABLE bids (
    id               BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    project_id       BIGINT UNSIGNED NOT NULL,
    lot_seq          INT NOT NULL,
    bidder_org_id    BIGINT UNSIGNED NOT NULL,
    bidder_user_id   BIGINT UNSIGNED NOT NULL,
    revision         INT NOT NULL,
    signer_key_id    CHAR(64) CHARACTER SET ascii NOT NULL,
    envelope_sha256  BINARY(32) NOT NULL,
    size             BIGINT NOT NULL,
    received_us      BIGINT NOT NULL COMMENT 'time of record: the bid.receive audit entry''s',
    audit_index      BIGINT NULL COMMENT 'index of the bid.receive entry, set when sequenced',
    state            ENUM('current','superseded','withdrawn') NOT NULL,
    state_us         BIGINT NOT NULL,
    open_status      ENUM('opened','rejected') NULL,
    open_class       ENUM('revocation','withdrawal') NULL COMMENT '撤销 (bidder) / 撤回 (platform)',
    open_reason      VARCHAR(300) NULL,
    summary          TEXT NULL COMMENT 'the opening summary as sealed (canonical JSON)',
    price_fen        BIGINT NULL,
    opened_us        BIGINT NULL,
    UNIQUE KEY uq_bid_revision (project_id, lot_seq, bidder_org_id, revision),
    UNIQUE KEY uq_bid_envelope (envelope_sha256),
    KEY ix_bid_lot (project_id, lot_seq, state),
    CONSTRAINT fk_bid_lot FOREIGN KEY (project_id, lot_seq) REFERENCES project_lots (project_id, seq),
    CONSTRAINT fk_bid_org FOREIGN KEY (bidder_org_id) REFERENCES organizations (id),
    CONSTRAINT fk_bid_user FOREIGN KEY (bidder_user_id) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE openings (
    id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    opening_key   BIGINT UNSIGNED NOT NULL,
    project_id    BIGINT UNSIGNED NOT NULL,
    lot_seq       INT NOT NULL,
    state         ENUM('awaiting_shares','opening','opened','failed') NOT NULL,
    bids          INT NOT NULL COMMENT 'current bids when the opening started',
    started_by    BIGINT UNSIGNED NOT NULL,
    started_us    BIGINT NOT NULL,
    completed_us  BIGINT NULL,
    private_key   BINARY(32) NULL COMMENT 'published only once every envelope is opened',
    reason        VARCHAR(300) NULL,
    UNIQUE KEY uq_opening_lot (project_id, lot_seq),
    CONSTRAINT fk_opening_key FOREIGN KEY (opening_key) REFERENCES opening_keys (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE opening_share_subs (
    opening_id      BIGINT UNSIGNED NOT NULL,
    x               TINYINT UNSIGNED NOT NULL,
    custodian_user  BIGINT UNSIGNED NOT NULL,
    share           BINARY(32) NOT NULL COMMENT 'handed in after the opening time, checked against the commitments',
    submitted_us    BIGINT NOT NULL,
    PRIMARY KEY (opening_id, x),
    CONSTRAINT fk_sub_opening FOREIGN KEY (opening_id) REFERENCES openings (id)
) ENGINE=InnoDB;

CREATE TABLE opening_objections (
    id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    opening_id   BIGINT UNSIGNED NOT NULL,
    org_id       BIGINT UNSIGNED NOT NULL,
    user_id      BIGINT UNSIGNED NOT NULL,
    text         VARCHAR(2000) NOT NULL,
    created_us   BIGINT NOT NULL,
    answer       VARCHAR(2000) NULL,
    answered_by  BIGINT UNSIGNED NULL,
    answered_us  BIGINT NULL,
    KEY ix_objection_opening (opening_id),
    CONSTRAINT fk_objection_opening FOREIGN KEY (opening_id) REFERENCES openings (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
