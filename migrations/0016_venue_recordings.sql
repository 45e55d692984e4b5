-- 0016_venue_recordings.sql — the rooms' recording systems and what they record (开评标录像),
-- owned by the venues module (docs/venues.md §6). A recorder is a device of the center with its
-- own key, certified under trust.device_ca and bound to one room; every recording it registers
-- is signed by it. (recorder_id, sha256) is unique: the same file registered twice is one
-- recording. A booking that ended without a complete recording has a warning.

CREATE TABLE venue_recorders (
    id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    room_id      BIGINT UNSIGNED NOT NULL,
    key_id       CHAR(64) CHARACTER SET ascii NOT NULL COMMENT 'hex SHA-256 of the SPKI',
    chain        MEDIUMBLOB NOT NULL COMMENT 'DER certificates, leaf first',
    credit_code  CHAR(18) CHARACTER SET ascii NOT NULL COMMENT 'the center''s, which it names',
    label        VARCHAR(200) NOT NULL,
    state        VARCHAR(16) CHARACTER SET ascii NOT NULL COMMENT 'active, revoked',
    created_by   BIGINT UNSIGNED NOT NULL,
    created_us   BIGINT NOT NULL,
    revoked_us   BIGINT NULL,
    UNIQUE KEY uq_venue_recorder_key (key_id),
    KEY ix_venue_recorder_room (room_id),
    CONSTRAINT fk_venue_recorder_room FOREIGN KEY (room_id) REFERENCES venue_rooms (id)
) ENGINE=InnoDB;

CREATE TABLE venue_recordings (
    id               BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    recorder_id      BIGINT UNSIGNED NOT NULL,
    room_id          BIGINT UNSIGNED NOT NULL,
    booking_id       BIGINT UNSIGNED NULL,
    start_us         BIGINT NOT NULL,
    end_us           BIGINT NOT NULL,
    size_bytes       BIGINT NOT NULL,
    sha256           CHAR(64) CHARACTER SET ascii NOT NULL,
    storage_ref      VARCHAR(500) NOT NULL,
    signed_us        BIGINT NOT NULL,
    signature        VARCHAR(200) CHARACTER SET ascii NOT NULL,
    retain_until_us  BIGINT NOT NULL,
    created_us       BIGINT NOT NULL,
    UNIQUE KEY uq_venue_recording_file (recorder_id, sha256),
    KEY ix_venue_recording_booking (booking_id, start_us),
    CONSTRAINT fk_venue_recording_recorder FOREIGN KEY (recorder_id) REFERENCES venue_recorders (id)
) ENGINE=InnoDB;

CREATE TABLE venue_warnings (
    id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    booking_id  BIGINT UNSIGNED NOT NULL,
    project_id  BIGINT UNSIGNED NOT NULL,
    kind        VARCHAR(32) CHARACTER SET ascii NOT NULL COMMENT 'recording_missing',
    detail      VARCHAR(1000) NOT NULL,
    created_us  BIGINT NOT NULL,
    UNIQUE KEY uq_venue_warning (booking_id, kind)
) ENGINE=InnoDB;

-- when the recording monitor (venues.recordings-check) looked at a booking that ended
ALTER TABLE venue_bookings ADD COLUMN recording_checked_us BIGINT NULL
    COMMENT 'set by the recording monitor once the booking has ended';
