-- 0029_award.sql — the award and the contract, owned by the evaluation module
-- (docs/evaluation.md §8–§9): the tenderer's signed decision per lot (招标投标法 第四十条), the
-- contract per lot signed by the tenderer and then the winner (第四十六条), and the tenderer's
-- written report to the supervising department that closes the project (第四十七条).
CREATE TABLE award_decisions (
    project_id    BIGINT UNSIGNED NOT NULL,
    lot_seq       INT NOT NULL,
    evaluation_id BIGINT UNSIGNED NOT NULL,
    bid_id        BIGINT UNSIGNED NOT NULL,
    org_id        BIGINT UNSIGNED NOT NULL,
    price_fen     BIGINT NOT NULL,
    candidate_rank INT NOT NULL,
    reason        VARCHAR(32) CHARACTER SET ascii NULL COMMENT 'why not the first candidate',
    decided_by    BIGINT UNSIGNED NOT NULL,
    key_id        CHAR(64) CHARACTER SET ascii NOT NULL,
    signature     VARCHAR(200) CHARACTER SET ascii NOT NULL,
    signed_us     BIGINT NOT NULL,
    decided_us    BIGINT NOT NULL,
    noticed_us    BIGINT NULL COMMENT 'the award announcement''s publication (the award notice)',
    PRIMARY KEY (project_id, lot_seq)
) ENGINE=InnoDB;

CREATE TABLE award_contracts (
    id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    project_id    BIGINT UNSIGNED NOT NULL,
    lot_seq       INT NOT NULL,
    org_id        BIGINT UNSIGNED NOT NULL COMMENT 'the winner',
    price_fen     BIGINT NOT NULL,
    document_sha256 CHAR(64) CHARACTER SET ascii NOT NULL COMMENT 'the contract text both sign',
    state         VARCHAR(16) CHARACTER SET ascii NOT NULL COMMENT 'offered, signed',
    tenderer_user BIGINT UNSIGNED NOT NULL,
    tenderer_key  CHAR(64) CHARACTER SET ascii NOT NULL,
    tenderer_signature VARCHAR(200) CHARACTER SET ascii NOT NULL,
    tenderer_signed_us BIGINT NOT NULL,
    bidder_user   BIGINT UNSIGNED NULL,
    bidder_key    CHAR(64) CHARACTER SET ascii NULL,
    bidder_signature VARCHAR(200) CHARACTER SET ascii NULL,
    bidder_signed_us BIGINT NULL,
    created_us    BIGINT NOT NULL,
    signed_us     BIGINT NULL,
    UNIQUE KEY uq_award_contract_lot (project_id, lot_seq)
) ENGINE=InnoDB;

-- The deadlines after the report (docs/evaluation.md §9a), each warned of once before its due
-- time and flagged once after it, by the job evaluation.deadlines (system:award-monitor).
CREATE TABLE award_deadlines (
    project_id  BIGINT UNSIGNED NOT NULL,
    kind        VARCHAR(16) CHARACTER SET ascii NOT NULL COMMENT 'publicity, contract, report',
    due_us      BIGINT NOT NULL,
    warned_us   BIGINT NULL,
    flagged_us  BIGINT NULL,
    PRIMARY KEY (project_id, kind)
) ENGINE=InnoDB;
