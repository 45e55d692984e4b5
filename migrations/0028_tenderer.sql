-- 0028_tenderer.sql — the tenderer (招标人) as a role of its own: its users belong to a tenderer
-- organization, and its signing keys are certified under the tenderers' CA (trust.tenderer_ca:
-- the side "tenderer"). docs/evaluation.md §8.
ALTER TABLE `users`
    MODIFY `role` enum('center_admin','agent','bidder','expert','supervisor','tenderer') CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL;
ALTER TABLE `user_keys`
    MODIFY `side` enum('bidder','agent','supervision','center','expert','tenderer') CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NULL;
