"""Announcements through the real API: statutory rules at their boundaries (one day short,
exactly on the limit), immutability once published, the platform's signature checked with
openssl, the public/draft boundary, a cursor that neither skips nor repeats, the Atom feed, and
the audit trail the replay checker accepts."""
import base64
import calendar
import datetime
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import urllib.parse
import xml.etree.ElementTree as ET

from harness import ApiTest, CA, ROOT

DAY = 86400 * 10**6
GGZY = os.environ.get("GGZY_CLI") or os.path.join(ROOT, "build", "debug", "ggzy")


def us(y, m, d, hh=2):
    """Microseconds of y-m-d hh:00 UTC (hh=2 is 10:00 in Beijing)."""
    return calendar.timegm(datetime.datetime(y, m, d, hh).timetuple()) * 10**6


class AnnounceTest(ApiTest):
    def setUp(self):
        super().setUp()
        self.admin = self.srv.admin_token()
        self.agency = self.make_org(self.admin, "agency")
        self.tenderer = self.make_org(self.admin, "tenderer")
        self.agent, self.tok = self.make_user(self.admin, self.agency["id"], "agent")
        self.set_clock(us(2026, 3, 2))

    def set_clock(self, t):
        self.now = t
        self.srv.request("POST", "/api/v1/test/clock", {"set_us": t})

    def project(self, category="engineering", method="open_tender", state="accepted", keys=True):
        b = {"name": "某工程", "category": category, "method": method, "region": "440300",
             "tenderer_org_id": self.tenderer["id"], "budget_fen": 100000000, "funding_source": "自筹",
             "legally_required": True, "lots": [{"name": "一标段", "estimate_fen": 100000000}]}
        p = self.srv.request("POST", "/api/v1/projects", b, token=self.tok).json
        self.srv.request("POST", "/api/v1/projects/%d/transitions" % p["id"], {"to": "submitted"}, token=self.tok)
        r = self.srv.request("POST", "/api/v1/projects/%d/transitions" % p["id"], {"to": "accepted"}, token=self.admin)
        self.assertEqual(r.status, 200, r)
        if keys:
            self.make_opening_keys(p["id"], 1, self.tok)
        if state != "accepted":
            self.srv.sql("UPDATE projects SET state = '%s' WHERE id = %d" % (state, p["id"]))
        return r.json

    def draft(self, pid, **kw):
        b = {"type": "tender", "title": "招标公告", "body": "……"}
        b.update(kw)
        r = self.srv.request("POST", "/api/v1/projects/%d/announcements" % pid, b, token=self.tok)
        self.assertEqual(r.status, 201, r)
        if b["type"] == "tender" and "opening_us" in b:  # the opening's room (docs/venues.md)
            self.book_opening(pid, b["opening_us"], self.tok)
        return r.json

    def publish(self, aid):
        return self.srv.request("POST", "/api/v1/announcements/%d/publish" % aid, token=self.tok)

    def tender(self, pid, days=20, sale=5, opening_delta=0, deposit=None):
        kw = dict(docs_from_us=self.now, docs_until_us=self.now + sale * DAY,
                  bid_deadline_us=self.now + days * DAY, opening_us=self.now + days * DAY + opening_delta)
        if deposit is not None:
            kw["deposits"] = [{"lot": 1, "deposit_fen": deposit}]
        return self.draft(pid, **kw)

    def assertRule(self, r, rule):
        self.assertError(r, 422, "rule_violation")
        self.assertEqual(r.json["error"]["rule"], rule, r)

    # --- statutory rules at their boundaries ---

    def test_a_tender_announcement_publishes_every_lots_opening_key_and_needs_them(self):
        p = self.project(keys=False)
        a = self.tender(p["id"])
        self.assertRule(self.publish(a["id"]), "ANN-OPENING-KEY")
        self.make_opening_keys(p["id"], 1, self.tok)
        r = self.publish(a["id"])
        self.assertEqual(r.status, 200, r)
        sig = self.srv.request("GET", "/api/v1/public/announcements/%d/signature" % a["id"]).json
        content = json.loads(sig["content"]) if isinstance(sig["content"], str) else sig["content"]
        key = self.srv.request("GET", "/api/v1/projects/%d/lots/1/opening-key" % p["id"]).json
        self.assertEqual(content["opening_keys"], [{"key_id": key["key_id"], "lot": 1, "public_key": key["public_key"]}])

    def test_twenty_days_to_the_deadline_is_enough_and_nineteen_is_not(self):
        p = self.project()
        r = self.publish(self.tender(p["id"], days=19)["id"])
        self.assertRule(r, "R-BID-PERIOD")
        self.assertIn("招标投标法 第二十四条", r.json["error"]["message"])
        r = self.publish(self.tender(p["id"], days=20)["id"])
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["state"], "published")
        proj = self.srv.request("GET", "/api/v1/projects/%d" % p["id"], token=self.tok).json
        self.assertEqual(proj["state"], "bidding")  # bidding begins with the publication

    def test_documents_on_sale_five_days_and_not_four(self):
        p = self.project()
        self.assertRule(self.publish(self.tender(p["id"], sale=4)["id"]), "R-DOC-SALE")
        self.assertEqual(self.publish(self.tender(p["id"], sale=5)["id"]).status, 200)

    def test_opening_must_be_at_the_deadline(self):
        p = self.project()
        self.assertRule(self.publish(self.tender(p["id"], opening_delta=60 * 10**6)["id"]), "R-OPENING-AT-DEADLINE")

    def test_deposit_cap_is_two_percent_to_the_fen(self):
        p = self.project()  # lot estimate 100,000,000 fen: the cap is 2,000,000
        self.assertRule(self.publish(self.tender(p["id"], deposit=2000001)["id"]), "R-DEPOSIT-CAP")
        self.assertEqual(self.publish(self.tender(p["id"], deposit=2000000)["id"]).status, 200)

    def test_procurement_documents_count_working_days_across_the_spring_festival(self):
        self.set_clock(us(2026, 2, 13))  # Friday before the holiday
        p = self.project(category="procurement")
        # 5 working days after Fri 02-13: Sat 02-14 (made a working day), 02-24 … 02-27
        a = self.draft(p["id"], docs_from_us=self.now, docs_until_us=us(2026, 2, 26),
                       bid_deadline_us=self.now + 30 * DAY, opening_us=self.now + 30 * DAY)
        r = self.publish(a["id"])
        self.assertRule(r, "R-DOC-SALE")
        self.assertIn("working days", r.json["error"]["message"])
        a = self.draft(p["id"], docs_from_us=self.now, docs_until_us=us(2026, 2, 27),
                       bid_deadline_us=self.now + 30 * DAY, opening_us=self.now + 30 * DAY)
        self.assertEqual(self.publish(a["id"]).status, 200)

    def test_a_provisional_year_counts_a_bidders_period_on_its_longer_reading(self):
        # 2026-12-28: the documents' five working days reach 2027, whose holiday arrangement is
        # not published; the days around New Year whose swaps are unknown count as rest days
        self.set_clock(us(2026, 12, 28))
        self.admin = self.srv.admin_token()  # sessions made at another time have expired
        self.tok = self.srv.login(self.agent["username"], "user-password-1")
        p = self.project(category="procurement")
        a = self.draft(p["id"], docs_from_us=self.now, docs_until_us=self.now + 10 * DAY,
                       bid_deadline_us=self.now + 30 * DAY, opening_us=self.now + 30 * DAY)
        r = self.publish(a["id"])
        self.assertRule(r, "R-DOC-SALE")
        self.assertIn("provisional calendar", r.json["error"]["message"])
        a = self.draft(p["id"], docs_from_us=self.now, docs_until_us=self.now + 11 * DAY,
                       bid_deadline_us=self.now + 30 * DAY, opening_us=self.now + 30 * DAY)
        self.assertEqual(self.publish(a["id"]).status, 200)
        # and the log says the periods were read on the provisional calendar
        logged = self.srv.sql("SELECT COALESCE(entry, CONCAT(head, tail)) FROM audit_entries "
                              "WHERE action = 'announce.publish' AND project_id = %d" % p["id"])
        self.assertEqual(len(logged), 1)
        self.assertIn('"calendar":"provisional"', logged[0][0])
        # the calendar's own view of 2027 says what is provisional
        cal = self.srv.request("GET", "/api/v1/calendar/2027").json
        self.assertEqual(cal["kind"], "provisional")
        self.assertIn("2027-01-04", cal["uncertain"])
        self.assertIn("2027-02-05", cal["weekdays_off"])  # 除夕, a statutory holiday since 2025

    def test_a_year_the_calendar_does_not_know_is_refused_not_guessed(self):
        # a calendar folder with the official years only (no statutory.json): 2027 is unknown
        cal = tempfile.mkdtemp(prefix="ggzy-cal-")
        for y in ("2025.json", "2026.json"):
            shutil.copy(os.path.join(ROOT, "calendar", y), cal)
        self.srv.reconfigure({"calendar.dir": cal})
        self.set_clock(us(2026, 12, 28))
        self.admin = self.srv.admin_token()
        self.tok = self.srv.login(self.agent["username"], "user-password-1")
        p = self.project(category="procurement")
        a = self.draft(p["id"], docs_from_us=self.now, docs_until_us=self.now + 20 * DAY,
                       bid_deadline_us=self.now + 30 * DAY, opening_us=self.now + 30 * DAY)
        r = self.publish(a["id"])
        self.assertRule(r, "R-CALENDAR")
        self.assertIn("ggzyd calendar import", r.json["error"]["message"])

    def test_an_amendment_affecting_bids_needs_fifteen_days_or_a_new_deadline(self):
        p = self.project()
        t = self.tender(p["id"], days=20)
        self.assertEqual(self.publish(t["id"]).status, 200)
        self.set_clock(self.now + 6 * DAY)  # 14 days left
        a = self.draft(p["id"], type="amendment", amends_id=t["id"], affects_bids=True, title="变更公告")
        r = self.publish(a["id"])
        self.assertRule(r, "R-AMEND-NOTICE")
        self.assertIn("实施条例 第二十一条", r.json["error"]["message"])
        # a clarification that does not affect bids may come any time before the deadline
        c = self.draft(p["id"], type="amendment", amends_id=t["id"], affects_bids=False, title="澄清")
        self.assertEqual(self.publish(c["id"]).status, 200)
        # moving the deadline to exactly 15 days away makes the change lawful
        m = self.draft(p["id"], type="amendment", amends_id=t["id"], affects_bids=True, title="变更并顺延",
                       bid_deadline_us=self.now + 15 * DAY, opening_us=self.now + 15 * DAY)
        self.assertEqual(self.publish(m["id"]).status, 200)
        chain = self.srv.request("GET", "/api/v1/public/announcements/%d" % t["id"]).json["versions"]
        self.assertEqual([v["id"] for v in chain], [t["id"], c["id"], m["id"]])

    def test_candidates_wait_for_an_evaluation_result(self):
        # candidate publicity publishes an evaluation's result: until the evaluation capability
        # produces one, no candidates announcement is published, whatever the state field says
        # (R-PUBLICITY, its duration, is unit-tested in test_publish_rules.c)
        p = self.project(state="evaluating")
        a = self.draft(p["id"], type="candidates", title="中标候选人公示",
                       publicity_from_us=self.now, publicity_until_us=self.now + 3 * DAY)
        r = self.publish(a["id"])
        self.assertError(r, 409, "conflict")
        self.assertEqual(r.json["error"]["rule"], "ANN-NO-EVALUATION")
        proj = self.srv.request("GET", "/api/v1/projects/%d" % p["id"], token=self.tok).json
        self.assertEqual(proj["state"], "evaluating")

    def test_announcements_need_the_project_in_the_right_state(self):
        p = self.project(state="evaluating")
        r = self.publish(self.tender(p["id"])["id"])
        self.assertError(r, 409, "invalid_transition")
        self.assertEqual(r.json["error"]["current"], "evaluating")

    # --- immutability, signature, public boundary ---

    def test_a_published_announcement_never_changes(self):
        p = self.project()
        t = self.tender(p["id"])
        self.assertEqual(self.publish(t["id"]).status, 200)
        r = self.srv.request("PUT", "/api/v1/announcements/%d" % t["id"],
                             {"type": "tender", "title": "改", "body": "改"}, token=self.tok)
        self.assertError(r, 409, "invalid_transition")
        self.assertError(self.publish(t["id"]), 409, "invalid_transition")
        got = self.srv.request("GET", "/api/v1/public/announcements/%d" % t["id"]).json
        self.assertEqual(got["title"], "招标公告")

    def test_the_platform_signature_verifies_with_openssl(self):
        p = self.project()
        t = self.tender(p["id"])
        self.publish(t["id"])
        s = self.srv.request("GET", "/api/v1/public/announcements/%d/signature" % t["id"]).json
        self.assertEqual(hashlib.sha256(s["content"].encode()).hexdigest(), s["content_sha256"])
        self.assertEqual(s["signed_message"], "ggzy-announcement-v1\n%s\n" % s["content_sha256"])
        raw = base64.b64decode(s["vkey"].split("+", 2)[2])[1:]
        d = tempfile.mkdtemp()
        with open(os.path.join(d, "pub.der"), "wb") as f:
            f.write(bytes.fromhex("302a300506032b6570032100") + raw)
        with open(os.path.join(d, "msg"), "wb") as f:
            f.write(s["signed_message"].encode())
        with open(os.path.join(d, "sig"), "wb") as f:
            f.write(base64.b64decode(s["signature"]))
        ok = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-keyform", "DER", "-inkey", os.path.join(d, "pub.der"),
                             "-rawin", "-in", os.path.join(d, "msg"), "-sigfile", os.path.join(d, "sig")], capture_output=True, text=True)
        self.assertEqual(ok.returncode, 0, ok.stdout + ok.stderr)

    def test_drafts_never_reach_the_public(self):
        p = self.project()
        a = self.tender(p["id"])
        self.assertError(self.srv.request("GET", "/api/v1/public/announcements/%d" % a["id"]), 404, "not_found")
        self.assertEqual(self.srv.request("GET", "/api/v1/public/announcements").json["items"], [])
        self.assertNotIn("招标公告", self.srv.request("GET", "/api/v1/public/feed.atom").body)
        self.assertError(self.srv.request("GET", "/api/v1/announcements/%d" % a["id"]), 401, "unauthenticated")
        self.assertError(self.srv.request("POST", "/api/v1/projects/%d/announcements" % p["id"],
                                          {"type": "tender", "title": "x", "body": "x"}), 401, "unauthenticated")

    def test_nothing_is_announced_for_a_project_not_accepted(self):
        b = {"name": "x", "category": "engineering", "method": "open_tender", "region": "440300",
             "tenderer_org_id": self.tenderer["id"], "budget_fen": 100, "funding_source": "x",
             "legally_required": False, "lots": [{"name": "a", "estimate_fen": 100}]}
        p = self.srv.request("POST", "/api/v1/projects", b, token=self.tok).json
        r = self.srv.request("POST", "/api/v1/projects/%d/announcements" % p["id"],
                             {"type": "tender", "title": "x", "body": "x"}, token=self.tok)
        self.assertError(r, 409, "invalid_transition")

    def test_the_public_cursor_neither_skips_nor_repeats_while_new_ones_arrive(self):
        ids = []
        for _ in range(5):
            p = self.project()
            t = self.tender(p["id"])
            self.assertEqual(self.publish(t["id"]).status, 200)  # visible on the next read
            ids.append(t["id"])
        seen = []
        page = self.srv.request("GET", "/api/v1/public/announcements?limit=2").json
        seen += [a["id"] for a in page["items"]]
        # a new publication between pages lands above the cursor, never inside the next page
        p = self.project()
        late = self.tender(p["id"])
        self.publish(late["id"])
        while page["next_before"]:
            page = self.srv.request("GET", "/api/v1/public/announcements?limit=2&before=%d" % page["next_before"]).json
            seen += [a["id"] for a in page["items"]]
        self.assertEqual(seen, list(reversed(ids)))
        first = self.srv.request("GET", "/api/v1/public/announcements?limit=1").json["items"][0]
        self.assertEqual(first["id"], late["id"])

    def test_public_filters(self):
        p = self.project()
        self.publish(self.tender(p["id"])["id"])
        q = self.project(category="procurement")
        self.publish(self.draft(q["id"], title="政府采购公告", docs_from_us=self.now, docs_until_us=self.now + 10 * DAY,
                                bid_deadline_us=self.now + 30 * DAY, opening_us=self.now + 30 * DAY)["id"])
        get = lambda qs: [a["title"] for a in self.srv.request("GET", "/api/v1/public/announcements?" + qs).json["items"]]
        self.assertEqual(get("category=procurement"), ["政府采购公告"])
        self.assertEqual(get("q=" + urllib.parse.quote("采购")), ["政府采购公告"])
        self.assertEqual(len(get("region=440300&type=tender")), 2)
        self.assertEqual(get("region=110000"), [])
        self.assertEqual(get("from_us=%d" % (self.now + DAY)), [])
        self.assertError(self.srv.request("GET", "/api/v1/public/announcements?type=ad"), 400, "bad_request")

    def test_the_atom_feed_is_well_formed(self):
        p = self.project()
        self.publish(self.tender(p["id"])["id"])
        r = self.srv.request("GET", "/api/v1/public/feed.atom")
        self.assertTrue(r.header("Content-Type").startswith("application/atom+xml"))
        feed = ET.fromstring(r.body.encode())
        entries = feed.findall("{http://www.w3.org/2005/Atom}entry")
        self.assertEqual(len(entries), 1)
        self.assertEqual(entries[0].find("{http://www.w3.org/2005/Atom}title").text, "招标公告")
        # RFC 4287 §4.1.1: a feed whose entries have no author has one of its own
        author = feed.find("{http://www.w3.org/2005/Atom}author/{http://www.w3.org/2005/Atom}name")
        self.assertTrue(author is not None and author.text)
        # and a title with a control character never gets in: XML 1.0 could not carry it
        r = self.srv.request("POST", "/api/v1/projects/%d/announcements" % p["id"],
                             {"type": "tender", "title": "变更\u0001", "body": "……"}, token=self.tok)
        self.assertError(r, 422, "invalid_field")

    def test_publication_schedules_the_deadline_checkpoint_and_replays_cleanly(self):
        p = self.project()
        t = self.tender(p["id"])
        self.publish(t["id"])
        rows = self.srv.sql("SELECT deadline_us FROM audit_deadlines WHERE project_id = %d" % p["id"])
        self.assertEqual(rows, [[str(self.now + 20 * DAY)]])
        logged = self.srv.sql("SELECT COALESCE(entry, CONCAT(head, tail)) FROM audit_entries "
                              "WHERE action = 'announce.publish' AND project_id = %d" % p["id"])
        self.assertIn('"calendar":"official"', logged[0][0])
        sup_org = self.make_org(self.admin, "supervision")
        _, sup = self.make_user(self.admin, sup_org["id"], "supervisor")
        self.srv.request("POST", "/api/v1/audit/checkpoints", token=sup)
        vkey = self.srv.request("GET", "/api/v1/audit/vkey").json["vkey"]
        env = dict(os.environ, GGZY_SERVER="https://localhost:%d" % self.srv.port, GGZY_CA=CA, GGZY_TOKEN=sup, GGZY_VKEY=vkey)
        out = subprocess.run([GGZY, "audit", "replay", "--project", str(p["id"])], capture_output=True, text=True, env=env)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertIn("announce.publish", out.stdout)
