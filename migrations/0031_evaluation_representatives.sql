-- 0031_evaluation_representatives.sql — the tenderer's representatives on an evaluation
-- committee (招标投标法 第三十七条; 财政部令第87号 第四十七条), owned by the evaluation module
-- (docs/evaluation.md §7a): the committee draw counts their seats (owner_reps); the tenderer's
-- people designate who sits in them, signed, for the evaluation booking. A designated
-- representative signs in in the room as the members do and sits as a member (pseudonym
-- "rep-<user id>"), without the right to chair under government procurement (第四十五条).
CREATE TABLE evaluation_representatives (
    booking_id    BIGINT UNSIGNED NOT NULL,
    user_id       BIGINT UNSIGNED NOT NULL COMMENT 'the representative, a tenderer user',
    org_id        BIGINT UNSIGNED NOT NULL COMMENT 'the tenderer',
    designated_by BIGINT UNSIGNED NOT NULL,
    key_id        CHAR(64) CHARACTER SET ascii NOT NULL,
    signature     VARCHAR(200) CHARACTER SET ascii NOT NULL,
    signed_us     BIGINT NOT NULL,
    created_us    BIGINT NOT NULL,
    PRIMARY KEY (booking_id, user_id)
) ENGINE=InnoDB;
