"""Bid deposits (保证金统一收退) through the real API, with the simulated bank (tests/sim/bank.py) as
a separate process posting signed notices over HTTPS and paying the platform's signed refund
instructions: basic accounts asked for by the organization (signed) and decided by staff; one
sub-account per bidder per lot; arrivals credited only from the basic account, before the
deadline, once per bank transaction; collusion indicators; refunds by the legal deadline with
interest, warned of and flagged late; the ledger balanced after every scenario, and the replay
of the log clean."""
import calendar
import datetime
import glob
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from harness import CA, ROOT, TRUST, issue_cert, credit_code, make_ca, sign_act
import test_opening

DAY = 86400 * 10**6
CST = 8 * 3600 * 10**6
BANK_DIR = tempfile.mkdtemp(prefix="ggzy-bank-")
BANK_CODE = credit_code("91110000BK")
BANK_KEY = ec.generate_private_key(ec.SECP256R1())
BANK_KEY_PATH = os.path.join(BANK_DIR, "bank.key")
BANK_CERT_PATH = os.path.join(BANK_DIR, "bank.crt")
with open(BANK_KEY_PATH, "wb") as f:
    f.write(BANK_KEY.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                   serialization.NoEncryption()))
with open(BANK_CERT_PATH, "w") as f:
    f.write(issue_cert(BANK_KEY.public_key(), BANK_CODE, "finance", name="开发测试银行"))
DEPOSIT = 1000000  # 1 万元, of lot 1's estimate of 500 万元 (2 % would be 100 000 00 fen)


def rates():
    rows = []
    with open(os.path.join(ROOT, "data", "deposit-rates.tsv")) as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                d, dep, lend = line.split()
                y, m, dd = map(int, d.split("-"))
                rows.append((calendar.timegm(datetime.date(y, m, dd).timetuple()) // 86400, int(dep), int(lend)))
    return rows


def cst_day(t_us):
    return (t_us + CST) // DAY


def interest(fen, a, b):
    """docs/deposits.md §7, written again here: Σ over days a ≤ d < b of fen × rate(d), over
    a 360-day year, rounded half up to the fen once."""
    rows, total = rates(), 0
    for d in range(a, b):
        rate = [r for r in rows if r[0] <= d][-1][1]
        total += fen * rate * 1000
    den = 360 * 10**6 * 1000
    return (total + den // 2) // den


class DepositTest(test_opening.Ceremony):
    server_args = {"conf": {"auth.session_ttl_s": "2592000", "deposits.bank_cert": BANK_CERT_PATH,
                            "deposits.bank_credit_code": BANK_CODE}}
    deposits = [{"lot": 1, "deposit_fen": DEPOSIT}]
    bid_all = test_opening.OpeningTest.bid_all

    def setUp(self):
        super().setUp()
        self.spool = os.path.join(self.tmp, "bank")
        os.makedirs(self.spool)
        self.bank_log = open(os.path.join(self.tmp, "bank.log"), "wb")
        self.bank = subprocess.Popen(
            [sys.executable, os.path.join(ROOT, "tests", "sim", "bank.py"), "--url",
             "https://localhost:%d" % self.srv.port, "--ca", CA, "--key", BANK_KEY_PATH, "--cert",
             BANK_CERT_PATH, "--platform", "ggzy.test", "--vkey", self.vkey(), "--spool", self.spool,
             "--instructions", os.path.join(self.srv.dir, "bank", "instructions")],
            stdout=subprocess.DEVNULL, stderr=self.bank_log)
        self.addCleanup(self.stop_bank)
        self.wait(lambda: os.path.exists(os.path.join(self.spool, "READY")), "the bank did not start")
        self.seq = 0

    def stop_bank(self):
        self.bank.terminate()
        self.bank.wait(timeout=10)
        self.bank_log.close()

    # -- helpers --

    def wait(self, cond, what, timeout=60):  # the bank is another process: a loaded machine is slow
        deadline = time.time() + timeout
        while time.time() < deadline:
            v = cond()
            if v:
                return v
            time.sleep(0.05)
        self.fail(what)

    def basic(self, b, account, approve=True, holder=None):
        """The organization's basic account, asked for (signed by its key) and decided by staff."""
        org = self.srv.request("GET", "/api/v1/orgs/%d" % b["org"], token=b["tok"]).json
        f = {"account_no": account, "bank_name": "某银行某支行", "holder_name": holder or org["name"],
             "org_id": b["org"], "platform": "ggzy.test", "signed_us": self.server_now()}
        body = dict(f, key_id=b["kid"], signature=sign_act(b["key"], "ggzy-basic-account-v1", f))
        del body["org_id"], body["platform"]
        r = self.srv.request("POST", "/api/v1/deposits/basic-accounts", body, token=b["tok"])
        if r.status != 201 or approve is None:
            return r
        decision = {"approve": True} if approve else {"approve": False, "reason": "开户许可证不符"}
        r = self.srv.request("POST", "/api/v1/deposits/basic-accounts/%d/decision" % r.json["id"], decision,
                             token=self.admin)
        self.assertEqual(r.status, 200, r)
        return r

    def sub(self, b, lot=1):
        r = self.srv.request("POST", "/api/v1/projects/%d/lots/%d/deposit" % (self.pid, lot), token=b["tok"])
        self.assertIn(r.status, (200, 201), r)
        return r.json

    def pay(self, account, amount, payer, name="付款单位", instrument="transfer", resend=1, txn=None, **extra):
        """A payment order to the bank, which notifies the platform: the platform's answer."""
        self.seq += 1
        txn = txn or "TX%s%04d" % (secrets.token_hex(3), self.seq)
        order = {"bank_txn": txn, "account": account, "amount_fen": amount, "resend": resend}
        if payer is not None:
            order.update(payer_account=payer, payer_name=name)
        if instrument:
            order["instrument"] = instrument
        order.update(extra)
        # whole or not at all: the bank lists *.order.json while this is written
        path = os.path.join(self.spool, "%s.order.json" % txn)
        with open(path + ".tmp", "w") as f:
            json.dump(order, f)
        os.rename(path + ".tmp", path)
        res = os.path.join(self.spool, "%s.result.json" % txn)
        self.wait(lambda: os.path.exists(res), "the bank did not notify " + txn)
        with open(res) as f:
            out = json.load(f)
        out["txn"] = txn
        return out

    def ledger(self):
        r = self.srv.request("GET", "/api/v1/deposits/ledger", token=self.sup_tok)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["total_fen"], 0, r.json)
        self.assertTrue(r.json["balanced"], r.json)
        return r.json["accounts"]

    def run_job(self, name, to_us=None):
        """Move the clock (to to_us, or a minute on) and wait for the job's next run."""
        def runs():
            r = self.srv.request("GET", "/api/v1/system/jobs", token=self.admin)
            return next(j for j in r.json["items"] if j["name"] == name)["runs"]
        before = runs()
        if to_us is None:
            to_us = self.server_now() + 61 * 10**6
        self.clock(to_us)
        self.wait(lambda: runs() > before, name + " did not run")

    def replay_clean(self):
        """The replay of the project's log, up to a checkpoint signed now (so it covers every
        entry so far, not the last periodic checkpoint's), holds every invariant."""
        self.srv.wait_sequenced()
        r = self.srv.request("POST", "/api/v1/audit/checkpoints", token=self.sup_tok)
        self.assertEqual(r.status, 200, r)
        p = self.ggzy("audit", "replay", "--project", str(self.pid), "--vkey", self.vkey(), token=self.sup_tok)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("every invariant holds", p.stdout)

    def statement(self, lines, date="2026-03-02"):
        """The bank's signed daily statement of the center's account (§5b), posted."""
        st = {"platform": "ggzy.test", "date": date, "lines": lines, "signed_us": self.server_now()}
        return self.srv.request("POST", "/api/v1/deposits/statements", {
            "statement": st, "signature": sign_act(BANK_KEY, "ggzy-bank-statement-v1", st)})

    def refunds(self, **q):
        qs = "&".join("%s=%s" % kv for kv in q.items())
        r = self.srv.request("GET", "/api/v1/deposits/refunds?" + qs, token=self.admin)
        self.assertEqual(r.status, 200, r)
        return r.json["items"]


class ArrivalTest(DepositTest):
    def test_a_deposit_counts_only_from_the_basic_account_before_the_deadline_and_once(self):
        b0, b1, b2, b3 = self.bidders
        for i, b in enumerate(self.bidders):
            self.basic(b, "62220000000000%02d" % i)
        subs = [self.sub(b) for b in self.bidders]
        self.assertEqual(self.sub(b0)["id"], subs[0]["id"])  # opened once: the same sub-account
        self.assertEqual(subs[0]["pay_to"]["account_no"], subs[0]["number"])
        self.assertEqual(subs[0]["required_fen"], DEPOSIT)
        self.assertEqual(len({s["number"] for s in subs}), 4)
        # from the basic account: credited
        r = self.pay(subs[0]["number"], DEPOSIT, "6222000000000000")
        self.assertEqual((r["status"], r["body"]["outcome"]), (201, "credited"), r)
        # from another account: held, not counted
        r = self.pay(subs[1]["number"], DEPOSIT, "6222999900000001")
        self.assertEqual((r["body"]["outcome"], r["body"]["hold_reason"]), ("held", "not_basic_account"), r)
        # the bank sends one notice twice: booked once
        r = self.pay(subs[2]["number"], DEPOSIT, "6222000000000002", resend=2)
        self.assertEqual([a[0] for a in r["answers"]], [201, 200], r)
        self.assertTrue(r["answers"][1][1]["duplicate"])
        self.assertEqual(self.srv.sql("SELECT COUNT(*) FROM deposit_notices WHERE bank_txn = '%s'" % r["txn"]),
                         [["1"]])
        # another notice under a booked transaction id is refused (a bank that reuses one)
        now = self.server_now()
        n = {"bank_txn": r["txn"], "kind": "arrival", "account": subs[2]["number"], "amount_fen": 5,
             "payer_account": "6222000000000002", "payer_name": "付款单位", "instrument": "transfer",
             "value_us": now, "signed_us": now, "platform": "ggzy.test"}
        c = self.srv.request("POST", "/api/v1/deposits/bank/notices",
                             {"notice": n, "signature": sign_act(BANK_KEY, "ggzy-bank-notice-v1", n)})
        self.assertEqual((c.status, c.json["error"]["rule"]), (409, "DEP-NOTICE-CONFLICT"), c)
        # an unknown sub-account and a notice without its payer: held, never guessed
        r = self.pay("880100009999999", 300, "6222000000000000")
        self.assertEqual(r["body"]["hold_reason"], "unknown_account", r)
        r = self.pay(subs[3]["number"], 400, None)
        self.assertEqual(r["body"]["hold_reason"], "incomplete", r)
        acc = self.ledger()
        held = DEPOSIT + 300 + 400
        self.assertEqual(acc["held"], -held)
        self.assertEqual(acc["sub"], -2 * DEPOSIT)
        self.assertEqual(acc["bank"], held + 2 * DEPOSIT)
        # after the deadline: does not count (and the refunds of those who never bid begin)
        self.clock(self.deadline + 60 * 10**6)
        r = self.pay(subs[3]["number"], DEPOSIT, "6222000000000003",
                     value_us=self.deadline + 30 * 10**6)
        self.assertEqual(r["body"]["hold_reason"], "late", r)
        states = [self.srv.request("GET", "/api/v1/projects/%d/lots/1/deposit" % self.pid, token=b["tok"]).json
                  for b in self.bidders]
        self.assertEqual([s["deposit"] for s in states], ["paid", "missing", "paid", "missing"])
        self.assertEqual(states[0]["credited_by_deadline_fen"], DEPOSIT)
        self.assertEqual(self.ledger()["held"], -(held + DEPOSIT))
        # a bidder sees only its own sub-account; the ledger is the center's and supervisors'
        self.assertEqual(self.srv.request("GET", "/api/v1/deposits/ledger", token=b0["tok"]).status, 403)
        self.assertEqual(self.srv.request("GET", "/api/v1/projects/%d/lots/2/deposit" % self.pid,
                                          token=b0["tok"]).status, 404)
        # the bank acted in the log under its own key, and the replay holds (the bank may be
        # confirming the refunds of those who never bid meanwhile: only sequenced entries have
        # their bytes)
        self.srv.wait_sequenced()
        actors = self.srv.sql("SELECT DISTINCT JSON_VALUE(entry, '$.actor.role') FROM audit_entries "
                              "WHERE action = 'deposit.notice' AND idx IS NOT NULL")
        self.assertEqual(actors, [["bank"]])
        self.replay_clean()
        # a DBA who edits a posting breaks the balance, and the ledger says so
        self.srv.sql("UPDATE deposit_postings SET fen = fen + 1 WHERE account = 'held' LIMIT 1")
        r = self.srv.request("GET", "/api/v1/deposits/ledger", token=self.sup_tok).json
        self.assertFalse(r["balanced"])
        self.assertEqual(len(r["unbalanced_entries"]), 1)

    def test_a_bidder_lists_only_its_own_sub_accounts_and_staff_list_every_one(self):
        b0, b1 = self.bidders[:2]
        s0, s1 = self.sub(b0), self.sub(b1)
        got = lambda tok, q="": self.srv.request("GET", "/api/v1/deposits/subaccounts" + q, token=tok)
        mine = got(b0["tok"], "?org=%d" % b1["org"]).json["items"]  # asking for another's: still its own
        self.assertEqual([x["id"] for x in mine], [s0["id"]])
        self.assertEqual((mine[0]["deposit"], mine[0]["project_name"], mine[0]["arrivals"], mine[0]["refunds"]),
                         ("missing", "某某学校教学楼工程", [], []))
        self.assertEqual(mine[0]["pay_to"]["account_no"], s0["number"])
        every = got(self.sup_tok, "?project=%d" % self.pid).json
        self.assertEqual([x["id"] for x in every["items"]], [s1["id"], s0["id"]])  # newest first
        page = got(self.admin, "?limit=1").json
        self.assertEqual([x["id"] for x in page["items"]], [s1["id"]])
        self.assertEqual([x["id"] for x in got(self.admin, "?limit=1&before=%d" % page["next_before"])
                          .json["items"]], [s0["id"]])
        self.assertEqual(got(self.admin, "?project=%d" % (self.pid + 1000)).json["items"], [])
        self.assertEqual(got(self.admin, "?limit=101").status, 400)
        self.assertEqual(got(self.admin, "?project=x").status, 400)
        self.assertEqual(got(self.agent_tok).status, 403)

    def test_notices_not_signed_fresh_by_the_configured_bank_are_refused_and_book_nothing(self):
        b0 = self.bidders[0]
        self.basic(b0, "6222000000000100")
        s = self.sub(b0)
        now = self.server_now()
        n = {"bank_txn": "FORGED1", "kind": "arrival", "account": s["number"], "amount_fen": DEPOSIT,
             "payer_account": "6222000000000100", "payer_name": "x", "instrument": "transfer",
             "value_us": now, "signed_us": now, "platform": "ggzy.test"}
        post = lambda body: self.srv.request("POST", "/api/v1/deposits/bank/notices", body)
        # another key, even one certified by the finance CA: not the configured bank's
        other = ec.generate_private_key(ec.SECP256R1())
        self.assertError(post({"notice": n, "signature": sign_act(other, "ggzy-bank-notice-v1", n)}),
                         403, "forbidden")
        self.assertError(post({"notice": n, "signature": ""}), 422, "invalid_field")
        self.assertError(post({"notice": n}), 422, "missing_field")
        # the bank's own signature over other bytes (another domain)
        r = post({"notice": n, "signature": sign_act(BANK_KEY, "ggzy-bank-notice-v0", n)})
        self.assertEqual((r.status, r.json["error"]["rule"]), (403, "DEP-SIGNATURE"), r)
        # stale: a captured notice replayed ten minutes later
        stale = dict(n, signed_us=now - 600 * 10**6)
        r = post({"notice": stale, "signature": sign_act(BANK_KEY, "ggzy-bank-notice-v1", stale)})
        self.assertEqual((r.status, r.json["error"]["rule"]), (422, "DEP-SIGNED-TIME"), r)
        # for another platform
        elsewhere = dict(n, platform="ggzy.elsewhere")
        r = post({"notice": elsewhere, "signature": sign_act(BANK_KEY, "ggzy-bank-notice-v1", elsewhere)})
        self.assertEqual(r.json["error"]["rule"], "DEP-PLATFORM", r)
        self.assertEqual(self.srv.sql("SELECT COUNT(*) FROM deposit_notices"), [["0"]])
        self.assertEqual(self.srv.sql("SELECT COUNT(*) FROM deposit_postings"), [["0"]])
        # and the well-signed one is booked
        r = post({"notice": n, "signature": sign_act(BANK_KEY, "ggzy-bank-notice-v1", n)})
        self.assertEqual((r.status, r.json["outcome"]), (201, "credited"), r)
        self.ledger()

    def test_a_basic_account_is_the_organizations_own_signed_request_decided_by_staff(self):
        b0, b1 = self.bidders[:2]
        # another holder than the organization
        r = self.basic(b0, "6222000000000200", holder="别的公司")
        self.assertEqual(r.json["error"]["rule"], "DEP-BASIC-HOLDER", r)
        # signed by another organization's key: refused (no one names an account for another)
        org = self.srv.request("GET", "/api/v1/orgs/%d" % b0["org"], token=b0["tok"]).json
        f = {"account_no": "6222000000000201", "bank_name": "某银行", "holder_name": org["name"],
             "org_id": b0["org"], "platform": "ggzy.test", "signed_us": self.server_now()}
        r = self.srv.request("POST", "/api/v1/deposits/basic-accounts",
                             {"account_no": f["account_no"], "bank_name": f["bank_name"], "holder_name": org["name"],
                              "signed_us": f["signed_us"], "key_id": b1["kid"],
                              "signature": sign_act(b1["key"], "ggzy-basic-account-v1", f)}, token=b0["tok"])
        self.assertEqual(r.status, 422, r)
        self.assertEqual(r.json["error"]["rule"], "KEY-UNKNOWN", r)
        # one request under review at a time; staff decide; an approval replaces the account
        r = self.basic(b0, "6222000000000202", approve=None)
        self.assertEqual(r.status, 201, r)
        self.assertEqual(self.basic(b0, "6222000000000203", approve=None).json["error"]["rule"],
                         "DEP-BASIC-PENDING")
        self.assertEqual(self.srv.request("POST", "/api/v1/deposits/basic-accounts/%d/decision" % r.json["id"],
                                          {"approve": True}, token=b0["tok"]).status, 403)
        self.assertEqual(self.srv.request("POST", "/api/v1/deposits/basic-accounts/%d/decision" % r.json["id"],
                                          {"approve": True}, token=self.admin).json["state"], "approved")
        self.basic(b0, "6222000000000204")
        mine = self.srv.request("GET", "/api/v1/deposits/basic-accounts", token=b0["tok"]).json["items"]
        self.assertEqual([(x["account_no"], x["state"]) for x in mine],
                         [("6222000000000204", "approved"), ("6222000000000202", "replaced")])
        self.assertEqual(self.srv.request("GET", "/api/v1/deposits/basic-accounts", token=b1["tok"]).json["items"], [])
        self.replay_clean()

    def test_one_payer_account_for_two_bidders_of_a_lot_raises_the_collusion_indicator(self):
        b0, b1, b2 = self.bidders[:3]
        for i, b in enumerate((b0, b1, b2)):
            self.basic(b, "62220000000003%02d" % i)
        s0, s1, s2 = self.sub(b0), self.sub(b1), self.sub(b2)
        self.pay(s0["number"], DEPOSIT, "6222000000000300")
        r = self.pay(s1["number"], DEPOSIT, "6222000000000300")  # b0's account pays for b1
        self.assertEqual(r["body"]["hold_reason"], "not_basic_account")
        self.pay(s2["number"], DEPOSIT, "6222000000000302")
        flags = self.srv.request("GET", "/api/v1/projects/%d/deposit-flags" % self.pid, token=self.sup_tok)
        self.assertEqual(flags.status, 200, flags)
        self.assertEqual([(f["payer_account"], sorted(f["org_ids"])) for f in flags.json["items"]],
                         [("6222000000000300", sorted([b0["org"], b1["org"]]))])
        self.assertEqual(self.srv.request("GET", "/api/v1/projects/%d/deposit-flags" % self.pid,
                                          token=b0["tok"]).status, 403)
        self.ledger()

    def test_the_opening_record_shows_each_bidders_deposit_state_at_the_deadline(self):
        for i, b in enumerate(self.bidders[:3]):
            self.basic(b, "62220000000004%02d" % i)
        s0, s1 = self.sub(self.bidders[0]), self.sub(self.bidders[1])
        self.pay(s0["number"], DEPOSIT, "6222000000000400")
        self.pay(s1["number"], DEPOSIT // 2, "6222000000000401")
        self.bid_all(3)
        self.clock(self.deadline)
        self.assertEqual(self.start_req(self.admin, lot=1).status, 200)
        for i in (0, 1):
            p = self.share(i)
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        rec = self.srv.request("GET", "/api/v1/projects/%d/lots/1/opening" % self.pid).json
        self.assertEqual(rec["state"], "opened", rec)
        by_org = {x["bidder_org_id"]: x["deposit"] for x in rec["records"]}
        self.assertEqual(by_org, {self.bidders[0]["org"]: "paid", self.bidders[1]["org"]: "partial",
                                  self.bidders[2]["org"]: "missing"})
        self.replay_clean()


class RefundTest(DepositTest):
    def test_after_the_contract_every_deposit_is_refunded_with_interest_through_the_bank(self):
        b0, b1 = self.bidders[:2]
        self.basic(b0, "6222000000000500")
        self.basic(b1, "6222000000000501")
        s0, s1 = self.sub(b0), self.sub(b1)
        self.pay(s0["number"], DEPOSIT, "6222000000000500", name="甲公司")
        self.pay(s1["number"], DEPOSIT, "6222000000000501", name="乙公司")
        arrived = self.server_now()
        self.bid_all(2)
        # the evaluation (a later stage) reports the contract through the event hook
        signed = self.deadline + 5 * DAY
        self.clock(signed)
        r = self.srv.request("POST", "/api/v1/test/events", {"kind": "contract_signed", "project_id": self.pid,
                                                             "winner_org_id": b0["org"], "at_us": signed},
                             token=self.admin)
        self.assertEqual(r.status, 201, r)
        self.run_job("deposits.refunds", signed + 3600 * 10**6)
        paid = self.wait(lambda: (lambda x: x if len(x) == 2 and all(f["state"] == "paid" for f in x) else None)(
            self.refunds()), "the bank did not pay both refunds")
        want = interest(DEPOSIT, cst_day(arrived), cst_day(signed + 3600 * 10**6))
        self.assertGreater(want, 0)
        due = (cst_day(signed) + 5 + 1) * DAY - CST - 1  # 第五十七条: five days after the signing
        for f in paid:
            self.assertEqual((f["cause"], f["basis"], f["principal_fen"], f["interest_fen"], f["fee_fen"]),
                             ("contract", "R-REFUND-CONTRACT", DEPOSIT, want, 0), f)
            self.assertEqual(f["due_us"], due)
            self.assertFalse(f["late"])
            self.assertIn(f["to_account"], ("6222000000000500", "6222000000000501"))
            self.assertEqual((f["project_id"], f["lot"]), (self.pid, 1))
        self.assertEqual(sorted(f["org_id"] for f in paid), sorted([b0["org"], b1["org"]]))
        with open(os.path.join(self.spool, "instructions.jsonl")) as fh:
            handled = [json.loads(x) for x in fh]
        self.assertEqual(sorted(h["status"] for h in handled), [201, 201], handled)
        for s in (s0, s1):
            b = b0 if s is s0 else b1
            mine = self.srv.request("GET", "/api/v1/projects/%d/lots/1/deposit" % self.pid, token=b["tok"]).json
            self.assertEqual((mine["state"], mine["balance_fen"]), ("closed", 0), mine)
        acc = self.ledger()
        self.assertEqual((acc["sub"], acc["refunds_payable"]), (0, 0))
        self.assertEqual(acc["interest_expense"], 2 * want)
        self.assertEqual(acc["bank"], -2 * want)
        # the platform acted as its named job, the bank as itself
        self.srv.wait_sequenced()
        who = dict(self.srv.sql("SELECT action, JSON_VALUE(entry, '$.actor.name') FROM audit_entries WHERE "
                                "action IN ('deposit.refund.instruct', 'deposit.refund.sent')"))
        self.assertEqual(who, {"deposit.refund.instruct": "system:refund-scheduler",
                               "deposit.refund.sent": "system:refund-scheduler"})
        self.replay_clean()

    def test_a_lots_deposits_go_back_on_that_lots_contract_not_on_anothers(self):
        b0, b1 = self.bidders[:2]
        self.basic(b0, "6222000000000510")
        self.basic(b1, "6222000000000511")
        s0, s1 = self.sub(b0), self.sub(b1)
        self.pay(s0["number"], DEPOSIT, "6222000000000510", name="甲公司")
        self.pay(s1["number"], DEPOSIT, "6222000000000511", name="乙公司")
        self.bid_all(2)
        signed = self.deadline + 5 * DAY
        self.clock(signed)

        def event(lot):
            r = self.srv.request("POST", "/api/v1/test/events", {
                "kind": "contract_signed", "project_id": self.pid, "winner_org_id": b0["org"], "at_us": signed,
                "lot": lot}, token=self.admin)
            self.assertEqual(r.status, 201, r)
        # another lot's contract (a project of several lots, docs/deposits.md §6): lot 1 waits
        event(2)
        self.run_job("deposits.refunds", signed + 3600 * 10**6)
        self.assertEqual(self.refunds(), [])
        # its own lot's contract: both of lot 1's deposits go back
        event(1)
        self.run_job("deposits.refunds", signed + 2 * 3600 * 10**6)
        got = self.wait(lambda: (lambda x: x if len(x) == 2 else None)(self.refunds()), "no refund for lot 1")
        self.assertEqual(sorted((f["cause"], f["lot"]) for f in got), [("contract", 1), ("contract", 1)])

    def test_an_unpaid_refund_is_warned_of_before_its_deadline_and_flagged_late_after(self):
        b0 = self.bidders[0]
        self.basic(b0, "6222000000000600")
        s0 = self.sub(b0)
        self.pay(s0["number"], DEPOSIT, "6222000000000600")
        with open(os.path.join(self.spool, "MODE"), "w") as f:
            f.write("hold")  # the bank sits on the instruction
        # paid, never bid: due five days after the deadline (第三十五条 as the platform reads it)
        self.run_job("deposits.refunds", self.deadline + 3600 * 10**6)
        f = self.wait(lambda: (lambda x: x[0] if x and x[0]["state"] == "sent" else None)(self.refunds()),
                      "no refund was sent")
        self.assertEqual((f["cause"], f["interest_fen"]), ("no_bid", 0))
        self.assertTrue(glob.glob(os.path.join(self.srv.dir, "bank", "instructions", "refund-%d.json" % f["id"])))
        self.run_job("deposits.deadlines", f["due_us"] - 12 * 3600 * 10**6)
        inbox = self.wait(lambda: [m for m in self.srv.request("GET", "/api/v1/me/inbox", token=self.sup_tok)
                                   .json["items"] if m["kind"] == "deposit.refund.due"], "no warning")
        self.assertEqual(len(inbox), 1)
        self.assertEqual(self.refunds(late=1), [])
        self.run_job("deposits.deadlines", f["due_us"] + 3600 * 10**6)
        late = self.wait(lambda: self.refunds(late=1), "not flagged late")
        self.assertEqual(late[0]["id"], f["id"])
        admin_inbox = self.srv.request("GET", "/api/v1/me/inbox", token=self.admin).json["items"]
        self.assertEqual(sorted(m["kind"] for m in admin_inbox if m["kind"].startswith("deposit.")),
                         ["deposit.refund.due", "deposit.refund.late"])
        # the bank pays at last: paid, and late
        with open(os.path.join(self.spool, "MODE"), "w") as fh:
            fh.write("pay")
        done = self.wait(lambda: (lambda x: x[0] if x[0]["state"] == "paid" else None)(self.refunds()),
                         "the bank did not pay")
        self.assertTrue(done["late"])
        self.ledger()
        self.replay_clean()

    def test_a_refund_the_bank_could_not_pay_goes_back_on_the_sub_account(self):
        b0 = self.bidders[0]
        self.basic(b0, "6222000000000700")
        s0 = self.sub(b0)
        self.pay(s0["number"], DEPOSIT, "6222000000000700")
        with open(os.path.join(self.spool, "MODE"), "w") as f:
            f.write("fail")
        self.run_job("deposits.refunds", self.deadline + 3600 * 10**6)
        failed = self.wait(lambda: (lambda x: x[0] if x and x[0]["state"] == "failed" else None)(self.refunds()),
                           "the failure was not booked")
        mine = self.srv.request("GET", "/api/v1/projects/%d/lots/1/deposit" % self.pid, token=b0["tok"]).json
        self.assertEqual((mine["state"], mine["balance_fen"]), ("open", DEPOSIT))
        acc = self.ledger()
        self.assertEqual((acc["sub"], acc["refunds_payable"]), (-DEPOSIT, 0))
        # a confirmation of a refund that is not under way is refused
        now = self.server_now()
        n = {"bank_txn": "LATE-CONFIRM", "kind": "refund_paid", "account": "6222000000000700",
             "amount_fen": DEPOSIT, "refund_id": failed["id"], "value_us": now, "signed_us": now,
             "platform": "ggzy.test"}
        r = self.srv.request("POST", "/api/v1/deposits/bank/notices",
                             {"notice": n, "signature": sign_act(BANK_KEY, "ggzy-bank-notice-v1", n)})
        self.assertEqual((r.status, r.json["error"]["rule"]), (409, "DEP-REFUND-STATE"), r)
        # center staff are told; the job does not instruct it again every minute, but after
        # deposits.retry_hours (24), when the bank pays
        told = [m for m in self.srv.request("GET", "/api/v1/me/inbox", token=self.admin).json["items"]
                if m["kind"] == "deposit.refund.failed"]
        self.assertEqual(len(told), 1)
        self.assertIn("6222000000000700", told[0]["body"])
        with open(os.path.join(self.spool, "MODE"), "w") as f:
            f.write("pay")
        self.run_job("deposits.refunds")
        self.assertEqual(len(self.refunds()), 1)
        self.run_job("deposits.refunds", self.server_now() + 25 * 3600 * 10**6)
        again = self.wait(lambda: (lambda x: x if len(x) == 2 and x[0]["state"] == "paid" else None)(
            self.refunds()), "not instructed again, or not paid")
        self.assertEqual((again[0]["principal_fen"], again[1]["state"]), (DEPOSIT, "failed"))
        self.ledger()
        self.replay_clean()


class ReturnTest(DepositTest):
    def give_back(self, notice, reason="非本项目保证金，原路退回", tok=None):
        return self.srv.request("POST", "/api/v1/deposits/notices/%d/return" % notice, {"reason": reason},
                                token=tok or self.admin)

    def held(self):
        return {n["bank_txn"]: n for n in
                self.srv.request("GET", "/api/v1/deposits/notices?outcome=held", token=self.admin).json["items"]}

    def test_held_money_goes_back_to_its_payer_only_by_center_staff_whole_and_once(self):
        b0 = self.bidders[0]
        self.basic(b0, "6222000000005000")
        s0 = self.sub(b0)
        stray = self.pay("880100009999999", 300, "6222000000005999", name="某某公司")["body"]
        other = self.pay(s0["number"], 500, "6222999900000005", name="另一单位")["body"]
        nameless = self.pay(s0["number"], 400, None)["body"]
        paid = self.pay(s0["number"], DEPOSIT, "6222000000005000")["body"]
        self.assertEqual({t: n["return_id"] for t, n in self.held().items()},
                         {stray["bank_txn"]: None, other["bank_txn"]: None, nameless["bank_txn"]: None})
        # only center staff return, with a reason; never what was counted, never without a payer
        for tok in (b0["tok"], self.sup_tok, self.agent_tok):
            self.assertEqual(self.give_back(stray["id"], tok=tok).status, 403)
        self.assertEqual(self.srv.request("POST", "/api/v1/deposits/notices/%d/return" % stray["id"], {},
                                          token=self.admin).status, 422)
        r = self.give_back(nameless["id"])
        self.assertEqual((r.status, r.json["error"]["rule"]), (409, "DEP-RETURN-PAYER"), r)
        r = self.give_back(paid["id"])
        self.assertEqual((r.status, r.json["error"]["rule"]), (409, "DEP-RETURN-STATE"), r)
        self.assertEqual(self.give_back(999999).status, 404)
        # the stray payment: whole, to the account it came from, due in five working days
        r = self.give_back(stray["id"])
        self.assertEqual(r.status, 201, r)
        f = r.json
        self.assertEqual((f["cause"], f["basis"], f["notice_id"], f["subaccount_id"], f["principal_fen"],
                          f["amount_fen"], f["to_account"], f["to_name"], f["state"]),
                         ("return", "deposits.return_days", stray["id"], None, 300, 300, "6222000000005999",
                          "某某公司", "instructed"))
        self.assertEqual(f["instruction"]["instruction"]["returns_bank_txn"], stray["bank_txn"])
        self.assertGreater(f["due_us"], self.server_now() + 5 * DAY)  # 2026-03-02 is a Monday: the next one
        r = self.give_back(stray["id"])
        self.assertEqual((r.status, r.json["error"]["rule"]), (409, "DEP-RETURN-STATE"), r)
        self.assertEqual(self.held()[stray["bank_txn"]]["return_id"], f["id"])
        acc = self.ledger()
        self.assertEqual((acc["held"], acc["refunds_payable"]), (-900, -300))
        # the job hands it to the bank, which pays: the notice is returned, nothing is held for it
        self.run_job("deposits.refunds")
        self.wait(lambda: [x for x in self.refunds() if x["id"] == f["id"] and x["state"] == "paid"],
                  "the bank did not pay the return")
        returned = self.srv.request("GET", "/api/v1/deposits/notices?outcome=returned", token=self.admin).json
        self.assertEqual([n["bank_txn"] for n in returned["items"]], [stray["bank_txn"]])
        self.assertNotIn(stray["bank_txn"], self.held())
        acc = self.ledger()
        self.assertEqual((acc["held"], acc["refunds_payable"], acc["bank"]), (-900, 0, DEPOSIT + 900))
        r = self.give_back(stray["id"])
        self.assertEqual((r.status, r.json["error"]["rule"]), (409, "DEP-RETURN-STATE"), r)
        # the bank cannot pay the other: held again, and returned again
        with open(os.path.join(self.spool, "MODE"), "w") as fh:
            fh.write("fail")
        g = self.give_back(other["id"]).json
        self.run_job("deposits.refunds")
        self.wait(lambda: [x for x in self.refunds() if x["id"] == g["id"] and x["state"] == "failed"],
                  "the failure was not booked")
        self.assertIsNone(self.held()[other["bank_txn"]]["return_id"])
        self.assertEqual(self.ledger()["held"], -900)
        with open(os.path.join(self.spool, "MODE"), "w") as fh:
            fh.write("pay")
        h = self.give_back(other["id"], reason="再次退回").json
        self.run_job("deposits.refunds")
        self.wait(lambda: [x for x in self.refunds() if x["id"] == h["id"] and x["state"] == "paid"], "not paid")
        self.assertEqual(self.ledger()["held"], -400)
        # the bidder's own view says its stray payment went back
        mine = self.srv.request("GET", "/api/v1/projects/%d/lots/1/deposit" % self.pid, token=b0["tok"]).json
        self.assertEqual(sorted(n["outcome"] for n in mine["arrivals"]), ["credited", "held", "returned"])
        self.srv.wait_sequenced()
        who = self.srv.sql("SELECT DISTINCT JSON_VALUE(entry, '$.actor.role') FROM audit_entries "
                           "WHERE action = 'deposit.return.instruct' AND idx IS NOT NULL")
        self.assertEqual(who, [["center_admin"]])
        self.replay_clean()


ISSUER_KEY = ec.generate_private_key(ec.SECP256R1())
ISSUER_CODE = credit_code("91310000MB")
ISSUER_CERT = issue_cert(ISSUER_KEY.public_key(), ISSUER_CODE, "finance", name="某保险股份有限公司")


class GuaranteeTest(DepositTest):
    def guarantee(self, b, number=None, amount=DEPOSIT, until=None, code=None, key=ISSUER_KEY,
                  cert=ISSUER_CERT, issuer_code=ISSUER_CODE, **over):
        org = self.srv.request("GET", "/api/v1/orgs/%d" % b["org"], token=b["tok"]).json
        g = {"platform": "ggzy.test", "guarantee_no": number or "BH" + secrets.token_hex(4),
             "issuer_credit_code": issuer_code, "issuer_name": "某保险股份有限公司",
             "verify_ref": "https://insurer.example/verify/123", "project_id": self.pid, "lot": 1,
             "bidder_org_id": b["org"], "bidder_credit_code": code or org["credit_code"],
             "amount_fen": amount, "valid_from_us": self.now,
             "valid_until_us": until or self.deadline + 91 * DAY, "signed_us": self.server_now()}
        g.update(over)
        return self.srv.request("POST", "/api/v1/deposits/guarantees", {
            "guarantee": g, "certificate": cert, "signature": sign_act(key, "ggzy-guarantee-v1", g)})

    def test_an_insurer_names_the_project_and_the_bidder_by_their_public_codes(self):
        b2 = self.bidders[2]
        self.sub(b2)
        g = {"platform": "ggzy.test", "guarantee_no": "BH-CODE-1", "issuer_credit_code": ISSUER_CODE,
             "issuer_name": "某保险股份有限公司", "verify_ref": "https://insurer.example/verify/1",
             "project_code": self.code, "lot": 1,
             "bidder_credit_code": self.srv.request("GET", "/api/v1/orgs/%d" % b2["org"], token=b2["tok"]).json["credit_code"],
             "amount_fen": DEPOSIT, "valid_from_us": self.now, "valid_until_us": self.deadline + 91 * DAY,
             "signed_us": self.server_now()}
        post = lambda g: self.srv.request("POST", "/api/v1/deposits/guarantees", {
            "guarantee": g, "certificate": ISSUER_CERT, "signature": sign_act(ISSUER_KEY, "ggzy-guarantee-v1", g)})
        r = post(g)
        self.assertEqual((r.status, r.json["project_id"], r.json["org_id"]), (201, self.pid, b2["org"]), r)
        self.assertEqual(post(dict(g, guarantee_no="BH-CODE-2", project_code="110000-2026-GC-99999")).status, 404)
        r = post(dict(g, guarantee_no="BH-CODE-3", bidder_credit_code=credit_code()))
        self.assertEqual(r.json["error"]["rule"], "DEP-GUARANTEE-BIDDER", r)
        del g["project_code"]
        r = post(dict(g, guarantee_no="BH-CODE-4"))
        self.assertEqual((r.status, r.json["error"]["code"]), (422, "missing_field"), r)

    def test_a_guarantee_of_any_certified_issuer_counts_as_the_deposit_and_bad_ones_are_refused(self):
        b0, b1 = self.bidders[:2]
        self.sub(b0)
        r = self.guarantee(b0, number="BH-0001")
        self.assertEqual((r.status, r.json["state"]), (201, "valid"), r)
        mine = self.srv.request("GET", "/api/v1/projects/%d/lots/1/deposit" % self.pid, token=b0["tok"]).json
        self.assertEqual((mine["deposit"], mine["balance_fen"]), ("guaranteed", 0), mine)
        self.assertEqual([g["guarantee_no"] for g in mine["guarantees"]], ["BH-0001"])
        # the issuer sends it again: registered once; other terms under the same number: refused
        again = self.guarantee(b0, number="BH-0001")
        self.assertEqual((again.status, again.json["duplicate"]), (200, True), again)
        self.assertEqual(self.guarantee(b0, number="BH-0001", amount=DEPOSIT + 1).json["error"]["rule"],
                         "DEP-GUARANTEE-CONFLICT")
        # not long enough for the bid validity period, too small, for someone else's credit code
        self.assertEqual(self.guarantee(b1, until=self.deadline + 89 * DAY).json["error"]["rule"],
                         "DEP-GUARANTEE-VALIDITY")
        self.assertEqual(self.guarantee(b1, amount=DEPOSIT - 1).json["error"]["rule"], "DEP-GUARANTEE-AMOUNT")
        self.assertEqual(self.guarantee(b1, code=credit_code()).json["error"]["rule"], "DEP-GUARANTEE-BIDDER")
        # an issuer not certified under the finance anchor, or one claiming another's credit code
        from harness import make_ca
        rogue = make_ca()
        forged = issue_cert(ISSUER_KEY.public_key(), ISSUER_CODE, ca=rogue)
        r = self.guarantee(b1, cert=forged)
        self.assertEqual((r.status, r.json["error"]["rule"]), (403, "KEY-CERT-CHAIN"), r)
        r = self.guarantee(b1, issuer_code=credit_code("91310000MB"))
        self.assertEqual((r.status, r.json["error"]["rule"]), (403, "KEY-CERT-ORG"), r)
        # signed by another key than the certificate's
        r = self.guarantee(b1, key=ec.generate_private_key(ec.SECP256R1()))
        self.assertEqual((r.status, r.json["error"]["rule"]), (403, "DEP-SIGNATURE"), r)
        # any other certified issuer is as good: the platform designates none
        other_key = ec.generate_private_key(ec.SECP256R1())
        other_code = credit_code("91440000BK")
        r = self.guarantee(b1, key=other_key, issuer_code=other_code,
                           cert=issue_cert(other_key.public_key(), other_code, "finance", name="另一银行"))
        self.assertEqual(r.status, 201, r)
        self.assertEqual(len(self.srv.request("GET", "/api/v1/deposits/guarantees", token=self.sup_tok)
                             .json["items"]), 2)
        self.assertEqual(len(self.srv.request("GET", "/api/v1/deposits/guarantees", token=b1["tok"])
                             .json["items"]), 1)
        self.srv.wait_sequenced()
        self.assertEqual(self.srv.sql("SELECT DISTINCT JSON_VALUE(entry, '$.actor.role') FROM audit_entries "
                                      "WHERE action = 'deposit.guarantee.register'"), [["issuer"]])
        self.replay_clean()


class ForfeitTest(DepositTest):
    def decide(self, fid, approve=True, reason="投标截止后撤销投标文件，依法不予退还", key=None):
        sup = self.cust[1]
        f = {"approve": approve, "forfeiture_id": fid, "platform": "ggzy.test", "reason": reason,
             "signed_us": self.server_now(), "user_id": sup["user_id"]}
        return self.srv.request("POST", "/api/v1/deposits/forfeitures/%d/decision" % fid, {
            "approve": approve, "reason": reason, "key_id": sup["key_id"], "signed_us": f["signed_us"],
            "signature": sign_act(key or sup["key"], "ggzy-forfeiture-decision-v1", f)}, token=self.sup_tok)

    def test_a_revoked_bids_deposit_is_forfeited_only_on_a_supervisors_signed_approval(self):
        b0, b1, b2 = self.bidders[:3]
        subs = []
        for i, b in enumerate((b0, b1, b2)):
            self.basic(b, "62220000000008%02d" % i)
            subs.append(self.sub(b))
            self.pay(subs[-1]["number"], DEPOSIT, "62220000000008%02d" % i)
        self.bid_all(3, bad=2)  # b2 sealed to another key: rejected at the opening, its own fault
        self.clock(self.deadline)
        self.assertEqual(self.start_req(self.admin, lot=1).status, 200)
        for i in (0, 1):
            p = self.share(i)
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        url = "/api/v1/projects/%d/lots/1/forfeitures" % self.pid
        body = lambda b, g="revocation": {"org_id": b["org"], "ground": g, "reason": "开标时投标文件无法解密，系投标人原因"}
        # no ground: an opened bid, a winner's refusal without an award notice
        self.assertEqual(self.srv.request("POST", url, body(b1), token=self.agent_tok).json["error"]["rule"],
                         "DEP-FORFEIT-GROUND")
        self.assertEqual(self.srv.request("POST", url, body(b0, "refused_contract"), token=self.agent_tok)
                         .json["error"]["rule"], "DEP-FORFEIT-GROUND")
        # a bidder proposes nothing; the agent proposes, once
        self.assertEqual(self.srv.request("POST", url, body(b2), token=b0["tok"]).status, 403)
        r = self.srv.request("POST", url, body(b2), token=self.agent_tok)
        self.assertEqual((r.status, r.json["state"], r.json["article"]), (201, "proposed", "实施条例 第三十五条"), r)
        fid = r.json["id"]
        self.assertEqual(self.srv.request("POST", url, body(b2), token=self.admin).json["error"]["rule"],
                         "DEP-FORFEIT-OPEN")
        # the supervisor decides, signed by their own key; not the agent, not another key
        self.assertEqual(self.srv.request("POST", "/api/v1/deposits/forfeitures/%d/decision" % fid, {
            "approve": True, "reason": "x", "key_id": "00" * 32, "signed_us": 0, "signature": "AA=="},
            token=self.agent_tok).status, 403)
        r = self.decide(fid, key=ec.generate_private_key(ec.SECP256R1()))
        self.assertEqual(r.json["error"]["rule"], "DEP-SIGNATURE", r)
        r = self.decide(fid)
        self.assertEqual((r.status, r.json["state"]), (200, "approved"), r)
        self.assertEqual(self.decide(fid).status, 409)
        acc = self.ledger()
        self.assertEqual(acc["forfeited"], -DEPOSIT)
        mine = self.srv.request("GET", "/api/v1/projects/%d/lots/1/deposit" % self.pid, token=b2["tok"]).json
        self.assertEqual((mine["state"], mine["balance_fen"]), ("forfeited", 0))
        # after the contract the others are refunded; the forfeited deposit is not
        r = self.srv.request("POST", "/api/v1/test/events", {"kind": "contract_signed", "project_id": self.pid,
                                                             "winner_org_id": b0["org"]}, token=self.admin)
        self.assertEqual(r.status, 201, r)
        self.run_job("deposits.refunds")
        refunded = self.wait(lambda: (lambda x: x if len(x) == 2 else None)(self.refunds()), "no refunds")
        self.assertEqual(sorted(f["subaccount_id"] for f in refunded), sorted([subs[0]["id"], subs[1]["id"]]))
        listed = self.srv.request("GET", "/api/v1/projects/%d/forfeitures" % self.pid, token=self.sup_tok).json
        self.assertEqual([(f["ground"], f["state"]) for f in listed["items"]], [("revocation", "approved")])
        self.replay_clean()


class ConcurrentNoticeTest(DepositTest):
    def test_the_same_notice_sent_at_once_on_many_connections_is_booked_once(self):
        import concurrent.futures
        b0 = self.bidders[0]
        self.basic(b0, "6222000000000900")
        s = self.sub(b0)
        now = self.server_now()
        n = {"bank_txn": "SAME-ONE", "kind": "arrival", "account": s["number"], "amount_fen": DEPOSIT,
             "payer_account": "6222000000000900", "payer_name": "x", "instrument": "transfer",
             "value_us": now, "signed_us": now, "platform": "ggzy.test"}
        body = {"notice": n, "signature": sign_act(BANK_KEY, "ggzy-bank-notice-v1", n)}
        with concurrent.futures.ThreadPoolExecutor(max_workers=8) as ex:
            got = list(ex.map(lambda _: self.srv.request("POST", "/api/v1/deposits/bank/notices", body),
                              range(8)))
        self.assertEqual(sorted(r.status for r in got), [200] * 7 + [201], got)
        self.assertTrue(all(r.json["id"] == got[0].json["id"] for r in got))
        self.assertEqual(self.ledger()["sub"], -DEPOSIT)
        self.replay_clean()


class ReconciliationTest(DepositTest):
    def test_the_daily_statement_is_matched_and_an_arrival_never_notified_is_held_not_guessed(self):
        b0 = self.bidders[0]
        self.basic(b0, "6222000000001000")
        s = self.sub(b0)
        a = self.pay(s["number"], DEPOSIT // 2, "6222000000001000")["body"]
        b = self.pay(s["number"], DEPOSIT // 4, "6222000000001000")["body"]
        e = self.pay(s["number"], 100, "6222000000001000")["body"]
        line = lambda n, **over: dict({k: n[k] for k in ("bank_txn", "kind", "account", "amount_fen",
                                                          "payer_account", "payer_name", "instrument",
                                                          "value_us")}, **over)
        unmatched = {"bank_txn": "NEVER-NOTIFIED", "kind": "arrival", "account": s["number"], "amount_fen": 777,
                     "payer_account": "6222000000001000", "payer_name": "付款单位", "instrument": "transfer",
                     "value_us": a["value_us"]}
        lines = [line(a), line(b, amount_fen=b["amount_fen"] + 1), unmatched,
                 {"bank_txn": "RF-X", "kind": "refund_paid", "account": "6222000000001000", "amount_fen": 5,
                  "refund_id": 999, "value_us": a["value_us"]}]
        r = self.statement(lines)
        self.assertEqual(r.status, 201, r)
        self.assertEqual((r.json["lines"], r.json["matched"]), (4, 1))
        self.assertEqual(sorted((d["bank_txn"], d["issue"]) for d in r.json["differences"]),
                         sorted([(b["bank_txn"], "differs"), ("NEVER-NOTIFIED", "unmatched_held"),
                                 ("RF-X", "refund_not_notified"), (e["bank_txn"], "not_in_statement")]))
        held = self.srv.request("GET", "/api/v1/deposits/notices?outcome=held", token=self.admin).json["items"]
        self.assertEqual([(n["bank_txn"], n["hold_reason"]) for n in held], [("NEVER-NOTIFIED", "unmatched")])
        acc = self.ledger()
        self.assertEqual((acc["held"], acc["sub"]), (-777, -(DEPOSIT // 2 + DEPOSIT // 4 + 100)))
        # the day's statement once: the same again is answered as imported, other lines refused
        self.assertEqual(self.statement(lines).json.get("duplicate"), True)
        self.assertEqual(self.statement(lines[:2]).json["error"]["rule"], "DEP-STATEMENT-CONFLICT")
        # the bank's late notice of the held arrival: booked already (held), not credited twice
        r = self.pay(s["number"], 777, "6222000000001000", txn="NEVER-NOTIFIED", value_us=a["value_us"])
        self.assertEqual((r["status"], r["body"]["outcome"]), (200, "held"), r)
        self.assertEqual(self.srv.request("GET", "/api/v1/deposits/statements", token=self.sup_tok)
                         .json["items"][0]["matched"], 1)
        self.assertEqual(self.srv.request("GET", "/api/v1/deposits/statements", token=b0["tok"]).status, 403)
        self.ledger()
        self.replay_clean()


class LedgerEvidenceTest(DepositTest):
    """Money leaves only on what the log proves (docs/deposits.md §10a): a database administrator
    who edits the ledger's rows moves no money — each edit is found, reported, and the refund it
    would have paid is not instructed — while the honest bidders' refunds still go out."""

    def test_edited_postings_move_no_money_and_are_reported_while_honest_refunds_go_out(self):
        bidders = self.bidders + [self.bidder() for _ in range(3)]  # seven
        subs = []
        for i, b in enumerate(bidders):
            self.basic(b, "62220000000009%02d" % i)
            s = self.sub(b)
            r = self.pay(s["number"], DEPOSIT, "62220000000009%02d" % i, name="单位%d" % i)
            self.assertEqual(r["body"]["outcome"], "credited", r)
            subs.append(s["id"])
        s0, s1, s2, s3, s4 = subs[:5]
        entry = lambda s: int(self.srv.sql("SELECT entry_id FROM deposit_postings WHERE account = 'sub' "
                                           "AND ref = %d" % s)[0][0])
        # 1. a posting of one bidder's 1 万元 arrival moved to another's sub-account (the issue's
        #    edit): after the contract the other would be refunded 2 万元, the payer nothing
        self.srv.sql("UPDATE deposit_postings SET ref = %d WHERE account = 'sub' AND ref = %d" % (s1, s0))
        # 2. an amount moved, the entry still balanced
        e2 = entry(s2)
        self.srv.sql("UPDATE deposit_postings SET fen = fen - 100 WHERE entry_id = %d AND account = 'sub'" % e2)
        self.srv.sql("UPDATE deposit_postings SET fen = fen + 100 WHERE entry_id = %d AND account = 'bank'" % e2)
        # 3. a posting deleted (with its counterpart)
        self.srv.sql("DELETE FROM deposit_postings WHERE entry_id = %d" % entry(s3))
        # 4. postings inserted: 5 000 元 more on a sub-account, the ledger still summing to zero
        e4 = entry(s4)
        self.srv.sql("INSERT INTO deposit_postings (entry_id, account, ref, fen) VALUES "
                     "(%d, 'sub', %d, -500000), (%d, 'bank', 0, 500000)" % (e4, s4, e4))
        # the ledger still sums to zero — and says it disagrees with the log, sub-account by one
        led = self.srv.request("GET", "/api/v1/deposits/ledger", token=self.sup_tok).json
        self.assertEqual(led["total_fen"], 0, led)
        self.assertFalse(led["agrees_with_log"], led)
        self.assertEqual(sorted(a["subaccount_id"] for a in led["altered"]), [s0, s1, s2, s3, s4], led)
        moved = {a["subaccount_id"]: a for a in led["altered"]}
        self.assertEqual((moved[s1]["ledger_fen"], moved[s1]["log_fen"]), (-2 * DEPOSIT, -DEPOSIT))
        self.assertEqual((moved[s0]["ledger_fen"], moved[s0]["log_fen"]), (0, -DEPOSIT))
        # the contract: every deposit is due back (实施条例 第五十七条)
        self.bid_all(4)
        signed = self.deadline + 5 * DAY
        self.clock(signed)
        r = self.srv.request("POST", "/api/v1/test/events", {"kind": "contract_signed", "project_id": self.pid,
                                                             "winner_org_id": bidders[0]["org"], "at_us": signed},
                             token=self.admin)
        self.assertEqual(r.status, 201, r)
        self.run_job("deposits.refunds", signed + 3600 * 10**6)
        self.run_job("deposits.refunds")  # a second look, the log synced again: an alteration
        paid = self.wait(lambda: (lambda x: x if len(x) == 2 and all(f["state"] == "paid" for f in x) else None)(
            self.refunds()), "the honest refunds were not paid")
        self.assertEqual(sorted(f["subaccount_id"] for f in paid), sorted(subs[5:]))
        for f in paid:
            self.assertEqual(f["principal_fen"], DEPOSIT)
        instructed = {os.path.basename(p) for p in glob.glob(os.path.join(self.srv.dir, "bank", "instructions", "*"))}
        self.assertEqual(len(instructed), 2, instructed)
        # reported: the job's alarm, the log, staff and supervisors, /healthz, the metric
        self.run_job("deposits.ledger-watch", self.server_now() + 301 * 10**6)
        self.run_job("deposits.ledger-watch", self.server_now() + 301 * 10**6)
        h = self.srv.request("GET", "/healthz").json
        self.assertEqual((h["status"], h["deposits_ledger"], h["deposits_alarms"]), ("degraded", "altered", 5), h)
        self.assertIn("ggzy_deposits_ledger_intact 0", self.srv.request("GET", "/metrics").body)
        led = self.srv.request("GET", "/api/v1/deposits/ledger", token=self.admin).json
        self.assertEqual(sorted(a["what"] for a in led["alarms"] if a["state"] == "altered"),
                         sorted("sub:%d" % s for s in (s0, s1, s2, s3, s4)))
        for tok in (self.admin, self.sup_tok):
            told = [m for m in self.srv.request("GET", "/api/v1/me/inbox?limit=200", token=tok).json["items"]
                    if m["kind"] == "deposit.ledger.altered"]
            self.assertEqual(len(told), 5, told)
        self.srv.wait_sequenced()
        self.assertEqual(self.srv.sql("SELECT COUNT(*) FROM audit_entries WHERE action = 'deposit.ledger.altered'"),
                         [["5"]])
        # the administrator's edit of the first two is undone: their refunds go out, the alarms end
        self.srv.sql("UPDATE deposit_postings SET ref = %d WHERE account = 'sub' AND ref = %d AND entry_id = %d"
                     % (s0, s1, entry(s1) if False else int(self.srv.sql(
                         "SELECT MIN(entry_id) FROM deposit_postings WHERE account = 'sub' AND ref = %d" % s1)[0][0])))
        self.run_job("deposits.refunds")  # the alarms end (logged) …
        self.run_job("deposits.refunds")  # … and the refunds are instructed
        self.wait(lambda: len([f for f in self.refunds() if f["state"] == "paid"]) == 4, "not refunded once restored")
        self.assertEqual(sorted((f["subaccount_id"], f["principal_fen"], f["to_account"]) for f in self.refunds()
                                if f["subaccount_id"] in (s0, s1)),
                         [(s0, DEPOSIT, "6222000000000900"), (s1, DEPOSIT, "6222000000000901")])
        self.srv.wait_sequenced()
        self.assertEqual(self.srv.sql("SELECT COUNT(*) FROM audit_entries WHERE action = 'deposit.ledger.restored'"),
                         [["2"]])
        self.run_job("deposits.ledger-watch", self.server_now() + 301 * 10**6)
        led = self.srv.request("GET", "/api/v1/deposits/ledger", token=self.admin).json
        self.assertEqual(sorted(a["what"] for a in led["alarms"]), sorted("sub:%d" % s for s in (s2, s3, s4)))

    def test_a_held_payment_whose_row_was_edited_is_not_returned_and_is_reported(self):
        stray = self.pay("880100009999999", 300, "6222000000005999", name="某某公司")["body"]
        # the administrator puts their own account on the held payment
        self.srv.sql("UPDATE deposit_notices SET payer_account = '6222111122223333', payer_name = '某人' "
                     "WHERE id = %d" % stray["id"])
        r = self.srv.request("POST", "/api/v1/deposits/notices/%d/return" % stray["id"], {"reason": "原路退回"},
                             token=self.admin)
        self.assertEqual((r.status, r.json["error"]["rule"]), (409, "DEP-LEDGER-ALTERED"), r)
        self.assertIn("6222000000005999", r.json["error"]["message"])  # what the bank signed
        self.assertEqual(self.srv.sql("SELECT COUNT(*) FROM deposit_refunds"), [["0"]])
        self.assertEqual(self.srv.request("GET", "/healthz").json["deposits_ledger"], "altered")
        # and when the row is put back, it goes back to whoever paid it
        self.srv.sql("UPDATE deposit_notices SET payer_account = '6222000000005999', payer_name = '某某公司' "
                     "WHERE id = %d" % stray["id"])
        r = self.srv.request("POST", "/api/v1/deposits/notices/%d/return" % stray["id"], {"reason": "原路退回"},
                             token=self.admin)
        self.assertEqual((r.status, r.json["to_account"]), (201, "6222000000005999"), r)


FINANCE_CA_COPY = os.path.join(tempfile.mkdtemp(prefix="ggzy-finance-"), "finance-ca.crt")


class TrustGenerationTest(DepositTest):
    """A bank's certificate chain is verified once per generation of the trust anchors, not at
    every notice (docs/operations.md "Trust anchors"): a revocation or a replaced anchor takes
    effect at the reload (SIGHUP), for every notice after it."""
    server_args = {"conf": dict(DepositTest.server_args["conf"], **{"trust.finance_ca": FINANCE_CA_COPY})}

    def setUp(self):
        shutil.copy(os.path.join(TRUST, "finance-ca.crt"), FINANCE_CA_COPY)
        super().setUp()

    def notice(self, s, n):
        now = self.server_now()
        f = {"bank_txn": "GEN-%d-%s" % (n, secrets.token_hex(3)), "kind": "arrival", "account": s["number"],
             "amount_fen": 100 + n, "payer_account": "6222000000008000", "payer_name": "x", "instrument": "transfer",
             "value_us": now, "signed_us": now, "platform": "ggzy.test"}
        return self.srv.request("POST", "/api/v1/deposits/bank/notices",
                                {"notice": f, "signature": sign_act(BANK_KEY, "ggzy-bank-notice-v1", f)})

    def reload(self):
        before = int(self.srv.sql("SELECT COUNT(*) FROM audit_entries WHERE action = 'trust.anchors'")[0][0])
        self.srv.proc.send_signal(signal.SIGHUP)
        self.wait(lambda: int(self.srv.sql("SELECT COUNT(*) FROM audit_entries WHERE action = 'trust.anchors'")[0][0])
                  > before, "the reloaded anchors were not published")

    def test_a_revoked_or_replaced_anchor_takes_effect_at_the_reload(self):
        import datetime as dt
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes
        from harness import load_ca

        def crl_pem(side, revoked):  # valid from 2025 on: the platform's clock is in 2026
            ca_cert, ca_key = load_ca(side)
            b = (x509.CertificateRevocationListBuilder().issuer_name(ca_cert.subject)
                 .last_update(dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc))
                 .next_update(dt.datetime(2030, 1, 1, tzinfo=dt.timezone.utc)))
            for serial in revoked:
                b = b.add_revoked_certificate(x509.RevokedCertificateBuilder().serial_number(serial)
                                              .revocation_date(dt.datetime(2025, 6, 1, tzinfo=dt.timezone.utc))
                                              .build())
            return b.sign(ca_key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM).decode()

        s = self.sub(self.bidders[0])
        for n in range(3):  # verified once, then taken from the generation's cache
            self.assertEqual(self.notice(s, n).status, 201)
        with open(BANK_CERT_PATH, "rb") as f:
            serial = x509.load_pem_x509_certificate(f.read()).serial_number
        with open(os.path.join(self.srv.dir, "crl.pem"), "w") as f:
            f.write(crl_pem("finance", [serial]))
        self.assertEqual(self.notice(s, 3).status, 201)  # not reloaded yet: the set in force holds
        self.reload()
        r = self.notice(s, 4)
        self.assertEqual((r.status, r.json["error"]["rule"]), (403, "KEY-CERT-REVOKED"), r)
        # the revocation withdrawn, and the finance anchor replaced by a CA that never certified
        # the bank: refused at once after the reload
        open(os.path.join(self.srv.dir, "crl.pem"), "w").close()
        rogue, _ = make_ca("another finance CA")
        with open(FINANCE_CA_COPY, "wb") as f:
            f.write(rogue.public_bytes(serialization.Encoding.PEM))
        self.reload()
        r = self.notice(s, 5)
        self.assertEqual((r.status, r.json["error"]["rule"]), (403, "KEY-CERT-CHAIN"), r)
        shutil.copy(os.path.join(TRUST, "finance-ca.crt"), FINANCE_CA_COPY)
        self.reload()
        self.assertEqual(self.notice(s, 6).status, 201)
