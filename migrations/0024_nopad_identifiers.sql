-- 0024_nopad_identifiers.sql — one name, one account: identifiers compare with NO PAD collations
-- (docs/operations.md "Database"). Under a PAD SPACE collation 'bidder1 ' = 'bidder1', so a login
-- typed with trailing spaces found the account while its throttle key did not; under
-- ascii_general_ci 'TX1' = 'tx1 ', so two bank transactions differing in case or trailing blanks
-- collided. Every text column of the platform's tables becomes binary and NO PAD
-- (utf8mb4_nopad_bin, ascii_nopad_bin): equal only when byte-for-byte equal. Unique keys only get
-- stricter, so no row can collide. The tables' and the database's defaults follow, for columns
-- added later.
--
-- The statements below are the schema of migrations 0001 to 0023 with every text column's
-- collation made binary NO PAD (generated once from information_schema, then kept as they are:
-- a migration is fixed text).
--
-- audit_entries is left as it is: it is written only by the platform, its text columns (action,
-- object_type) are never typed by anyone, and rebuilding the log's table would lock it for the
-- length of a copy of the whole log.
SET foreign_key_checks = 0;

ALTER TABLE `agency_profiles` DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin,
    MODIFY `name` varchar(200) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL,
    MODIFY `credit_code` char(18) CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL,
    MODIFY `region` char(6) CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL,
    MODIFY `categories` varchar(100) CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL COMMENT 'the trading categories it is registered for, comma-separated',
    MODIFY `affiliates` varchar(2000) CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL COMMENT 'credit codes of organizations it is affiliated with, comma-separated',
    MODIFY `state` varchar(16) CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL COMMENT 'active, suspended',
    MODIFY `reason` varchar(2000) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NULL;
ALTER TABLE `announcements` DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin,
    MODIFY `project_code` varchar(32) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NULL,
    MODIFY `type` enum('tender','amendment','candidates','award','failed','termination') CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL,
    MODIFY `title` varchar(300) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL,
    MODIFY `body` mediumtext CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL,
    MODIFY `state` enum('draft','published') CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL,
    MODIFY `category` enum('engineering','procurement','land_mineral','state_property') CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL,
    MODIFY `region` char(6) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL,
    MODIFY `opening_place` varchar(2000) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NULL COMMENT 'where bids are opened (tender, amendment): the booked rooms';
ALTER TABLE `audit_checkpoints` DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin,
    MODIFY `kind` enum('periodic','requested','deadline') CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL,
    MODIFY `note` text CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL;
ALTER TABLE `audit_cosignatures` DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin,
    MODIFY `key_id` char(64) CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL,
    MODIFY `line` varchar(600) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL;
ALTER TABLE `audit_deadlines` DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin,
    MODIFY `label` varchar(200) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL;
ALTER TABLE `audit_keys` DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin,
    MODIFY `vkey` varchar(300) CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL;
ALTER TABLE `bids` DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin,
    MODIFY `signer_key_id` char(64) CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL,
    MODIFY `state` enum('current','superseded','withdrawn') CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL,
    MODIFY `open_status` enum('opened','rejected') CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NULL,
    MODIFY `open_class` enum('revocation','withdrawal') CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NULL COMMENT '撤销 (bidder) / 撤回 (platform)',
    MODIFY `open_reason` varchar(300) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NULL,
    MODIFY `summary` text CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NULL COMMENT 'the opening summary as sealed (canonical JSON)';
ALTER TABLE `calendar_imports` DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin,
    MODIFY `notice` varchar(400) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL COMMENT 'the notice the arrangement is from',
    MODIFY `arrangement` text CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL COMMENT '{"year","source","holidays","workdays"} as imported',
    MODIFY `sha256` char(64) CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL;
ALTER TABLE `deposit_basic_accounts` DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin,
    MODIFY `account_no` varchar(34) CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL,
    MODIFY `bank_name` varchar(200) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL,
    MODIFY `holder_name` varchar(200) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL,
    MODIFY `state` enum('pending','approved','refused','replaced') CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL,
    MODIFY `reason` varchar(2000) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NULL;
ALTER TABLE `deposit_entries` DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin,
    MODIFY `kind` varchar(32) CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL,
    MODIFY `memo` varchar(300) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL;
ALTER TABLE `deposit_events` DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin,
    MODIFY `kind` enum('award_notice','contract_signed') CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL;
ALTER TABLE `deposit_flags` DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin,
    MODIFY `payer_account` varchar(34) CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL;
ALTER TABLE `deposit_forfeitures` DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin,
    MODIFY `ground` varchar(24) CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL,
    MODIFY `article` varchar(100) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL,
    MODIFY `reason` varchar(2000) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL,
    MODIFY `state` enum('proposed','approved','rejected') CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL,
    MODIFY `decision_reason` varchar(2000) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NULL,
    MODIFY `active_key` varchar(64) CHARACTER SET ascii COLLATE ascii_nopad_bin NULL;
ALTER TABLE `deposit_guarantees` DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin,
    MODIFY `issuer_code` char(18) CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL,
    MODIFY `guarantee_no` varchar(64) CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL,
    MODIFY `issuer_name` varchar(200) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL,
    MODIFY `issuer_key_id` char(64) CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL,
    MODIFY `verify_ref` varchar(300) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL COMMENT 'where anyone checks it with the issuer',
    MODIFY `state` enum('valid','released','claimed') CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL,
    MODIFY `guarantee` text CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL COMMENT 'the signed guarantee as canonical JSON';
ALTER TABLE `deposit_notices` DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin,
    MODIFY `bank_txn` varchar(64) CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL,
    MODIFY `kind` enum('arrival','refund_paid','refund_failed') CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL,
    MODIFY `account` varchar(34) CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL,
    MODIFY `payer_account` varchar(34) CHARACTER SET ascii COLLATE ascii_nopad_bin NULL,
    MODIFY `payer_name` varchar(200) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NULL,
    MODIFY `instrument` varchar(16) CHARACTER SET ascii COLLATE ascii_nopad_bin NULL,
    MODIFY `outcome` enum('credited','held','confirmed','failed','returned') CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL,
    MODIFY `hold_reason` varchar(32) CHARACTER SET ascii COLLATE ascii_nopad_bin NULL,
    MODIFY `notice` text CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL COMMENT 'the signed notice as canonical JSON';
ALTER TABLE `deposit_postings` DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin,
    MODIFY `account` enum('bank','sub','held','refunds_payable','interest_expense','forfeited') CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL;
ALTER TABLE `deposit_refunds` DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin,
    MODIFY `cause` varchar(24) CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL,
    MODIFY `basis` varchar(100) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL COMMENT 'the article that sets the deadline',
    MODIFY `to_account` varchar(34) CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL,
    MODIFY `to_name` varchar(200) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL,
    MODIFY `state` enum('instructed','sent','paid','failed') CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL,
    MODIFY `instruction` text CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL COMMENT 'the signed instruction as sent (JSON)',
    MODIFY `reason` varchar(500) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NULL COMMENT 'a return: why, as center staff gave it';
ALTER TABLE `deposit_statements` DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin,
    MODIFY `statement_date` char(10) CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL,
    MODIFY `differences` text CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL COMMENT 'JSON array of {bank_txn, kind, issue}',
    MODIFY `statement` text CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL COMMENT 'the signed statement as canonical JSON';
ALTER TABLE `deposit_subaccounts` DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin,
    MODIFY `number` varchar(34) CHARACTER SET ascii COLLATE ascii_nopad_bin NULL,
    MODIFY `state` enum('open','refunding','closed','forfeited') CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL;
ALTER TABLE `draws` DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin,
    MODIFY `kind` varchar(16) CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL DEFAULT 'committee' COMMENT 'committee: experts for a session; agency: a tenderer\'s agency (project and booking 0)',
    MODIFY `category` varchar(16) CHARACTER SET ascii COLLATE ascii_nopad_bin NULL COMMENT 'an agency draw: the trading category',
    MODIFY `groups_json` varchar(2000) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL COMMENT '[{"specialty","count"}] in the request order',
    MODIFY `regions_json` varchar(400) CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL,
    MODIFY `state` varchar(16) CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL COMMENT 'committed, pooled, valued, drawn, complete, short, cancelled',
    MODIFY `seed_commit` char(64) CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL,
    MODIFY `pool_sha256` char(64) CHARACTER SET ascii COLLATE ascii_nopad_bin NULL,
    MODIFY `seed` char(64) CHARACTER SET ascii COLLATE ascii_nopad_bin NULL,
    MODIFY `supervisor_value` varchar(200) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NULL,
    MODIFY `place` varchar(800) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL COMMENT 'where the session is, as the experts are told',
    MODIFY `pool_map` mediumtext CHARACTER SET ascii COLLATE ascii_nopad_bin NULL COMMENT '[[pseudonym, user_id, group, salt], ...] by pseudonym: who each pseudonym is; logged only for the drawn, at the reveal',
    MODIFY `supervisor_act` mediumtext CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NULL COMMENT 'the supervisor\'s signed value, kept until the public value comes',
    MODIFY `beacon_source` varchar(400) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NULL COMMENT 'the public value\'s source announced with the request (experts.beacon_source)',
    MODIFY `beacon` varchar(200) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NULL;
ALTER TABLE `draw_cosigns` DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin,
    MODIFY `key_id` char(64) CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL,
    MODIFY `signature` varchar(200) CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL;
ALTER TABLE `draw_pool` DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin,
    MODIFY `pseudonym` char(16) CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL,
    MODIFY `salt` char(32) CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL COMMENT 'binds the pseudonym to the member (lib/draw.h draw_pseudonym)',
    MODIFY `grp` varchar(16) CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL,
    MODIFY `state` varchar(16) CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL COMMENT 'invited, skipped, confirmed, declined, expired, cancelled',
    MODIFY `reason` varchar(400) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NULL;
ALTER TABLE `expert_profiles` DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin,
    MODIFY `title` varchar(16) CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL COMMENT 'senior, deputy_senior, intermediate, junior, none',
    MODIFY `region` char(6) CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL,
    MODIFY `sharing` varchar(16) CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL COMMENT 'region, province, national: who may draw them',
    MODIFY `phone` varchar(32) CHARACTER SET ascii COLLATE ascii_nopad_bin NULL COMMENT 'where invitations go besides the inbox (SMS, voice)',
    MODIFY `state` varchar(16) CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL COMMENT 'applied, active, suspended, removed',
    MODIFY `state_reason` varchar(2000) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NULL;
ALTER TABLE `expert_ratings` DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin,
    MODIFY `rater_role` varchar(16) CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL,
    MODIFY `comment` varchar(2000) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NULL;
ALTER TABLE `expert_relations` DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin,
    MODIFY `kind` varchar(24) CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL COMMENT 'relative, former_employer, director, shareholder, legal_rep_kin',
    MODIFY `credit_code` char(18) CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL,
    MODIFY `org_name` varchar(200) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL;
ALTER TABLE `expert_specialties` DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin,
    MODIFY `code` varchar(16) CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL;
ALTER TABLE `idempotency` DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin,
    MODIFY `idem_key` varchar(128) CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL;
ALTER TABLE `jobs` DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin,
    MODIFY `name` varchar(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL;
ALTER TABLE `login_throttle` DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin,
    MODIFY `throttle_key` varchar(100) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL;
ALTER TABLE `openings` DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin,
    MODIFY `state` enum('awaiting_shares','opening','opened','failed') CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL,
    MODIFY `reason` varchar(300) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NULL;
ALTER TABLE `opening_keys` DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin,
    MODIFY `key_id` char(64) CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL COMMENT 'hex SHA-256 of public_key';
ALTER TABLE `opening_objections` DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin,
    MODIFY `text` varchar(2000) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL,
    MODIFY `answer` varchar(2000) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NULL;
ALTER TABLE `opening_shares` DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin,
    MODIFY `custodian_key_id` char(64) CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL;
ALTER TABLE `organizations` DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin,
    MODIFY `name` varchar(200) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL,
    MODIFY `type` enum('bidder','agency','tenderer','center','supervision') CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL,
    MODIFY `credit_code` char(18) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL COMMENT 'unified social credit code, GB 32100-2015',
    MODIFY `region` char(6) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL COMMENT 'administrative division code, GB/T 2260';
ALTER TABLE `outbox_deliveries` DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin,
    MODIFY `channel` varchar(32) CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL,
    MODIFY `address` varchar(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL,
    MODIFY `state` varchar(16) CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL COMMENT 'pending, sent, failed',
    MODIFY `error` varchar(400) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NULL;
ALTER TABLE `outbox_messages` DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin,
    MODIFY `kind` varchar(64) CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL,
    MODIFY `subject` varchar(200) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL,
    MODIFY `body` varchar(4000) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL,
    MODIFY `ref_type` varchar(32) CHARACTER SET ascii COLLATE ascii_nopad_bin NULL;
ALTER TABLE `projects` DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin,
    MODIFY `code` varchar(32) CHARACTER SET ascii COLLATE ascii_nopad_bin NULL COMMENT 'given at acceptance',
    MODIFY `name` varchar(200) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL,
    MODIFY `category` enum('engineering','procurement','land_mineral','state_property') CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL,
    MODIFY `method` varchar(32) CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL,
    MODIFY `region` char(6) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL,
    MODIFY `funding_source` varchar(200) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL,
    MODIFY `state` varchar(32) CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL,
    MODIFY `suspended_from` varchar(32) CHARACTER SET ascii COLLATE ascii_nopad_bin NULL,
    MODIFY `return_reason` varchar(2000) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NULL;
ALTER TABLE `project_code_counters` DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin,
    MODIFY `region` char(6) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL,
    MODIFY `category` char(2) CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL;
ALTER TABLE `project_documents` DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin,
    MODIFY `name` varchar(200) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL,
    MODIFY `content_type` varchar(100) CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL;
ALTER TABLE `project_lots` DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin,
    MODIFY `name` varchar(200) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL;
ALTER TABLE `sessions` DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin,
    MODIFY `client` varchar(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL;
ALTER TABLE `users` DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin,
    MODIFY `username` varchar(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL,
    MODIFY `display_name` varchar(100) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL,
    MODIFY `role` enum('center_admin','agent','bidder','expert','supervisor') CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL,
    MODIFY `password_hash` varchar(160) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL;
ALTER TABLE `user_keys` DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin,
    MODIFY `key_id` char(64) CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL,
    MODIFY `label` varchar(100) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL,
    MODIFY `cert_sha256` char(64) CHARACTER SET ascii COLLATE ascii_nopad_bin NULL COMMENT 'hex SHA-256 of the certificate DER',
    MODIFY `side` enum('bidder','agent','supervision','center','expert') CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NULL,
    MODIFY `credit_code` char(18) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NULL COMMENT 'the organization the certificate names',
    MODIFY `suite` varchar(32) CHARACTER SET ascii COLLATE ascii_nopad_bin NULL COMMENT 'signature suite (sigsuite.c)';
ALTER TABLE `venue_attendance` DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin,
    MODIFY `role` varchar(16) CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL,
    MODIFY `mode` varchar(16) CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL COMMENT 'in_room, online (不见面开标)',
    MODIFY `key_id` char(64) CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL,
    MODIFY `signature` varchar(200) CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL;
ALTER TABLE `venue_bookings` DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin,
    MODIFY `purpose` varchar(16) CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL COMMENT 'opening, evaluation, negotiation',
    MODIFY `lots` varchar(400) CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL COMMENT 'lot numbers, comma-separated',
    MODIFY `state` varchar(16) CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL COMMENT 'requested, approved, refused, cancelled',
    MODIFY `reason` varchar(2000) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NULL;
ALTER TABLE `venue_recorders` DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin,
    MODIFY `key_id` char(64) CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL COMMENT 'hex SHA-256 of the SPKI',
    MODIFY `credit_code` char(18) CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL COMMENT 'the center\'s, which it names',
    MODIFY `label` varchar(200) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL,
    MODIFY `state` varchar(16) CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL COMMENT 'active, revoked';
ALTER TABLE `venue_recordings` DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin,
    MODIFY `sha256` char(64) CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL,
    MODIFY `storage_ref` varchar(500) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL,
    MODIFY `signature` varchar(200) CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL;
ALTER TABLE `venue_rooms` DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin,
    MODIFY `name` varchar(200) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL,
    MODIFY `kind` varchar(16) CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL COMMENT 'opening, evaluation, negotiation, draw, seats, remote_main, remote_guest',
    MODIFY `region` char(6) CHARACTER SET ascii COLLATE ascii_nopad_bin NULL COMMENT 'remote venues: the region they serve',
    MODIFY `equipment` varchar(200) CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL COMMENT 'comma-separated flags',
    MODIFY `state` varchar(16) CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL COMMENT 'open, maintenance, retired',
    MODIFY `state_reason` varchar(2000) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NULL;
ALTER TABLE `venue_sites` DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin,
    MODIFY `name` varchar(200) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL,
    MODIFY `address` varchar(500) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL,
    MODIFY `region` char(6) CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL COMMENT 'administrative division code';
ALTER TABLE `venue_warnings` DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin,
    MODIFY `kind` varchar(32) CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL COMMENT 'recording_missing',
    MODIFY `detail` varchar(1000) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL;
ALTER TABLE `venue_witness` DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin,
    MODIFY `text` varchar(4000) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL,
    MODIFY `recordings` varchar(400) CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL COMMENT 'recording ids, comma-separated',
    MODIFY `key_id` char(64) CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL,
    MODIFY `signature` varchar(200) CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL;

SET foreign_key_checks = 1;

ALTER DATABASE CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin;
