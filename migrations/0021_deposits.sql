-- 0021_deposits.sql — bid deposits (保证金统一收退), owned by the deposits module
-- (docs/deposits.md). Money is integer fen. The ledger is double-entry: every movement is one
-- deposit_entries row with postings that sum to zero; balances are sums of postings, never
-- stored; entries are never changed, only reversed by a new one.

-- An organization's basic account (基本存款账户), from which cash deposits must come
-- (实施条例 第二十六条). A change is asked for by the organization and decided by center staff;
-- approved_org / pending_org hold the org id while the row is approved / pending, so an
-- organization has at most one of each (a unique key, which a Galera cluster certifies).
CREATE TABLE deposit_basic_accounts (
    id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    org_id        BIGINT UNSIGNED NOT NULL,
    account_no    VARCHAR(34) CHARACTER SET ascii NOT NULL,
    bank_name     VARCHAR(200) NOT NULL,
    holder_name   VARCHAR(200) NOT NULL,
    state         ENUM('pending','approved','refused','replaced') NOT NULL,
    requested_by  BIGINT UNSIGNED NOT NULL,
    requested_us  BIGINT NOT NULL,
    decided_by    BIGINT UNSIGNED NULL,
    decided_us    BIGINT NULL,
    reason        VARCHAR(2000) NULL,
    approved_org  BIGINT UNSIGNED NULL,
    pending_org   BIGINT UNSIGNED NULL,
    UNIQUE KEY uq_basic_approved (approved_org),
    UNIQUE KEY uq_basic_pending (pending_org),
    KEY ix_basic_org (org_id, id),
    CONSTRAINT fk_basic_org FOREIGN KEY (org_id) REFERENCES organizations (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- One virtual sub-account (虚拟子账号) per bidder per lot: the number the bidder pays into.
CREATE TABLE deposit_subaccounts (
    id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    project_id    BIGINT UNSIGNED NOT NULL,
    lot_seq       INT NOT NULL,
    org_id        BIGINT UNSIGNED NOT NULL,
    number        VARCHAR(34) CHARACTER SET ascii NULL,
    required_fen  BIGINT NOT NULL,
    category      TINYINT NOT NULL,
    deadline_us   BIGINT NOT NULL COMMENT 'the bid deadline in force when it was opened',
    state         ENUM('open','refunding','closed','forfeited') NOT NULL,
    created_us    BIGINT NOT NULL,
    UNIQUE KEY uq_sub_bidder (project_id, lot_seq, org_id),
    UNIQUE KEY uq_sub_number (number),
    KEY ix_sub_state (state, id),
    CONSTRAINT fk_sub_lot FOREIGN KEY (project_id, lot_seq) REFERENCES project_lots (project_id, seq),
    CONSTRAINT fk_sub_org FOREIGN KEY (org_id) REFERENCES organizations (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The journal: one row per balanced entry.
CREATE TABLE deposit_entries (
    id             BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    kind           VARCHAR(32) CHARACTER SET ascii NOT NULL,
    project_id     BIGINT UNSIGNED NULL,
    subaccount_id  BIGINT UNSIGNED NULL,
    memo           VARCHAR(300) NOT NULL,
    created_us     BIGINT NOT NULL,
    KEY ix_entry_project (project_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The postings of an entry: account kind and, for a sub-account, its id; fen signed (debit +,
-- credit −). The postings of one entry sum to zero, so all postings do.
CREATE TABLE deposit_postings (
    id        BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    entry_id  BIGINT UNSIGNED NOT NULL,
    account   ENUM('bank','sub','held','refunds_payable','interest_expense','forfeited') NOT NULL,
    ref       BIGINT UNSIGNED NOT NULL DEFAULT 0 COMMENT 'the sub-account id for sub, else 0',
    fen       BIGINT NOT NULL,
    KEY ix_posting_account (account, ref),
    KEY ix_posting_entry (entry_id),
    CONSTRAINT fk_posting_entry FOREIGN KEY (entry_id) REFERENCES deposit_entries (id)
) ENGINE=InnoDB;

-- The bank's signed notices, once each (bank_txn): arrivals and refund confirmations.
CREATE TABLE deposit_notices (
    id             BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    bank_txn       VARCHAR(64) CHARACTER SET ascii NOT NULL,
    kind           ENUM('arrival','refund_paid','refund_failed') NOT NULL,
    account        VARCHAR(34) CHARACTER SET ascii NOT NULL,
    amount_fen     BIGINT NOT NULL,
    payer_account  VARCHAR(34) CHARACTER SET ascii NULL,
    payer_name     VARCHAR(200) NULL,
    instrument     VARCHAR(16) CHARACTER SET ascii NULL,
    refund_id      BIGINT UNSIGNED NULL,
    value_us       BIGINT NOT NULL COMMENT 'when the bank says the money moved',
    signed_us      BIGINT NOT NULL,
    received_us    BIGINT NOT NULL,
    outcome        ENUM('credited','held','confirmed','failed') NOT NULL,
    hold_reason    VARCHAR(32) CHARACTER SET ascii NULL,
    subaccount_id  BIGINT UNSIGNED NULL,
    entry_id       BIGINT UNSIGNED NULL,
    notice         TEXT NOT NULL COMMENT 'the signed notice as canonical JSON',
    UNIQUE KEY uq_notice_txn (bank_txn),
    KEY ix_notice_sub (subaccount_id),
    KEY ix_notice_payer (payer_account),
    KEY ix_notice_held (outcome, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Refunds: a signed payment instruction to the bank, confirmed by its notice. active_sub holds
-- the sub-account while the refund is under way, so a sub-account has one refund at a time.
CREATE TABLE deposit_refunds (
    id             BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    subaccount_id  BIGINT UNSIGNED NOT NULL,
    cause          VARCHAR(24) CHARACTER SET ascii NOT NULL,
    basis          VARCHAR(100) NOT NULL COMMENT 'the article that sets the deadline',
    principal_fen  BIGINT NOT NULL,
    interest_fen   BIGINT NOT NULL,
    fee_fen        BIGINT NOT NULL,
    to_account     VARCHAR(34) CHARACTER SET ascii NOT NULL,
    to_name        VARCHAR(200) NOT NULL,
    event_us       BIGINT NOT NULL,
    due_us         BIGINT NOT NULL,
    state          ENUM('instructed','sent','paid','failed') NOT NULL,
    instruction    TEXT NOT NULL COMMENT 'the signed instruction as sent (JSON)',
    created_us     BIGINT NOT NULL,
    sent_us        BIGINT NULL,
    paid_us        BIGINT NULL,
    late           TINYINT NOT NULL DEFAULT 0,
    warned_us      BIGINT NULL,
    late_flagged_us BIGINT NULL,
    active_sub     BIGINT UNSIGNED NULL,
    UNIQUE KEY uq_refund_active (active_sub),
    KEY ix_refund_state (state, due_us),
    KEY ix_refund_sub (subaccount_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Events of later stages the refunds depend on (the award notice, the contract), as their
-- capability reports them through the core's event hook.
CREATE TABLE deposit_events (
    id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    project_id  BIGINT UNSIGNED NOT NULL,
    kind        ENUM('award_notice','contract_signed') NOT NULL,
    winner_org  BIGINT UNSIGNED NULL,
    at_us       BIGINT NOT NULL,
    UNIQUE KEY uq_event (project_id, kind)
) ENGINE=InnoDB;

-- Collusion indicators (实施条例 第四十条): one payer account paying for two bidders of a lot.
CREATE TABLE deposit_flags (
    id             BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    project_id     BIGINT UNSIGNED NOT NULL,
    lot_seq        INT NOT NULL,
    payer_account  VARCHAR(34) CHARACTER SET ascii NOT NULL,
    org_a          BIGINT UNSIGNED NOT NULL,
    org_b          BIGINT UNSIGNED NOT NULL,
    notice_id      BIGINT UNSIGNED NOT NULL,
    created_us     BIGINT NOT NULL,
    UNIQUE KEY uq_flag (project_id, lot_seq, payer_account, org_a, org_b)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Electronic guarantees (电子保函): registered by their issuer (an insurer or a bank, certified
-- under the finance anchor), each covering one bidder, one lot, an amount and a validity; counted
-- as the bidder's deposit. Once per issuer and guarantee number.
CREATE TABLE deposit_guarantees (
    id             BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    issuer_code    CHAR(18) CHARACTER SET ascii NOT NULL,
    guarantee_no   VARCHAR(64) CHARACTER SET ascii NOT NULL,
    issuer_name    VARCHAR(200) NOT NULL,
    issuer_key_id  CHAR(64) CHARACTER SET ascii NOT NULL,
    verify_ref     VARCHAR(300) NOT NULL COMMENT 'where anyone checks it with the issuer',
    project_id     BIGINT UNSIGNED NOT NULL,
    lot_seq        INT NOT NULL,
    org_id         BIGINT UNSIGNED NOT NULL,
    amount_fen     BIGINT NOT NULL,
    valid_from_us  BIGINT NOT NULL,
    valid_until_us BIGINT NOT NULL,
    signed_us      BIGINT NOT NULL,
    received_us    BIGINT NOT NULL,
    state          ENUM('valid','released','claimed') NOT NULL,
    guarantee      TEXT NOT NULL COMMENT 'the signed guarantee as canonical JSON',
    UNIQUE KEY uq_guarantee (issuer_code, guarantee_no),
    KEY ix_guarantee_bidder (project_id, lot_seq, org_id),
    CONSTRAINT fk_guarantee_lot FOREIGN KEY (project_id, lot_seq) REFERENCES project_lots (project_id, seq),
    CONSTRAINT fk_guarantee_org FOREIGN KEY (org_id) REFERENCES organizations (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Forfeiture (不予退还): proposed with a legal ground, decided by a supervisor. active_key holds
-- "<project>:<lot>:<org>" while a proposal is open or approved, so a deposit is forfeited once.
CREATE TABLE deposit_forfeitures (
    id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    project_id      BIGINT UNSIGNED NOT NULL,
    lot_seq         INT NOT NULL,
    org_id          BIGINT UNSIGNED NOT NULL,
    subaccount_id   BIGINT UNSIGNED NULL,
    guarantee_id    BIGINT UNSIGNED NULL,
    ground          VARCHAR(24) CHARACTER SET ascii NOT NULL,
    article         VARCHAR(100) NOT NULL,
    reason          VARCHAR(2000) NOT NULL,
    amount_fen      BIGINT NOT NULL,
    proposed_by     BIGINT UNSIGNED NOT NULL,
    proposed_us     BIGINT NOT NULL,
    state           ENUM('proposed','approved','rejected') NOT NULL,
    decided_by      BIGINT UNSIGNED NULL,
    decided_us      BIGINT NULL,
    decision_reason VARCHAR(2000) NULL,
    active_key      VARCHAR(64) CHARACTER SET ascii NULL,
    UNIQUE KEY uq_forfeit_active (active_key),
    KEY ix_forfeit_project (project_id, id),
    KEY ix_forfeit_sub (subaccount_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The bank's daily statements (对账单), signed, once per day; matched against the notices booked.
CREATE TABLE deposit_statements (
    id             BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    statement_date CHAR(10) CHARACTER SET ascii NOT NULL,
    received_us    BIGINT NOT NULL,
    line_count     INT NOT NULL,
    matched        INT NOT NULL,
    differences    TEXT NOT NULL COMMENT 'JSON array of {bank_txn, kind, issue}',
    statement      TEXT NOT NULL COMMENT 'the signed statement as canonical JSON',
    UNIQUE KEY uq_statement_date (statement_date)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
