-- 0008_opening_runner.sql — one opener at a time (docs/envelope.md §9).
--
-- Opening a lot's envelopes runs outside any one transaction: batches of outcomes are committed
-- as they are decrypted. Two runs at once (the k-th share and a resume, or two resumes) must not
-- both decrypt and audit the same envelopes, so a run holds a lease on the opening row: a random
-- token and a time (ggzyd's clock) until which it is held. A run claims it in the transaction
-- that starts it, renews it with every batch and checks it under the row lock before each
-- commit; a run that crashed loses it when the time passes, and a resume may then take over.
ALTER TABLE openings
    ADD COLUMN runner          BINARY(16) NULL COMMENT 'the lease holder: a random token per run',
    ADD COLUMN runner_until_us BIGINT NULL COMMENT 'the lease holds until then (ggzyd clock, µs)';
