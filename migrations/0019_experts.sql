-- 0019_experts.sql — the expert library and the committee draw (专家统一抽取), owned by the
-- experts module (docs/experts.md, docs/draw.md). An expert is a user of role expert; their
-- employer is their organization. The draw's secret is kept here until the draw is done and then
-- revealed into the audit log; the pool, its pseudonyms and the order are what the log holds.

CREATE TABLE expert_profiles (
    user_id        BIGINT UNSIGNED NOT NULL PRIMARY KEY,
    title          VARCHAR(16) CHARACTER SET ascii NOT NULL COMMENT 'senior, deputy_senior, intermediate, junior, none',
    field_since    SMALLINT NOT NULL COMMENT 'year the expert began to work in the field',
    birth_year     SMALLINT NOT NULL,
    region         CHAR(6) CHARACTER SET ascii NOT NULL,
    sharing        VARCHAR(16) CHARACTER SET ascii NOT NULL COMMENT 'region, province, national: who may draw them',
    e_evaluation   TINYINT(1) NOT NULL COMMENT 'able to evaluate electronically',
    phone          VARCHAR(32) CHARACTER SET ascii NULL COMMENT 'where invitations go besides the inbox (SMS, voice)',
    state          VARCHAR(16) CHARACTER SET ascii NOT NULL COMMENT 'applied, active, suspended, removed',
    state_reason   VARCHAR(2000) NULL,
    suspended_until BIGINT NULL,
    served_version BIGINT NOT NULL DEFAULT 0 COMMENT 'written by every invitation: two draws of one expert conflict on this row',
    created_us     BIGINT NOT NULL,
    updated_us     BIGINT NOT NULL,
    KEY ix_expert_state (state, user_id)
) ENGINE=InnoDB;

CREATE TABLE expert_specialties (
    user_id   BIGINT UNSIGNED NOT NULL,
    code      VARCHAR(16) CHARACTER SET ascii NOT NULL,
    PRIMARY KEY (user_id, code),
    KEY ix_specialty_code (code, user_id)
) ENGINE=InnoDB;

-- Declared relations: an organization (by credit code) the expert must not evaluate, and why.
CREATE TABLE expert_relations (
    id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id      BIGINT UNSIGNED NOT NULL,
    kind         VARCHAR(24) CHARACTER SET ascii NOT NULL COMMENT 'relative, former_employer, director, shareholder, legal_rep_kin',
    credit_code  CHAR(18) CHARACTER SET ascii NOT NULL,
    org_name     VARCHAR(200) NOT NULL,
    ends_us      BIGINT NULL COMMENT 'when the relation ended (NULL: it holds)',
    created_us   BIGINT NOT NULL,
    KEY ix_relation_user (user_id),
    KEY ix_relation_code (credit_code)
) ENGINE=InnoDB;

CREATE TABLE expert_leaves (
    id        BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id   BIGINT UNSIGNED NOT NULL,
    start_us  BIGINT NOT NULL,
    end_us    BIGINT NOT NULL,
    created_us BIGINT NOT NULL,
    KEY ix_leave_user (user_id, start_us)
) ENGINE=InnoDB;

CREATE TABLE draws (
    id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    kind          VARCHAR(16) CHARACTER SET ascii NOT NULL DEFAULT 'committee' COMMENT 'committee: experts for a session; agency: a tenderer''s agency (project and booking 0)',
    category      VARCHAR(16) CHARACTER SET ascii NULL COMMENT 'an agency draw: the trading category',
    project_id    BIGINT UNSIGNED NOT NULL,
    booking_id    BIGINT UNSIGNED NOT NULL,
    tenderer_org_id BIGINT UNSIGNED NOT NULL,
    session_start_us BIGINT NOT NULL,
    session_end_us   BIGINT NOT NULL,
    size          INT NOT NULL,
    owner_reps    INT NOT NULL,
    reserves      INT NOT NULL,
    groups_json   VARCHAR(2000) NOT NULL COMMENT '[{"specialty","count"}] in the request order',
    regions_json  VARCHAR(400) CHARACTER SET ascii NOT NULL,
    state         VARCHAR(16) CHARACTER SET ascii NOT NULL COMMENT 'committed, pooled, valued, drawn, complete, short, cancelled',
    secret        BINARY(32) NULL COMMENT 'until the draw is done; then revealed into the log and erased',
    seed_commit   CHAR(64) CHARACTER SET ascii NOT NULL,
    pool_sha256   CHAR(64) CHARACTER SET ascii NULL,
    seed          CHAR(64) CHARACTER SET ascii NULL,
    supervisor_id BIGINT UNSIGNED NULL,
    supervisor_value VARCHAR(200) NULL,
    place         VARCHAR(800) NOT NULL COMMENT 'where the session is, as the experts are told',
    pool_size     INT NULL,
    pool_map      MEDIUMTEXT CHARACTER SET ascii NULL COMMENT '[[pseudonym, user_id, group, salt], ...] by pseudonym: who each pseudonym is; logged only for the drawn, at the reveal',
    requested_by  BIGINT UNSIGNED NOT NULL,
    answer_minutes INT NOT NULL,
    pooled_us     BIGINT NULL COMMENT 'when the pool was fixed',
    supervisor_act MEDIUMTEXT NULL COMMENT 'the supervisor''s signed value, kept until the public value comes',
    beacon_source VARCHAR(400) NULL COMMENT 'the public value''s source announced with the request (experts.beacon_source)',
    beacon        VARCHAR(200) NULL,
    beacon_published_us BIGINT NULL,
    revealed_us   BIGINT NULL COMMENT 'when the names were revealed into the log (the result is published)',
    created_us    BIGINT NOT NULL,
    updated_us    BIGINT NOT NULL,
    KEY ix_draw_project (project_id, id),
    KEY ix_draw_booking (booking_id)
) ENGINE=InnoDB;

-- The two (or more) center staff who supervise a draw, each cosigning its commitment.
CREATE TABLE draw_cosigns (
    draw_id    BIGINT UNSIGNED NOT NULL,
    user_id    BIGINT UNSIGNED NOT NULL,
    key_id     CHAR(64) CHARACTER SET ascii NOT NULL,
    signature  VARCHAR(200) CHARACTER SET ascii NOT NULL,
    signed_us  BIGINT NOT NULL,
    PRIMARY KEY (draw_id, user_id)
) ENGINE=InnoDB;

-- The members drawn so far: one row per rank of a group's order walked (invited, or skipped
-- because busy), with the pseudonym the log knows them by. The rest of the pool is pool_map.
CREATE TABLE draw_pool (
    draw_id    BIGINT UNSIGNED NOT NULL,
    pseudonym  CHAR(16) CHARACTER SET ascii NOT NULL,
    salt       CHAR(32) CHARACTER SET ascii NOT NULL COMMENT 'binds the pseudonym to the member (lib/draw.h draw_pseudonym)',
    user_id    BIGINT UNSIGNED NOT NULL,
    grp        VARCHAR(16) CHARACTER SET ascii NOT NULL,
    pos        INT NOT NULL COMMENT 'position in its group (pool order)',
    drawn_rank INT NOT NULL COMMENT 'its place in the group''s draw order',
    state      VARCHAR(16) CHARACTER SET ascii NOT NULL COMMENT 'invited, skipped, confirmed, declined, expired, cancelled',
    invited_us BIGINT NULL,
    answer_by_us BIGINT NULL,
    answered_us BIGINT NULL,
    reason     VARCHAR(400) NULL,
    PRIMARY KEY (draw_id, pseudonym),
    UNIQUE KEY uq_draw_pool_user (draw_id, user_id),
    KEY ix_draw_pool_user (user_id, state)
) ENGINE=InnoDB;

-- The agencies a tenderer may draw (招标代理机构抽取): what each registered with the center, the
-- organizations it declared itself affiliated with, and its state. Name, credit code and region
-- are the organization's at registration (accounts owns organizations).
CREATE TABLE agency_profiles (
    org_id      BIGINT UNSIGNED NOT NULL PRIMARY KEY,
    name        VARCHAR(200) NOT NULL,
    credit_code CHAR(18) CHARACTER SET ascii NOT NULL,
    region      CHAR(6) CHARACTER SET ascii NOT NULL,
    categories  VARCHAR(100) CHARACTER SET ascii NOT NULL COMMENT 'the trading categories it is registered for, comma-separated',
    affiliates  VARCHAR(2000) CHARACTER SET ascii NOT NULL COMMENT 'credit codes of organizations it is affiliated with, comma-separated',
    state       VARCHAR(16) CHARACTER SET ascii NOT NULL COMMENT 'active, suspended',
    reason      VARCHAR(2000) NULL,
    updated_us  BIGINT NOT NULL
) ENGINE=InnoDB;

-- After the evaluation, the agent and the supervisor rate each member who served.
CREATE TABLE expert_ratings (
    id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    draw_id     BIGINT UNSIGNED NOT NULL,
    user_id     BIGINT UNSIGNED NOT NULL COMMENT 'the expert',
    rater_id    BIGINT UNSIGNED NOT NULL,
    rater_role  VARCHAR(16) CHARACTER SET ascii NOT NULL,
    score       TINYINT NOT NULL COMMENT '1 (poor) to 5 (excellent)',
    comment     VARCHAR(2000) NULL,
    created_us  BIGINT NOT NULL,
    UNIQUE KEY uq_rating (draw_id, user_id, rater_id),
    KEY ix_rating_expert (user_id)
) ENGINE=InnoDB;

-- An expert's keys are certified by the experts' CA (trust.expert_ca), a side of its own.
ALTER TABLE user_keys
    MODIFY COLUMN side ENUM('bidder','agent','supervision','center','expert') NULL;
