-- 0010_certified_keys.sql — every key that binds a party is certified outside the platform
-- (电子签名法 第十三条; docs/operations.md "Trust anchors"): a key is registered with its X.509
-- certificate chain, which must chain to a CA of the user's side named in the configuration
-- file, and is re-verified whenever the key is used. A key registered before this migration has
-- no certificate and can no longer sign anything: its holder registers it again with one.
ALTER TABLE user_keys
    ADD COLUMN cert_chain   BLOB NULL COMMENT 'the certificate, then intermediates: DER, concatenated',
    ADD COLUMN cert_sha256  CHAR(64) CHARACTER SET ascii NULL COMMENT 'hex SHA-256 of the certificate DER',
    ADD COLUMN side         ENUM('bidder','agent','supervision','center') NULL,
    ADD COLUMN credit_code  CHAR(18) NULL COMMENT 'the organization the certificate names',
    ADD COLUMN suite        VARCHAR(32) CHARACTER SET ascii NULL COMMENT 'signature suite (sigsuite.c)',
    ADD COLUMN not_after_us BIGINT NULL COMMENT 'the certificate expires then';

-- The entries every project's timeline includes (GET /api/v1/audit/projects/{id}/timeline), so
-- that `ggzy audit replay` checks each signature against the trust anchors published before it:
-- the trust.anchors entries, listed here by the sequencer as it gives them their indexes.
CREATE TABLE audit_global (
    idx        BIGINT UNSIGNED NOT NULL PRIMARY KEY,
    object_id  BIGINT NOT NULL
) ENGINE=InnoDB;
