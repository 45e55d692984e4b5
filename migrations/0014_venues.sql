-- 0014_venues.sql — unified venue arrangement (场地统一安排), owned by the venues module
-- (docs/venues.md): the center's sites and rooms, the bookings of rooms for openings and
-- evaluations, and the slots that make a double booking impossible.
--
-- No two live bookings of a room overlap: a booking holds one venue_slots row per minute of
-- [start, end + setup buffer), and (room_id, minute) is the primary key, so a second booking of
-- any of those minutes is a duplicate-key error — on one server, and on a multi-primary Galera
-- cluster, whose certification treats two nodes' writes of the same unique key as a conflict
-- and lets exactly one commit. A refused or cancelled booking gives its slots back.

CREATE TABLE venue_sites (
    id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name        VARCHAR(200) NOT NULL,
    address     VARCHAR(500) NOT NULL,
    region      CHAR(6) CHARACTER SET ascii NOT NULL COMMENT 'administrative division code',
    created_by  BIGINT UNSIGNED NOT NULL,
    created_us  BIGINT NOT NULL,
    UNIQUE KEY uq_venue_site_name (name)
) ENGINE=InnoDB;

CREATE TABLE venue_rooms (
    id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    site_id      BIGINT UNSIGNED NOT NULL,
    name         VARCHAR(200) NOT NULL,
    kind         VARCHAR(16) CHARACTER SET ascii NOT NULL
                 COMMENT 'opening, evaluation, negotiation, draw, seats, remote_main, remote_guest',
    region       CHAR(6) CHARACTER SET ascii NULL COMMENT 'remote venues: the region they serve',
    capacity     INT NOT NULL,
    equipment    VARCHAR(200) CHARACTER SET ascii NOT NULL COMMENT 'comma-separated flags',
    opens_min    SMALLINT NOT NULL COMMENT 'opening hours, minutes after local midnight (UTC+8)',
    closes_min   SMALLINT NOT NULL,
    state        VARCHAR(16) CHARACTER SET ascii NOT NULL COMMENT 'open, maintenance, retired',
    state_reason VARCHAR(2000) NULL,
    created_us   BIGINT NOT NULL,
    updated_us   BIGINT NOT NULL,
    UNIQUE KEY uq_venue_room_name (site_id, name),
    CONSTRAINT fk_venue_room_site FOREIGN KEY (site_id) REFERENCES venue_sites (id)
) ENGINE=InnoDB;

CREATE TABLE venue_bookings (
    id             BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    room_id        BIGINT UNSIGNED NOT NULL,
    project_id     BIGINT UNSIGNED NOT NULL,
    agent_org_id   BIGINT UNSIGNED NOT NULL COMMENT 'the organization that asked',
    purpose        VARCHAR(16) CHARACTER SET ascii NOT NULL COMMENT 'opening, evaluation, negotiation',
    lots           VARCHAR(400) CHARACTER SET ascii NOT NULL COMMENT 'lot numbers, comma-separated',
    start_us       BIGINT NOT NULL,
    end_us         BIGINT NOT NULL,
    buffer_us      BIGINT NOT NULL COMMENT 'setup time after the end, held with the booking',
    people         INT NOT NULL COMMENT 'committee size or expected attendance',
    state          VARCHAR(16) CHARACTER SET ascii NOT NULL
                   COMMENT 'requested, approved, refused, cancelled',
    reason         VARCHAR(2000) NULL,
    requested_by   BIGINT UNSIGNED NOT NULL,
    decided_by     BIGINT UNSIGNED NULL,
    decided_us     BIGINT NULL,
    created_us     BIGINT NOT NULL,
    updated_us     BIGINT NOT NULL,
    KEY ix_venue_booking_room (room_id, start_us),
    KEY ix_venue_booking_project (project_id),
    CONSTRAINT fk_venue_booking_room FOREIGN KEY (room_id) REFERENCES venue_rooms (id)
) ENGINE=InnoDB;

CREATE TABLE venue_slots (
    room_id     BIGINT UNSIGNED NOT NULL,
    minute      BIGINT NOT NULL COMMENT 'UTC minutes since 1970-01-01',
    booking_id  BIGINT UNSIGNED NOT NULL,
    PRIMARY KEY (room_id, minute),
    KEY ix_venue_slot_booking (booking_id)
) ENGINE=InnoDB;

-- One live opening booking per lot: the same duplicate-key argument for "the lot is opened in
-- one place".
CREATE TABLE venue_opening_lots (
    project_id  BIGINT UNSIGNED NOT NULL,
    lot_seq     INT NOT NULL,
    booking_id  BIGINT UNSIGNED NOT NULL,
    PRIMARY KEY (project_id, lot_seq),
    KEY ix_venue_opening_booking (booking_id)
) ENGINE=InnoDB;
