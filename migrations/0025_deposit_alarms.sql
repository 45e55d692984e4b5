-- 0025_deposit_alarms.sql — money leaves only on what the log proves (docs/deposits.md §10a),
-- owned by the deposits module. A sub-account ("sub:<id>") or a held payment ("txn:<bank_txn>")
-- whose ledger rows disagree with the audit log's evidence: suspect at the first sight (a
-- change committed after the last checkpoint looks the same), altered when it persists with the
-- log synced again (or at once where no race is possible), resolved when the rows agree again.
-- active_key holds the key while the alarm is open, so a thing has one open alarm at a time.
CREATE TABLE deposit_alarms (
    id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    what         VARCHAR(100) CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL,
    state        ENUM('suspect','altered','resolved') NOT NULL,
    why          VARCHAR(1000) NOT NULL,
    first_us     BIGINT NOT NULL,
    raised_us    BIGINT NULL,
    resolved_us  BIGINT NULL,
    active_key   VARCHAR(100) CHARACTER SET ascii COLLATE ascii_nopad_bin NULL,
    UNIQUE KEY uq_alarm_active (active_key),
    KEY ix_alarm_state (state)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;
