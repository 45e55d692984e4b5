-- 0022_deposit_returns.sql — returning held money to its payer (docs/deposits.md §5c), owned by
-- the deposits module. A return is a refund whose source is a held notice, not a sub-account:
-- subaccount_id is NULL and notice_id names the notice; active_notice holds the notice while its
-- return is under way, so a held payment has one return at a time (a unique key, which a Galera
-- cluster certifies). A notice whose return the bank confirmed is `returned`.
ALTER TABLE deposit_refunds
    MODIFY subaccount_id BIGINT UNSIGNED NULL,
    ADD COLUMN notice_id BIGINT UNSIGNED NULL AFTER subaccount_id,
    ADD COLUMN active_notice BIGINT UNSIGNED NULL,
    ADD COLUMN reason VARCHAR(500) NULL COMMENT 'a return: why, as center staff gave it',
    ADD UNIQUE KEY uq_refund_active_notice (active_notice),
    ADD KEY ix_refund_notice (notice_id);

ALTER TABLE deposit_notices
    MODIFY outcome ENUM('credited','held','confirmed','failed','returned') NOT NULL;
