-- 0005_announcements.sql — unified publishing (信息统一发布): announcements drafted by agents,
-- published once and then immutable (a change is a new announcement that amends the old one),
-- signed by the platform, listed publicly in the order the audit log gave their publications.

CREATE TABLE announcements (
    id                  BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    project_id          BIGINT UNSIGNED NOT NULL,
    type                ENUM('tender','amendment','candidates','award','failed','termination') NOT NULL,
    title               VARCHAR(300) NOT NULL,
    body                MEDIUMTEXT NOT NULL,
    amends_id           BIGINT UNSIGNED NULL COMMENT 'the announcement this one changes',
    affects_bids        TINYINT(1) NOT NULL DEFAULT 0,
    docs_from_us        BIGINT NULL,
    docs_until_us       BIGINT NULL,
    bid_deadline_us     BIGINT NULL,
    opening_us          BIGINT NULL,
    publicity_from_us   BIGINT NULL,
    publicity_until_us  BIGINT NULL,
    state               ENUM('draft','published') NOT NULL,
    category            ENUM('engineering','procurement','land_mineral','state_property') NOT NULL,
    region              CHAR(6) NOT NULL,
    created_by          BIGINT UNSIGNED NOT NULL,
    created_us          BIGINT NOT NULL,
    updated_us          BIGINT NOT NULL,
    published_us        BIGINT NULL,
    content             MEDIUMBLOB NULL COMMENT 'canonical JSON of the published content, as hashed',
    content_sha256      BINARY(32) NULL,
    signature           VARBINARY(64) NULL COMMENT 'Ed25519 by the platform key',
    pub_seq             BIGINT UNSIGNED NULL COMMENT 'audit index of the publication: public order',
    UNIQUE KEY uq_ann_seq (pub_seq),
    KEY ix_ann_project (project_id),
    KEY ix_ann_type (type, pub_seq),
    KEY ix_ann_category (category, pub_seq),
    KEY ix_ann_region (region, pub_seq),
    CONSTRAINT fk_ann_project FOREIGN KEY (project_id) REFERENCES projects (id),
    CONSTRAINT fk_ann_amends FOREIGN KEY (amends_id) REFERENCES announcements (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE announcement_deposits (
    announcement_id  BIGINT UNSIGNED NOT NULL,
    lot_seq          INT NOT NULL,
    deposit_fen      BIGINT NOT NULL,
    PRIMARY KEY (announcement_id, lot_seq),
    CONSTRAINT fk_dep_ann FOREIGN KEY (announcement_id) REFERENCES announcements (id)
) ENGINE=InnoDB;
