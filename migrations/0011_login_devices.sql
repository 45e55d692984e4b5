-- 0011_login_devices.sql — login throttling that cannot be turned into a lockout of someone else
-- (docs/operations.md "Login throttling"). A successful login hands the client a device token;
-- a later login presenting it for that account is counted on its own, so failures an attacker
-- causes — for the account, or from an address the owner shares — do not lock the owner out.
-- Only SHA-256 of a token is stored.
CREATE TABLE login_devices (
    token_hash    BINARY(32) NOT NULL PRIMARY KEY,
    user_id       BIGINT UNSIGNED NOT NULL,
    created_us    BIGINT NOT NULL,
    last_used_us  BIGINT NOT NULL,
    KEY ix_device_user (user_id),
    CONSTRAINT fk_device_user FOREIGN KEY (user_id) REFERENCES users (id)
) ENGINE=InnoDB;
