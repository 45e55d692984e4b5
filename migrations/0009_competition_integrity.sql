-- 0009_competition_integrity.sql — each project state is reached only by the action that owns
-- it (server/project_states.c): bidding begins with the tender announcement's publication, so
-- the state 'announced' (published, bidding not yet begun) is gone; and the opening's place is
-- part of what a tender announcement promises (招标投标法 第三十四条), so an amendment that
-- moves it affects the bids.
ALTER TABLE announcements
    ADD COLUMN opening_place VARCHAR(300) NULL COMMENT 'where bids are opened (tender, amendment)';
UPDATE projects SET state = 'bidding' WHERE state = 'announced';
UPDATE projects SET suspended_from = 'bidding' WHERE suspended_from = 'announced';
