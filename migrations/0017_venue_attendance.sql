-- 0017_venue_attendance.sql — who attended each session, and the center's witness log (见证),
-- owned by the venues module (docs/venues.md §5). Each row is a statement signed by the
-- person's certified key, kept with its signature; one sign-in per person and session.

CREATE TABLE venue_attendance (
    id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    booking_id  BIGINT UNSIGNED NOT NULL,
    user_id     BIGINT UNSIGNED NOT NULL,
    org_id      BIGINT UNSIGNED NOT NULL,
    role        VARCHAR(16) CHARACTER SET ascii NOT NULL,
    mode        VARCHAR(16) CHARACTER SET ascii NOT NULL COMMENT 'in_room, online (不见面开标)',
    key_id      CHAR(64) CHARACTER SET ascii NOT NULL,
    signed_us   BIGINT NOT NULL,
    signature   VARCHAR(200) CHARACTER SET ascii NOT NULL,
    created_us  BIGINT NOT NULL,
    UNIQUE KEY uq_venue_attendance (booking_id, user_id)
) ENGINE=InnoDB;

CREATE TABLE venue_witness (
    id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    booking_id  BIGINT UNSIGNED NOT NULL,
    user_id     BIGINT UNSIGNED NOT NULL,
    text        VARCHAR(4000) NOT NULL,
    recordings  VARCHAR(400) CHARACTER SET ascii NOT NULL COMMENT 'recording ids, comma-separated',
    key_id      CHAR(64) CHARACTER SET ascii NOT NULL,
    signed_us   BIGINT NOT NULL,
    signature   VARCHAR(200) CHARACTER SET ascii NOT NULL,
    created_us  BIGINT NOT NULL,
    KEY ix_venue_witness_booking (booking_id, id)
) ENGINE=InnoDB;
