"""A calendar that never runs out (docs/rules.md "Working days"), through the real API, the
simulated bank and `ggzyd calendar`: with the clock at 2026-12-28 and 2027-12-28, refunds and
returns due in a year whose holiday arrangement is not yet published are made on the provisional
calendar's shorter reading and say so; a due time the calendar cannot compute never answers 500 —
the refund is made without one and warned of at once; the operator imports the State Council's
arrangement without a release, the import is in the log and reports every deadline it would move,
keeping the reading that favours the bidder; and center staff are warned 90 days before the loaded
calendar ends (a metric, a message, /healthz)."""
import json
import os
import shutil
import tempfile

from harness import ROOT
from test_deposits import DAY, DEPOSIT, DepositTest
from test_opening import us

CST = 8 * 3600 * 10**6


ARRANGEMENT_2027 = {
    "year": 2027, "source": "test",
    "holidays": ["2027-01-01", "2027-01-02", "2027-01-03", "2027-02-05", "2027-02-06", "2027-02-07",
                 "2027-02-08", "2027-02-09", "2027-02-10", "2027-02-11", "2027-04-05", "2027-05-01",
                 "2027-05-02", "2027-05-03", "2027-06-09", "2027-09-15", "2027-10-01", "2027-10-02",
                 "2027-10-03", "2027-10-04"],
    "workdays": ["2027-02-20"]}


class ProvisionalDue2026(DepositTest):
    """A procurement tender published 2026-12-08; its bid deadline, Mon 2026-12-28 10:00."""
    category = "procurement"
    start = (2026, 12, 8)
    docs_days = 7

    def pay_and_wait_for_the_refund(self):
        b0 = self.bidders[0]
        s0 = self.sub(b0)
        r = self.pay(s0["number"], DEPOSIT, "6222000000007000", name="甲公司")
        self.assertEqual(r["body"]["outcome"], "credited", r)
        with open(os.path.join(self.spool, "MODE"), "w") as f:
            f.write("hold")  # the bank sits on the instruction: the refund stays due
        # paid, never bid: refunded within five working days of the deadline (87号令 第三十八条)
        self.run_job("deposits.refunds", self.deadline + 3600 * 10**6)
        return self.wait(lambda: (lambda x: x[0] if x and x[0]["state"] == "sent" else None)(self.refunds()),
                         "no refund was sent")

    def test_a_refund_due_in_2027_takes_the_shorter_reading_and_says_it_is_provisional(self):
        f = self.pay_and_wait_for_the_refund()
        # Tue 29, Wed 30, Thu 31; New Year's Day 2027 (Fri) off; Sat 2 and Sun 3 may be worked
        # (调休, not yet announced): a duty counts them — due by the end of Sun 2027-01-03
        self.assertEqual((f["cause"], f["basis"]), ("no_bid", "R-REFUND-WITHDRAWAL"))
        self.assertEqual(f["due_us"], us(2027, 1, 4, 0) - CST - 1)
        self.assertTrue(f["due_provisional"])
        self.assertTrue(f["instruction"]["instruction"]["due_provisional"])
        self.replay_clean()

    def test_the_import_of_2027_reports_the_due_time_it_moves_and_keeps_the_earlier(self):
        f = self.pay_and_wait_for_the_refund()
        path = os.path.join(self.tmp, "2027.json")
        with open(path, "w") as fh:
            json.dump(ARRANGEMENT_2027, fh)
        # a file that leaves out a statutory holiday is refused, and nothing is imported
        bad = dict(ARRANGEMENT_2027, holidays=ARRANGEMENT_2027["holidays"][3:])
        with open(path + ".bad", "w") as fh:
            json.dump(bad, fh)
        p = self.srv.run_cmd("calendar", "import", path + ".bad", "--notice", "国办发明电〔2026〕99号", check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("2027-01-01 is a statutory holiday", p.stderr)
        p = self.srv.run_cmd("calendar", "import", path, "--dry-run", "--notice", "国办发明电〔2026〕99号")
        self.assertIn("would import", p.stdout)
        self.assertEqual(self.srv.sql("SELECT COUNT(*) FROM calendar_imports"), [["0"]])
        p = self.srv.run_cmd("calendar", "import", path, "--notice", "国办发明电〔2026〕99号")
        # by the notice: Dec 29, 30, 31, Mon 4, Tue 5 — the end of 2027-01-05; the refund, the
        # platform's obligation, keeps the earlier end of 2027-01-03
        self.assertRegex(p.stdout, r"refund %d: was 2027-01-03 23:59, the arrangement gives "
                                   r"2027-01-05 23:59, kept 2027-01-03 23:59" % f["id"])
        self.assertIn("1 deadline(s) the arrangement moves", p.stdout)
        g = [x for x in self.refunds() if x["id"] == f["id"]][0]
        self.assertEqual((g["due_us"], g["due_provisional"]), (f["due_us"], False))
        self.srv.wait_sequenced()
        entry = json.loads(self.srv.sql("SELECT entry FROM audit_entries WHERE action = 'calendar.import'")[0][0])
        self.assertEqual(entry["actor"], {"name": "system:calendar", "role": "system"})
        self.assertEqual((entry["payload"]["year"], entry["payload"]["notice"]), (2027, "国办发明电〔2026〕99号"))
        self.assertEqual(entry["payload"]["moved"][0]["kept_us"], f["due_us"])
        # every node applies it within a minute (core.calendar)
        self.run_job("core.calendar")
        cal = self.srv.request("GET", "/api/v1/calendar/2027").json
        self.assertEqual((cal["kind"], cal["source"], cal["uncertain"]), ("official", "国办发明电〔2026〕99号", []))
        self.assertIn("2027-02-20", cal["weekend_days_worked"])
        p = self.srv.run_cmd("calendar", "status")
        self.assertRegex(p.stdout, r"2027\s+official\s+国办发明电")
        self.replay_clean()

    def test_held_money_is_returned_on_the_provisional_calendar_never_a_500(self):
        self.clock(self.deadline)
        held = self.pay("880100009999999", 300, "6222000000005999", name="某某公司")["body"]
        r = self.srv.request("POST", "/api/v1/deposits/notices/%d/return" % held["id"], {"reason": "原路退回"},
                             token=self.admin)
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["due_us"], us(2027, 1, 4, 0) - CST - 1)
        self.assertTrue(r.json["due_provisional"])
        self.ledger()


# a calendar folder that knows nothing after 2026 (the official years, no statutory.json)
OFFICIAL_ONLY = tempfile.mkdtemp(prefix="ggzy-cal-")
for _y in ("2025.json", "2026.json"):
    shutil.copy(os.path.join(ROOT, "calendar", _y), OFFICIAL_ONLY)


class UnknownDue(ProvisionalDue2026):
    """The same, with a calendar that knows nothing after 2026."""
    server_args = {"conf": dict(DepositTest.server_args["conf"], **{"calendar.dir": OFFICIAL_ONLY})}

    def test_a_refund_whose_due_time_cannot_be_computed_is_made_and_warned_of_at_once(self):
        f = self.pay_and_wait_for_the_refund()
        self.assertIsNone(f["due_us"])
        self.assertIsNone(f["instruction"]["instruction"]["due_us"])
        self.run_job("deposits.deadlines")
        told = self.wait(lambda: [m for m in self.srv.request("GET", "/api/v1/me/inbox", token=self.sup_tok)
                                  .json["items"] if m["kind"] == "deposit.refund.due"], "no warning")
        self.assertIn("cannot compute", told[0]["body"])
        self.assertEqual(self.refunds(late=1), [])
        held = self.pay("880100009999999", 300, "6222000000005999", name="某某公司")["body"]
        r = self.srv.request("POST", "/api/v1/deposits/notices/%d/return" % held["id"], {"reason": "原路退回"},
                             token=self.admin)
        self.assertEqual((r.status, r.json["due_us"]), (201, None), r)
        self.replay_clean()

    # inherited tests that need the provisional years
    test_a_refund_due_in_2027_takes_the_shorter_reading_and_says_it_is_provisional = None
    test_the_import_of_2027_reports_the_due_time_it_moves_and_keeps_the_earlier = None
    test_held_money_is_returned_on_the_provisional_calendar_never_a_500 = None


class ProvisionalDue2027(ProvisionalDue2026):
    """A year on: published 2027-12-08, deadline Tue 2027-12-28; New Year 2028 is a Saturday."""
    start = (2027, 12, 8)

    def test_a_refund_due_in_2028_takes_the_shorter_reading_and_says_it_is_provisional(self):
        f = self.pay_and_wait_for_the_refund()
        # Wed 29, Thu 30, Fri 31 (may be bridge days: worked for a duty), Sat 1 off, Sun 2 (may
        # be worked), Mon 3: due by the end of 2028-01-03
        self.assertEqual(f["due_us"], us(2028, 1, 4, 0) - CST - 1)
        self.assertTrue(f["due_provisional"])
        self.replay_clean()

    test_a_refund_due_in_2027_takes_the_shorter_reading_and_says_it_is_provisional = None
    test_the_import_of_2027_reports_the_due_time_it_moves_and_keeps_the_earlier = None
    test_held_money_is_returned_on_the_provisional_calendar_never_a_500 = None


class CalendarWarning(DepositTest):
    start = (2026, 12, 7)

    def test_staff_are_warned_once_when_the_official_calendar_ends_within_90_days(self):
        h = self.srv.request("GET", "/healthz").json
        self.assertEqual((h["calendar"]["official_until"], h["calendar"]["days_left"]), ("2026-12-31", 24), h)
        self.assertIn("ggzyd calendar import", h["calendar"]["warning"])
        self.run_job("core.calendar")
        self.run_job("core.calendar")
        told = [m for m in self.srv.request("GET", "/api/v1/me/inbox", token=self.admin).json["items"]
                if m["kind"] == "calendar.ending"]
        self.assertEqual(len(told), 1, told)
        self.assertIn("2026-12-31", told[0]["subject"])
        metrics = self.srv.request("GET", "/metrics").body
        self.assertRegex(metrics, r"ggzy_calendar_official_days_left 2[34]\n")
        self.srv.wait_sequenced()
        self.assertEqual(self.srv.sql("SELECT COUNT(*) FROM audit_entries WHERE action = 'calendar.warn'"), [["1"]])
