-- 0018_venue_announced.sql — an opening booking a published announcement promises: it is moved
-- only by an amendment (with the deadline) or by the center's relocation (with the drafted
-- change notice), never cancelled (docs/venues.md §4).
ALTER TABLE venue_bookings ADD COLUMN announced_by BIGINT UNSIGNED NULL
    COMMENT 'the published announcement that states this opening room';
