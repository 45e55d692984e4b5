"""The deposits page (web/deposits.html, web/deposits.js) in a real browser, with the simulated
bank (tests/sim/bank.py) as its own process: a bidder opens its sub-account from the page, sees
what arrived and why a payment from another account is held, then the refund due and by when,
then what was refunded; center staff read the balanced ledger, the held money and the day's
statement differences, approve a basic account and return held money to its payer from the
console; a supervisor sees a refund
the bank sits on flagged late and by how long, with no staff action offered; each sees only
their part."""
import os
import tempfile

from harness import ADMIN_PASSWORD
from test_deposits import DepositTest, DEPOSIT
from webdriver import Browser

LOADED = "document.getElementById('page-status').dataset.state === 'done'"


class DepositsPageTest(DepositTest):
    def setUp(self):
        super().setUp()
        self.browser = Browser()
        self.addCleanup(self.browser.close)

    def page(self, username, password="user-password-1"):
        br = self.browser
        br.get("https://localhost:%d/deposits.html?project=%d" % (self.srv.port, self.pid))
        br.type("#username", username)
        br.type("#password", password)
        br.click("#login")
        br.wait_for("document.getElementById('who').dataset.state === 'in'")
        br.wait_for(LOADED)

    def texts(self, selector):
        return self.browser.script("return Array.from(document.querySelectorAll(%r)).map(e => e.textContent);"
                                   % selector)

    def hidden(self, id_):
        return self.browser.script("return document.getElementById(%r).hidden;" % id_)

    def shot(self, name, height=1000):
        """The page at a desktop's width and a phone's (name-1366.png, name-390.png)."""
        for width in (1366, 390):
            path = os.path.join(os.environ.get("GGZY_SCREENSHOTS", tempfile.gettempdir()),
                                name.replace(".png", "-%d.png" % width))
            self.browser.screenshot(path, width=width, height=height)
            self.assertGreater(os.path.getsize(path), 1000)
        self.browser.screenshot(os.devnull, height=height)  # back to the width the test runs at

    def mode(self, m):
        with open(os.path.join(self.spool, "MODE"), "w") as f:
            f.write(m)

    def test_a_bidder_opens_its_sub_account_and_follows_its_deposit_to_the_refund(self):
        b0 = self.bidders[0]
        self.basic(b0, "6222000000002000")
        self.page(b0["username"])
        self.assertFalse(self.hidden("mine"))
        self.assertTrue(self.hidden("console"))
        self.assertTrue(self.hidden("overdue"))
        br = self.browser
        br.click("#o-open")
        br.wait_for("document.getElementById('o-status').dataset.state !== 'busy'")
        self.assertEqual(br.script("return document.getElementById('o-status').dataset.state;"), "done",
                         br.text("#o-status"))
        br.wait_for(LOADED)
        sub = self.srv.request("GET", "/api/v1/projects/%d/lots/1/deposit" % self.pid, token=b0["tok"]).json
        self.assertIn(sub["number"], br.text("#o-status"))
        self.assertEqual(self.texts("#subs tbody tr[data-deposit='missing']").__len__(), 1)
        self.assertIn(sub["number"], self.texts("#subs tbody tr")[0])
        # paid from the basic account, and once from another: the second is held, and the page says why
        self.pay(sub["number"], DEPOSIT, "6222000000002000")
        self.pay(sub["number"], 500, "6222999900000009")
        self.page(b0["username"])
        row = self.texts("#subs tbody tr[data-deposit='paid']")
        self.assertEqual(len(row), 1, self.texts("#subs tbody tr"))
        self.assertIn("¥10,000.00", row[0])
        self.assertIn("已入账 credited", row[0])
        self.assertIn("暂挂 held: 非基本账户 not from the basic account", row[0])
        # never bid: after the deadline its refund is due by a date the page states; the bank sits on it
        self.mode("hold")
        self.run_job("deposits.refunds", self.deadline + 3600 * 10**6)
        f = self.wait(lambda: (lambda x: x[0] if x and x[0]["state"] == "sent" else None)(self.refunds()),
                      "no refund was sent")
        self.page(b0["username"])
        due = self.texts("#subs tbody td.refund-due")[0]
        self.assertIn("¥10,000.00", due)
        self.assertIn("未投标 no bid", due)
        import datetime
        want = datetime.datetime.fromtimestamp((f["due_us"] + 8 * 3600 * 10**6) // 10**6,
                                               datetime.timezone.utc).strftime("%Y-%m-%d %H:%M")
        self.assertIn("应于 " + want, due)
        self.assertEqual(self.texts("#subs tbody td.refunded"), [""])
        self.shot("deposits-bidder-due.png")
        # the bank pays: refunded, with the date, and nothing left due
        self.mode("pay")
        self.wait(lambda: (lambda x: x[0] if x[0]["state"] == "paid" else None)(self.refunds()), "not paid")
        self.page(b0["username"])
        self.assertEqual(self.texts("#subs tbody td.refund-due"), [""])
        self.assertIn("¥10,000.00", self.texts("#subs tbody td.refunded")[0])
        self.assertEqual(self.texts("#subs tbody tr[data-state='closed']").__len__(), 1)
        # another bidder sees none of it
        self.page(self.bidders[1]["username"])
        self.assertEqual(self.texts("#subs tbody tr"), [])
        self.shot("deposits-bidder.png")
        self.ledger()

    def test_center_staff_reconcile_decide_a_basic_account_and_return_held_money_from_the_console(self):
        b0, b1 = self.bidders[:2]
        self.basic(b0, "6222000000003000")
        s = self.sub(b0)
        a = self.pay(s["number"], DEPOSIT, "6222000000003000")["body"]
        self.pay("880100009999999", 300, "6222000000003000")  # no such sub-account: held
        line = {k: a[k] for k in ("bank_txn", "kind", "account", "amount_fen", "payer_account", "payer_name",
                                  "instrument", "value_us")}
        r = self.statement([dict(line, amount_fen=DEPOSIT + 1)])
        self.assertEqual(r.status, 201, r)
        pending = self.basic(b1, "6222000000003001", approve=None).json
        self.page("admin", ADMIN_PASSWORD)
        self.assertTrue(self.hidden("mine"))
        self.assertFalse(self.hidden("console"))
        br = self.browser
        self.assertEqual(br.script("return document.getElementById('balanced').dataset.state;"), "ok")
        self.assertEqual(br.script("return document.getElementById('log-agreement').dataset.state;"), "ok")
        self.assertIn("与审计日志一致", br.text("#log-agreement"))
        acc = dict(zip(self.browser.script(
            "return Array.from(document.querySelectorAll('#accounts tr[data-account]')).map(t => t.dataset.account);"),
            self.texts("#accounts tr[data-account]")))
        self.assertIn("-¥10,000.00", acc["sub"])
        self.assertIn("-¥3.00", acc["held"])
        self.assertIn("¥0.00", acc["total"])
        held = self.texts("#held tbody tr[data-reason='unknown_account']")
        self.assertEqual(len(held), 1)
        self.assertIn("无此子账号", held[0])
        self.assertIn("与通知不符 differs from the notice", self.texts("#statements tbody tr")[0])
        self.assertGreater(len(self.texts("#journal tbody tr")), 0)
        # staff approve the pending basic account from the console
        br.click("#basic button[data-approve='%d']" % pending["id"])
        br.wait_for("document.getElementById('ba-status').dataset.state !== 'busy'")
        self.assertIn("已批准 approved", br.text("#ba-status"))
        got = self.srv.request("GET", "/api/v1/deposits/basic-accounts?org=%d" % b1["org"], token=self.admin).json
        self.assertEqual(got["items"][0]["state"], "approved")
        self.assertEqual(self.texts("#basic tbody tr[data-basic]"), [])
        # staff return the stray payment to whoever paid it: the page names where and by when
        stray = self.srv.request("GET", "/api/v1/deposits/notices?outcome=held", token=self.admin).json["items"][0]
        br.click("#held button[data-return='%d']" % stray["id"])
        br.wait_for("document.getElementById('ret-status').dataset.state !== 'busy'")
        self.assertIn("6222000000003000", br.text("#ret-status"))
        self.assertIn("应于", br.text("#ret-status"))
        br.wait_for("document.querySelectorAll('#held button[data-return]').length === 0")
        self.assertIn("退回中", self.texts("#held tbody tr[data-reason='unknown_account']")[0])
        self.browser.script("window.scrollTo(0, 0);")
        self.shot("deposits-console.png", height=2400)
        self.run_job("deposits.refunds")
        self.wait(lambda: self.srv.request("GET", "/api/v1/deposits/notices?outcome=returned",
                                           token=self.admin).json["items"], "the bank did not return it")
        self.page("admin", ADMIN_PASSWORD)
        self.assertEqual(self.texts("#held tbody tr[data-txn]"), [])
        self.ledger()
        # a DBA who edits a posting: the console says the ledger does not balance
        self.srv.sql("UPDATE deposit_postings SET fen = fen + 1 WHERE account = 'held' LIMIT 1")
        self.page("admin", ADMIN_PASSWORD)
        self.assertEqual(br.script("return document.getElementById('balanced').dataset.state;"), "bad")
        self.assertIn("不平衡分录", br.text("#unbalanced"))
        # a DBA who moves a posting onto another sub-account: the sum is zero again, and the console
        # says which sub-account disagrees with the log, by how much
        self.srv.sql("UPDATE deposit_postings SET fen = fen - 1 WHERE account = 'held' LIMIT 1")
        self.srv.sql("UPDATE deposit_postings SET ref = ref + 1000 WHERE account = 'sub' LIMIT 1")
        self.page("admin", ADMIN_PASSWORD)
        self.assertEqual(br.script("return document.getElementById('balanced').dataset.state;"), "ok")
        self.assertEqual(br.script("return document.getElementById('log-agreement').dataset.state;"), "bad")
        rows = self.texts("#altered tbody tr")
        self.assertEqual(len(rows), 2, rows)  # the one that lost the posting, the one that gained it
        self.assertTrue(any("¥10,000.00" in r for r in rows), rows)
        self.browser.script("window.scrollTo(0, 0);")
        self.shot("deposits-console-altered.png", height=1400)

    def test_a_supervisor_sees_a_refund_flagged_late_and_by_how_long(self):
        b0 = self.bidders[0]
        self.basic(b0, "6222000000004000")
        s = self.sub(b0)
        self.pay(s["number"], DEPOSIT, "6222000000004000")
        self.mode("hold")
        self.run_job("deposits.refunds", self.deadline + 3600 * 10**6)
        f = self.wait(lambda: (lambda x: x[0] if x and x[0]["state"] == "sent" else None)(self.refunds()),
                      "no refund was sent")
        # before its deadline: under way, not late
        self.page(self.sup["username"])
        self.assertEqual(self.texts("#late tbody tr[data-refund]"), [])
        self.assertIn("剩", self.texts("#pending tbody tr[data-refund='%d']" % f["id"])[0])
        # the deadline passes with the bank sitting on it: flagged late by the monitor, shown so
        self.run_job("deposits.deadlines", f["due_us"] + 26 * 3600 * 10**6)
        self.wait(lambda: self.refunds(late=1), "not flagged late")
        self.page(self.sup["username"])
        row = self.texts("#late tbody tr[data-refund='%d']" % f["id"])
        self.assertEqual(len(row), 1, self.texts("#late tbody tr"))
        self.assertIn("1 天 2 小时", row[0])
        self.assertIn("R-REFUND-", row[0])
        self.assertIn("已逾期 past due", self.texts("#pending tbody tr[data-refund='%d']" % f["id"])[0])
        # supervisors read the console; deciding is the center's
        self.assertFalse(self.hidden("console"))
        self.assertEqual(self.browser.script("return document.querySelectorAll('#basic button').length;"), 0)
        self.shot("deposits-overdue.png", height=1400)
        # a bidder is not shown the view, and the API refuses it
        self.page(b0["username"])
        self.assertTrue(self.hidden("overdue"))
        self.assertEqual(self.srv.request("GET", "/api/v1/deposits/refunds?late=1", token=b0["tok"]).status, 403)
