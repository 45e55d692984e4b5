-- 0023_calendar_and_due_times.sql — a calendar that never runs out (docs/rules.md "Working days").
--
-- The State Council's arrangement of a year (国务院办公厅关于YYYY年部分节假日安排的通知), as the
-- operator imports it (`ggzyd calendar import FILE --notice ...`), without a release: every node
-- applies the newest row of each year over calendar/YYYY.json. Owned by the core (the calendar
-- is the platform's, server/app/calendar_admin.c); every import is also in the audit log
-- (calendar.import).
CREATE TABLE calendar_imports (
    id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    year         SMALLINT NOT NULL,
    notice       VARCHAR(400) NOT NULL COMMENT 'the notice the arrangement is from',
    arrangement  TEXT NOT NULL COMMENT '{"year","source","holidays","workdays"} as imported',
    sha256       CHAR(64) CHARACTER SET ascii NOT NULL,
    imported_us  BIGINT NOT NULL,
    KEY ix_calendar_year (year, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- A refund whose due time the calendar cannot compute (a year it does not know) is made all the
-- same, with no due time, and warned of at once; one computed on a provisional year says so.
ALTER TABLE deposit_refunds
    MODIFY due_us BIGINT NULL COMMENT 'NULL: the calendar could not compute it',
    ADD COLUMN due_provisional TINYINT NOT NULL DEFAULT 0 AFTER due_us;

-- The warning that the loaded (official) calendar ends within 90 days, sent once per end date.
CREATE TABLE calendar_warnings (
    official_end  DATE NOT NULL PRIMARY KEY,
    warned_us     BIGINT NOT NULL
) ENGINE=InnoDB;
