-- 0034_bid_validity.sql — extending the bid validity period (评标委员会和评标方法暂行规定 第四十条),
-- owned by the evaluation module (docs/evaluation.md §9d): when the evaluation and the award cannot
-- be completed 30 working days before the validity ends, the tenderer asks every bidder to extend
-- it (a signed request naming the new end); each bidder answers, signed. A bidder who refuses may
-- take its deposit back, and its bid lapses at the validity's old end.
CREATE TABLE bid_validity_requests (
    id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    project_id  BIGINT UNSIGNED NOT NULL,
    until_us    BIGINT NOT NULL COMMENT 'the new end of the validity period',
    from_us     BIGINT NOT NULL COMMENT 'the end it extends',
    asked_by    BIGINT UNSIGNED NOT NULL,
    key_id      CHAR(64) CHARACTER SET ascii NOT NULL,
    signature   VARCHAR(200) CHARACTER SET ascii NOT NULL,
    signed_us   BIGINT NOT NULL,
    asked_us    BIGINT NOT NULL,
    UNIQUE KEY uq_validity_request (project_id, until_us)
) ENGINE=InnoDB;

CREATE TABLE bid_validity_answers (
    request_id  BIGINT UNSIGNED NOT NULL,
    org_id      BIGINT UNSIGNED NOT NULL,
    agree       TINYINT NOT NULL,
    user_id     BIGINT UNSIGNED NOT NULL,
    key_id      CHAR(64) CHARACTER SET ascii NOT NULL,
    signature   VARCHAR(200) CHARACTER SET ascii NOT NULL,
    signed_us   BIGINT NOT NULL,
    answered_us BIGINT NOT NULL,
    PRIMARY KEY (request_id, org_id)
) ENGINE=InnoDB;
