-- 0030_award_objections.sql — objections (异议) to an evaluation result, owned by the evaluation
-- module (docs/evaluation.md §8b): a bidder of the lot objects during the candidates' publicity
-- (实施条例 第五十四条) or, under government procurement, within 7 working days after the
-- result's announcement period (政府采购法 第五十二条, 质疑); the tenderer or its agency answers,
-- signed, within 3 days (7 working days: 政府采购法 第五十三条); meanwhile the lot's award and
-- contract wait. The first case of the objection workflow that supervision generalizes.
CREATE TABLE award_objections (
    id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    project_id    BIGINT UNSIGNED NOT NULL,
    lot_seq       INT NOT NULL,
    org_id        BIGINT UNSIGNED NOT NULL COMMENT 'the objecting bidder',
    user_id       BIGINT UNSIGNED NOT NULL,
    text          TEXT CHARACTER SET utf8mb4 NOT NULL,
    key_id        CHAR(64) CHARACTER SET ascii NOT NULL,
    signature     VARCHAR(200) CHARACTER SET ascii NOT NULL,
    signed_us     BIGINT NOT NULL,
    filed_us      BIGINT NOT NULL,
    answer_due_us BIGINT NOT NULL,
    answer        TEXT CHARACTER SET utf8mb4 NULL,
    upheld        TINYINT NULL,
    answer_user   BIGINT UNSIGNED NULL,
    answer_key    CHAR(64) CHARACTER SET ascii NULL,
    answer_signature VARCHAR(200) CHARACTER SET ascii NULL,
    answer_signed_us BIGINT NULL,
    answered_us   BIGINT NULL,
    KEY ix_award_objection_lot (project_id, lot_seq, answered_us)
) ENGINE=InnoDB;
