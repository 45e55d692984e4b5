-- 0033_bid_client_address.sql — the address a bid was handed in from (the bids module's), for the
-- evaluation's indicator IND-SAME-CLIENT (实施条例 第四十条: bids prepared by the same unit or
-- person; the same client address for two bidders of a lot is its sign the platform can see).
-- Shown only in an indicator, to the committee and supervisors (docs/evaluation.md §5a).
ALTER TABLE bids ADD COLUMN client_address VARCHAR(64) CHARACTER SET ascii NULL
    COMMENT 'the submitting client''s address (through a configured proxy: X-Forwarded-For)';
