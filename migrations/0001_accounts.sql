-- 0001_accounts.sql — organizations, users, sessions, registered public keys, login throttle.
--
-- Conventions for every migration: InnoDB, utf8mb4 with binary collation (exact, byte-wise
-- uniqueness), ids are BIGINT UNSIGNED AUTO_INCREMENT (unique but not dense: safe on a Galera
-- cluster with auto_increment_increment), times are BIGINT microseconds since the Unix epoch,
-- UTC, from ggzyd's one clock (never NOW()), money is BIGINT fen.

CREATE TABLE organizations (
    id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name         VARCHAR(200) NOT NULL,
    type         ENUM('bidder','agency','tenderer','center','supervision') NOT NULL,
    credit_code  CHAR(18) NOT NULL COMMENT 'unified social credit code, GB 32100-2015',
    region       CHAR(6) NOT NULL COMMENT 'administrative division code, GB/T 2260',
    created_us   BIGINT NOT NULL,
    UNIQUE KEY uq_org_credit_code (credit_code),
    KEY ix_org_type (type)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE users (
    id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    org_id        BIGINT UNSIGNED NOT NULL,
    username      VARCHAR(64) NOT NULL,
    display_name  VARCHAR(100) NOT NULL,
    role          ENUM('center_admin','agent','bidder','expert','supervisor') NOT NULL,
    password_hash VARCHAR(160) NOT NULL,
    disabled      TINYINT(1) NOT NULL DEFAULT 0,
    created_us    BIGINT NOT NULL,
    updated_us    BIGINT NOT NULL,
    UNIQUE KEY uq_user_username (username),
    KEY ix_user_org (org_id),
    CONSTRAINT fk_user_org FOREIGN KEY (org_id) REFERENCES organizations (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Session tokens are stored only as SHA-256(token).
CREATE TABLE sessions (
    token_hash  BINARY(32) NOT NULL PRIMARY KEY,
    user_id     BIGINT UNSIGNED NOT NULL,
    created_us  BIGINT NOT NULL,
    expires_us  BIGINT NOT NULL,
    revoked_us  BIGINT NULL,
    client      VARCHAR(64) NOT NULL,
    KEY ix_session_user (user_id),
    KEY ix_session_expiry (expires_us),
    CONSTRAINT fk_session_user FOREIGN KEY (user_id) REFERENCES users (id)
) ENGINE=InnoDB;

-- Public keys users register (ECDSA P-256); key_id = hex SHA-256 of the SubjectPublicKeyInfo DER.
CREATE TABLE user_keys (
    id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id     BIGINT UNSIGNED NOT NULL,
    key_id      CHAR(64) CHARACTER SET ascii NOT NULL,
    spki_der    VARBINARY(1024) NOT NULL,
    label       VARCHAR(100) NOT NULL,
    created_us  BIGINT NOT NULL,
    revoked_us  BIGINT NULL,
    UNIQUE KEY uq_key_id (key_id),
    KEY ix_key_user (user_id),
    CONSTRAINT fk_key_user FOREIGN KEY (user_id) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Failed-login counters, one row per username and one per client address.
CREATE TABLE login_throttle (
    throttle_key     VARCHAR(100) NOT NULL PRIMARY KEY,
    failures         INT NOT NULL,
    window_start_us  BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
