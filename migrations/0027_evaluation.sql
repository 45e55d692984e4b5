-- 0027_evaluation.sql — the evaluation module's tables (docs/evaluation.md): one session per
-- lot, its committee as the draw confirmed it, the opened bids it evaluates (a snapshot taken at
-- the opening of the session, with each review's decision), and every member's signed act.
CREATE TABLE evaluations (
    id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    project_id    BIGINT UNSIGNED NOT NULL,
    lot_seq       INT NOT NULL,
    booking_id    BIGINT UNSIGNED NOT NULL,
    draw_id       BIGINT UNSIGNED NOT NULL,
    agent_org_id  BIGINT UNSIGNED NOT NULL,
    tenderer_org_id BIGINT UNSIGNED NOT NULL,
    category      VARCHAR(16) CHARACTER SET ascii NOT NULL,
    method_json   TEXT NOT NULL COMMENT 'the declared method in force at the opening, canonical',
    method_ann_id BIGINT UNSIGNED NOT NULL COMMENT 'the announcement that declared it',
    seats         INT NOT NULL COMMENT 'the committee''s members at the opening: a recused or replaced one is replaced',
    step          VARCHAR(16) CHARACTER SET ascii NOT NULL,
    chair_round   INT NOT NULL DEFAULT 1,
    extensions    INT NOT NULL DEFAULT 0 COMMENT 'times the time was extended (实施条例 第四十八条)',
    chair_user    BIGINT UNSIGNED NULL,
    back_to       VARCHAR(16) CHARACTER SET ascii NULL COMMENT 'the step the chair asks to go back to, awaiting a supervisor',
    back_reason   VARCHAR(1000) NULL,
    state         VARCHAR(16) CHARACTER SET ascii NOT NULL COMMENT 'open, paused, reported',
    pause_reason  VARCHAR(400) NULL,
    report_json   MEDIUMTEXT NULL COMMENT 'the signed report''s result, canonical',
    opened_by     BIGINT UNSIGNED NOT NULL,
    opened_us     BIGINT NOT NULL,
    reported_us   BIGINT NULL,
    updated_us    BIGINT NOT NULL,
    UNIQUE KEY uq_evaluation_lot (project_id, lot_seq),
    KEY ix_evaluation_agent (agent_org_id, id),
    KEY ix_evaluation_tenderer (tenderer_org_id, id)
) ENGINE=InnoDB;

CREATE TABLE evaluation_members (
    evaluation_id BIGINT UNSIGNED NOT NULL,
    user_id       BIGINT UNSIGNED NOT NULL,
    pseudonym     CHAR(16) CHARACTER SET ascii NOT NULL,
    sitting       TINYINT(1) NOT NULL DEFAULT 1,
    PRIMARY KEY (evaluation_id, user_id),
    KEY ix_evaluation_member_user (user_id, evaluation_id)
) ENGINE=InnoDB;

CREATE TABLE evaluation_bids (
    evaluation_id BIGINT UNSIGNED NOT NULL,
    bid_id        BIGINT UNSIGNED NOT NULL,
    org_id        BIGINT UNSIGNED NOT NULL,
    price_fen     BIGINT NOT NULL,
    envelope_sha256 CHAR(64) CHARACTER SET ascii NOT NULL,
    rejected_at   VARCHAR(16) CHARACTER SET ascii NULL COMMENT 'the review that rejected it',
    PRIMARY KEY (evaluation_id, bid_id)
) ENGINE=InnoDB;

CREATE TABLE evaluation_acts (
    id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    evaluation_id BIGINT UNSIGNED NOT NULL,
    user_id       BIGINT UNSIGNED NOT NULL,
    kind          VARCHAR(16) CHARACTER SET ascii NOT NULL,
    round         INT NOT NULL DEFAULT 1,
    payload       MEDIUMTEXT NOT NULL COMMENT 'canonical JSON, as signed',
    key_id        CHAR(64) CHARACTER SET ascii NOT NULL,
    signature     VARCHAR(200) CHARACTER SET ascii NOT NULL,
    signed_us     BIGINT NOT NULL,
    created_us    BIGINT NOT NULL,
    void_seq      BIGINT UNSIGNED NOT NULL DEFAULT 0 COMMENT '0: in force; the act''s id once a step was sent back',
    UNIQUE KEY uq_evaluation_act (evaluation_id, user_id, kind, round, void_seq)
) ENGINE=InnoDB;

-- A clarification (澄清, 实施条例 第五十二条): the committee asks a bidder in writing; the bidder
-- answers, signed; the committee records whether the answer would change the bid's substance
-- (then it is disregarded).
CREATE TABLE evaluation_clarifications (
    id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    evaluation_id BIGINT UNSIGNED NOT NULL,
    bid_id        BIGINT UNSIGNED NOT NULL,
    org_id        BIGINT UNSIGNED NOT NULL,
    asked_by      BIGINT UNSIGNED NOT NULL,
    question      VARCHAR(2000) NOT NULL,
    answer_by_us  BIGINT NOT NULL,
    asked_us      BIGINT NOT NULL,
    answer        VARCHAR(4000) NULL,
    answered_by   BIGINT UNSIGNED NULL,
    answer_key    CHAR(64) CHARACTER SET ascii NULL,
    answer_signature VARCHAR(200) CHARACTER SET ascii NULL,
    answered_us   BIGINT NULL,
    substantive   TINYINT(1) NULL COMMENT 'the committee''s finding: the answer would change the bid',
    finding_note  VARCHAR(1000) NULL,
    found_us      BIGINT NULL,
    KEY ix_clarification_evaluation (evaluation_id, id),
    KEY ix_clarification_org (org_id, id)
) ENGINE=InnoDB;

-- The indicators of collusion and anomaly that fired for a session (docs/evaluation.md §6): each
-- a row of the rule table in modules/evaluation/rules.c, deciding nothing alone.
CREATE TABLE evaluation_indicators (
    id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    evaluation_id BIGINT UNSIGNED NOT NULL,
    code          VARCHAR(32) CHARACTER SET ascii NOT NULL,
    subject       VARCHAR(200) NOT NULL,
    evidence      VARCHAR(400) NOT NULL,
    fired_us      BIGINT NOT NULL,
    KEY ix_indicator_evaluation (evaluation_id, id)
) ENGINE=InnoDB;

-- The live record of each session (GET /api/v1/evaluations/{id}/stream): one row per event, the
-- id its Server-Sent Events id (Last-Event-ID resumes after it). Written in the act's transaction;
-- never a score's value (docs/evaluation.md §6).
CREATE TABLE evaluation_events (
    id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    evaluation_id BIGINT UNSIGNED NOT NULL,
    class         VARCHAR(16) CHARACTER SET ascii NOT NULL COMMENT 'progress, state, indicator, clarification',
    data          VARCHAR(2000) NOT NULL COMMENT 'JSON',
    created_us    BIGINT NOT NULL,
    KEY ix_event_evaluation (evaluation_id, id)
) ENGINE=InnoDB;
