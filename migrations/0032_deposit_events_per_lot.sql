-- 0032_deposit_events_per_lot.sql — the award notice and the contract reach the deposits stage
-- per lot (docs/deposits.md §6): a project of several lots has a winner and a contract per lot,
-- and each lot's deposits go back on its own events (实施条例 第五十七条; 财政部令第87号
-- 第三十八条). lot_seq 0: an event of every lot of the project (as before).
ALTER TABLE deposit_events ADD COLUMN lot_seq INT NOT NULL DEFAULT 0 AFTER kind,
    DROP INDEX uq_event, ADD UNIQUE KEY uq_event (project_id, kind, lot_seq);
