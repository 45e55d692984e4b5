-- 0020_outbox.sql — what the platform tells people, owned by the outbox module
-- (docs/operations.md "Outbox"). A message is in its recipient's inbox from the moment its
-- transaction commits; each configured external channel gets a delivery row, which the job
-- outbox.deliver works off with retries.

CREATE TABLE outbox_messages (
    id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id     BIGINT UNSIGNED NOT NULL,
    kind        VARCHAR(64) CHARACTER SET ascii NOT NULL,
    subject     VARCHAR(200) NOT NULL,
    body        VARCHAR(4000) NOT NULL,
    ref_type    VARCHAR(32) CHARACTER SET ascii NULL,
    ref_id      BIGINT NULL,
    created_us  BIGINT NOT NULL,
    read_us     BIGINT NULL,
    KEY ix_outbox_user (user_id, id)
) ENGINE=InnoDB;

CREATE TABLE outbox_deliveries (
    id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    message_id  BIGINT UNSIGNED NOT NULL,
    channel     VARCHAR(32) CHARACTER SET ascii NOT NULL,
    address     VARCHAR(64) NOT NULL,
    state       VARCHAR(16) CHARACTER SET ascii NOT NULL COMMENT 'pending, sent, failed',
    attempts    INT NOT NULL DEFAULT 0,
    next_us     BIGINT NOT NULL,
    sent_us     BIGINT NULL,
    error       VARCHAR(400) NULL,
    KEY ix_delivery_due (state, next_us),
    KEY ix_delivery_message (message_id)
) ENGINE=InnoDB;
