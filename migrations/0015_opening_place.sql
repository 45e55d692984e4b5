-- 0015_opening_place.sql — an announcement's opening place is the booked room's, as the
-- venues module states it ("<site> <room>（<address>）", one per place when lots are opened in
-- several): it may be longer than the 300 characters a typed place had.
ALTER TABLE announcements MODIFY opening_place VARCHAR(2000) NULL
    COMMENT 'where bids are opened (tender, amendment): the booked rooms';
