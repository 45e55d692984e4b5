-- 0024_nopad_identifiers.sql — one name, one account: identifiers compare with NO PAD collations
-- (docs/operations.md "Database"). Under a PAD SPACE collation 'bidder1 ' = 'bidder1', so a login
-- typed with trailing spaces found the account while its throttle key did not; under
-- ascii_general_ci 'TX1' = 'tx1 ', so two bank transactions differing in case or trailing blanks
-- collided. Every text column of the platform's tables becomes binary and NO PAD
-- (utf8mb4_nopad_bin, ascii_nopad_bin): equal only when byte-for-byte equal. Unique keys only get
-- stricter, so no row can collide. The tables' and the database's defaults follow, for columns
-- added later.
--
-- audit_entries is left as it is: it is written only by the platform, its text columns (action,
-- object_type) are never typed by anyone, and rebuilding the log's table would lock it for the
-- length of a copy of the whole log.
SET foreign_key_checks = 0;

BEGIN NOT ATOMIC
    DECLARE done INT DEFAULT 0;
    DECLARE t VARCHAR(64);
    DECLARE clause TEXT;
    DECLARE cur CURSOR FOR
        SELECT c.TABLE_NAME,
               GROUP_CONCAT(CONCAT('MODIFY `', c.COLUMN_NAME, '` ', c.COLUMN_TYPE,
                                   ' CHARACTER SET ', c.CHARACTER_SET_NAME,
                                   ' COLLATE ', c.CHARACTER_SET_NAME, '_nopad_bin',
                                   IF(c.IS_NULLABLE = 'YES', ' NULL', ' NOT NULL'),
                                   IF(c.COLUMN_DEFAULT IS NULL, '', CONCAT(' DEFAULT ', c.COLUMN_DEFAULT)),
                                   ' COMMENT ', QUOTE(c.COLUMN_COMMENT))
                            ORDER BY c.ORDINAL_POSITION SEPARATOR ', ')
        FROM information_schema.COLUMNS c
        JOIN information_schema.TABLES s
          ON s.TABLE_SCHEMA = c.TABLE_SCHEMA AND s.TABLE_NAME = c.TABLE_NAME
        WHERE c.TABLE_SCHEMA = DATABASE() AND s.TABLE_TYPE = 'BASE TABLE'
          AND c.CHARACTER_SET_NAME IN ('utf8mb4', 'ascii')
          AND c.COLLATION_NAME NOT LIKE '%nopad%'
          AND c.TABLE_NAME NOT IN ('audit_entries', 'schema_migrations')
        GROUP BY c.TABLE_NAME;
    DECLARE CONTINUE HANDLER FOR NOT FOUND SET done = 1;
    OPEN cur;
    columns: LOOP
        FETCH cur INTO t, clause;
        IF done THEN
            LEAVE columns;
        END IF;
        EXECUTE IMMEDIATE CONCAT('ALTER TABLE `', t, '` DEFAULT CHARACTER SET utf8mb4 ',
                                 'COLLATE utf8mb4_nopad_bin, ', clause);
    END LOOP;
    CLOSE cur;
END;

SET foreign_key_checks = 1;

ALTER DATABASE CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin;
