-- 0004_projects.sql — unified project entry (项目统一进场): trading projects, their lots
-- (标段), attached documents, and the counters that number accepted projects without gaps.

CREATE TABLE projects (
    id                 BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    code               VARCHAR(32) CHARACTER SET ascii NULL COMMENT 'given at acceptance',
    name               VARCHAR(200) NOT NULL,
    category           ENUM('engineering','procurement','land_mineral','state_property') NOT NULL,
    method             VARCHAR(32) CHARACTER SET ascii NOT NULL,
    region             CHAR(6) NOT NULL,
    tenderer_org_id    BIGINT UNSIGNED NOT NULL,
    agent_org_id       BIGINT UNSIGNED NOT NULL,
    created_by         BIGINT UNSIGNED NOT NULL,
    budget_fen         BIGINT NOT NULL,
    funding_source     VARCHAR(200) NOT NULL,
    legally_required   TINYINT(1) NOT NULL,
    state              VARCHAR(32) CHARACTER SET ascii NOT NULL,
    suspended_from     VARCHAR(32) CHARACTER SET ascii NULL,
    return_reason      VARCHAR(2000) NULL,
    retender_of        BIGINT UNSIGNED NULL,
    created_us         BIGINT NOT NULL,
    updated_us         BIGINT NOT NULL,
    UNIQUE KEY uq_project_code (code),
    KEY ix_project_agent (agent_org_id),
    KEY ix_project_tenderer (tenderer_org_id),
    KEY ix_project_state (state),
    CONSTRAINT fk_project_tenderer FOREIGN KEY (tenderer_org_id) REFERENCES organizations (id),
    CONSTRAINT fk_project_agent FOREIGN KEY (agent_org_id) REFERENCES organizations (id),
    CONSTRAINT fk_project_creator FOREIGN KEY (created_by) REFERENCES users (id),
    CONSTRAINT fk_project_retender FOREIGN KEY (retender_of) REFERENCES projects (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE project_lots (
    project_id    BIGINT UNSIGNED NOT NULL,
    seq           INT NOT NULL COMMENT '1, 2, ... within the project',
    name          VARCHAR(200) NOT NULL,
    estimate_fen  BIGINT NOT NULL,
    PRIMARY KEY (project_id, seq),
    CONSTRAINT fk_lot_project FOREIGN KEY (project_id) REFERENCES projects (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE project_documents (
    id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    project_id    BIGINT UNSIGNED NOT NULL,
    name          VARCHAR(200) NOT NULL,
    content_type  VARCHAR(100) CHARACTER SET ascii NOT NULL,
    size          BIGINT NOT NULL,
    sha256        BINARY(32) NOT NULL,
    content       LONGBLOB NOT NULL,
    uploaded_by   BIGINT UNSIGNED NOT NULL,
    created_us    BIGINT NOT NULL,
    KEY ix_doc_project (project_id),
    CONSTRAINT fk_doc_project FOREIGN KEY (project_id) REFERENCES projects (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Project codes region-year-category-sequence: the counter row is locked by each acceptance,
-- so sequences have no gaps or duplicates under concurrency.
CREATE TABLE project_code_counters (
    region    CHAR(6) NOT NULL,
    year      SMALLINT NOT NULL,
    category  CHAR(2) CHARACTER SET ascii NOT NULL,
    last_seq  INT NOT NULL,
    PRIMARY KEY (region, year, category)
) ENGINE=InnoDB;
