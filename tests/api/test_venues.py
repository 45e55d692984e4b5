"""Unified venue arrangement through the real API (docs/venues.md): sites and rooms registered
by center staff, bookings asked by agents and decided by staff, no double booking even when 20
agents race for the same hour, every boundary of a booking refused or allowed with its rule
code, a room never retired under its bookings, and the public calendar that shows an evaluation
room only as occupied."""
import concurrent.futures

from harness import ApiTest, issue_cert, sign_act

MIN = 60 * 1000000
HOUR = 60 * MIN
DAY = 24 * HOUR
UTC8 = 8 * HOUR


class VenueFixture(ApiTest):
    """A site with an opening room and an evaluation room, an agency with an accepted project."""
    server_args = {"conf": {"venues.buffer_minutes": "30"}}

    def setUp(self):
        super().setUp()
        self.admin = self.srv.admin_token()
        self.agency = self.make_org(self.admin, "agency")
        self.tenderer = self.make_org(self.admin, "tenderer")
        self.agent, self.agent_tok = self.make_user(self.admin, self.agency["id"], "agent")
        sup_org = self.make_org(self.admin, "supervision")
        self.sup, self.sup_tok = self.make_user(self.admin, sup_org["id"], "supervisor")
        bidder_org = self.make_org(self.admin, "bidder")
        self.bidder, self.bidder_tok = self.make_user(self.admin, bidder_org["id"], "bidder")
        r = self.srv.request("POST", "/api/v1/venues/sites", {
            "name": "市公共资源交易中心", "address": "某市某区某路 1 号", "region": "110000"}, token=self.admin)
        self.assertEqual(r.status, 201, r)
        self.site = r.json
        self.opening_room = self.room("第一开标室", "opening", 40, ["recording", "screens"])
        self.eval_room = self.room("第一评标室", "evaluation", 9, ["recording", "isolated_network"])
        self.pid = self.project()
        # the day after tomorrow, local (UTC+8) midnight, as UTC microseconds
        now = self.server_now()
        self.day0 = ((now + UTC8) // DAY + 2) * DAY - UTC8

    def room(self, name, kind, capacity, equipment=(), opens="08:30", closes="18:00", **kw):
        body = {"name": name, "kind": kind, "capacity": capacity, "equipment": list(equipment),
                "opens": opens, "closes": closes}
        body.update(kw)
        r = self.srv.request("POST", "/api/v1/venues/sites/%d/rooms" % self.site["id"], body, token=self.admin)
        self.assertEqual(r.status, 201, r)
        return r.json

    def project(self, token=None):
        token = token or self.agent_tok
        r = self.srv.request("POST", "/api/v1/projects", {
            "name": "某某学校教学楼新建工程", "category": "engineering", "method": "open_tender",
            "region": "110000", "tenderer_org_id": self.tenderer["id"], "budget_fen": 1000000000,
            "funding_source": "财政资金", "legally_required": True,
            "lots": [{"name": "一标段", "estimate_fen": 600000000},
                     {"name": "二标段", "estimate_fen": 400000000}]}, token=token)
        self.assertEqual(r.status, 201, r)
        pid = r.json["id"]
        self.assertEqual(self.srv.request("POST", "/api/v1/projects/%d/transitions" % pid, {"to": "submitted"},
                                          token=token).status, 200)
        r = self.srv.request("POST", "/api/v1/projects/%d/transitions" % pid, {"to": "accepted"}, token=self.admin)
        self.assertEqual(r.status, 200, r)
        return pid

    def at(self, hh, mm=0, day=0):
        return self.day0 + day * DAY + hh * HOUR + mm * MIN

    def book(self, start, end, room=None, purpose="opening", lots=(1,), people=10, token=None, pid=None):
        return self.srv.request("POST", "/api/v1/venues/bookings", {
            "room_id": (room or self.opening_room)["id"], "project_id": pid or self.pid, "purpose": purpose,
            "lots": list(lots), "start_us": start, "end_us": end, "people": people}, token=token or self.agent_tok)


class VenuesTest(VenueFixture):
    def test_staff_register_rooms_that_anyone_may_read_and_only_staff_may_add(self):
        r = self.srv.request("GET", "/api/v1/venues/rooms/%d" % self.eval_room["id"])
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["kind"], r.json["capacity"], r.json["opens"], r.json["closes"]),
                         ("evaluation", 9, "08:30", "18:00"))
        self.assertEqual(r.json["equipment"], ["recording", "isolated_network"])
        self.assertEqual(self.srv.request("GET", "/api/v1/venues/sites").json["items"][0]["name"], "市公共资源交易中心")
        r = self.srv.request("POST", "/api/v1/venues/sites/%d/rooms" % self.site["id"], {
            "name": "x", "kind": "opening", "capacity": 5, "opens": "08:00", "closes": "17:00"}, token=self.agent_tok)
        self.assertError(r, 403, "forbidden")
        # a remote venue names the region it serves; hours run forwards within a day
        r = self.srv.request("POST", "/api/v1/venues/sites/%d/rooms" % self.site["id"], {
            "name": "远程副场", "kind": "remote_guest", "capacity": 5, "opens": "08:00", "closes": "17:00"},
            token=self.admin)
        self.assertError(r, 422, "invalid_field")
        self.room("远程副场", "remote_guest", 5, region="120000")
        r = self.srv.request("POST", "/api/v1/venues/sites/%d/rooms" % self.site["id"], {
            "name": "夜间", "kind": "opening", "capacity": 5, "opens": "18:00", "closes": "08:00"}, token=self.admin)
        self.assertError(r, 422, "rule_violation")
        self.assertEqual(r.json["error"]["rule"], "VENUE-HOURS")

    def test_a_request_holds_the_room_until_staff_decide_and_a_refusal_gives_it_back(self):
        r = self.book(self.at(9), self.at(11))
        self.assertEqual(r.status, 201, r)
        b = r.json
        self.assertEqual((b["state"], b["lots"], b["buffer_us"]), ("requested", [1], 30 * MIN))
        self.assertEqual(self.book(self.at(10), self.at(12), lots=(2,)).json["error"]["rule"],
                         "VENUE-OVERLAP")
        r = self.srv.request("POST", "/api/v1/venues/bookings/%d/decision" % b["id"], {"approve": False},
                             token=self.admin)
        self.assertError(r, 422, "missing_field")
        r = self.srv.request("POST", "/api/v1/venues/bookings/%d/decision" % b["id"],
                             {"approve": False, "reason": "该时段已安排设备检修"}, token=self.admin)
        self.assertEqual((r.status, r.json["state"]), (200, "refused"), r)
        # the refused booking's minutes and its lot are free again
        r = self.book(self.at(10), self.at(12))
        self.assertEqual(r.status, 201, r)
        r = self.srv.request("POST", "/api/v1/venues/bookings/%d/decision" % r.json["id"], {"approve": True},
                             token=self.admin)
        self.assertEqual(r.json["state"], "approved")
        r = self.srv.request("POST", "/api/v1/venues/bookings/%d/decision" % r.json["id"], {"approve": True},
                             token=self.admin)
        self.assertError(r, 409, "invalid_transition")
        # one live opening per lot
        self.assertEqual(self.book(self.at(14), self.at(15)).json["error"]["rule"], "VENUE-LOT-BOOKED")

    def test_twenty_agents_racing_for_one_hour_get_one_booking_and_nineteen_conflicts(self):
        pids = [self.pid] + [self.project() for _ in range(19)]
        with concurrent.futures.ThreadPoolExecutor(max_workers=20) as ex:
            rs = list(ex.map(lambda p: self.book(self.at(9, 0), self.at(10, 0), pid=p), pids))
        won = [r for r in rs if r.status == 201]
        self.assertEqual(len(won), 1, [r.status for r in rs])
        for r in rs:
            if r.status != 201:
                self.assertError(r, 409, "conflict")
                d = r.json["error"]
                self.assertEqual((d["rule"], d["held_from_us"], d["held_until_us"]),
                                 ("VENUE-OVERLAP", self.at(9), self.at(10, 30)))
                self.assertNotIn("project", r.json["error"]["message"])  # whose it is stays unsaid
                self.assertNotIn("project_id", r.json["error"])
        rows = self.srv.sql("SELECT COUNT(*), COUNT(DISTINCT booking_id) FROM venue_slots")
        self.assertEqual(rows, [["90", "1"]])  # 60 minutes and the 30-minute buffer, one holder

    def test_every_boundary_of_a_booking_has_its_rule(self):
        cases = [
            (self.at(9), self.at(9), "VENUE-SPAN"),
            (self.at(10), self.at(9), "VENUE-SPAN"),
            (self.at(9) + 1, self.at(10), "VENUE-UNIT"),
            (self.at(8, 29), self.at(10), "VENUE-HOURS"),
            (self.at(17), self.at(18, 1), "VENUE-HOURS"),
            (self.at(17), self.at(9, day=1), "VENUE-HOURS"),
            (self.at(9, day=-3), self.at(10, day=-3), "VENUE-PAST"),
        ]
        for start, end, rule in cases:
            r = self.book(start, end)
            self.assertError(r, 422, "rule_violation")
            self.assertEqual(r.json["error"]["rule"], rule, (start, end))
        r = self.book(self.at(9), self.at(10), room=self.eval_room)
        self.assertEqual(r.json["error"]["rule"], "VENUE-KIND")
        r = self.book(self.at(9), self.at(10), people=41)
        self.assertEqual(r.json["error"]["rule"], "VENUE-CAPACITY")
        r = self.book(self.at(9), self.at(10), lots=(3,))
        self.assertEqual(r.json["error"]["rule"], "VENUE-LOTS")
        # the whole opening hours are bookable: 08:30 to 18:00
        self.assertEqual(self.book(self.at(8, 30), self.at(12)).status, 201)
        # touching: the next booking may begin once the 30-minute setup buffer has passed
        self.assertEqual(self.book(self.at(12, 29), self.at(13), lots=(2,)).json["error"]["rule"],
                         "VENUE-OVERLAP")
        self.assertEqual(self.book(self.at(12, 30), self.at(18), lots=(2,)).status, 201)

    def test_evaluation_rooms_are_booked_after_the_opening_and_shown_to_the_public_as_occupied(self):
        r = self.book(self.at(9), self.at(10), room=self.eval_room, purpose="evaluation", people=7)
        self.assertEqual(r.json["error"]["rule"], "VENUE-AFTER-OPENING")
        self.assertEqual(self.book(self.at(9), self.at(10)).status, 201)
        r = self.book(self.at(9, 30), self.at(12), room=self.eval_room, purpose="evaluation", people=7)
        self.assertEqual(r.json["error"]["rule"], "VENUE-AFTER-OPENING")
        r = self.book(self.at(10), self.at(12), room=self.eval_room, purpose="evaluation", people=10)
        self.assertEqual(r.json["error"]["rule"], "VENUE-CAPACITY")
        r = self.book(self.at(10), self.at(12), room=self.eval_room, purpose="evaluation", people=7)
        self.assertEqual(r.status, 201, r)
        day = "%s" % self.local_date(self.day0)
        q = "/api/v1/venues/calendar?site=%d&day=%s" % (self.site["id"], day)
        for tok in (None, self.bidder_tok):
            cal = self.srv.request("GET", q, token=tok).json
            ev = [x for x in cal["rooms"] if x["id"] == self.eval_room["id"]][0]
            self.assertEqual(ev["bookings"], [{"start_us": self.at(10), "end_us": self.at(12),
                                               "status": "occupied"}])
        cal = self.srv.request("GET", q, token=self.sup_tok).json
        ev = [x for x in cal["rooms"] if x["id"] == self.eval_room["id"]][0]
        self.assertEqual((ev["bookings"][0]["project_id"], ev["bookings"][0]["purpose"]), (self.pid, "evaluation"))
        # another agency sees neither the booking nor the project's list
        other = self.make_org(self.admin, "agency")
        _, other_tok = self.make_user(self.admin, other["id"], "agent")
        bid = ev["bookings"][0]["id"]
        self.assertError(self.srv.request("GET", "/api/v1/venues/bookings/%d" % bid, token=other_tok), 404, "not_found")
        lst = self.srv.request("GET", "/api/v1/venues/bookings?project=%d" % self.pid, token=other_tok).json
        self.assertEqual(lst["items"], [])
        self.assertEqual(len(self.srv.request("GET", "/api/v1/venues/bookings?project=%d" % self.pid,
                                              token=self.agent_tok).json["items"]), 2)

    @staticmethod
    def local_date(t_us):
        import datetime
        return datetime.datetime.fromtimestamp((t_us + UTC8) / 1e6, datetime.timezone.utc).strftime("%Y-%m-%d")

    def test_a_room_with_bookings_to_come_is_not_retired_and_a_room_out_of_service_takes_none(self):
        b = self.book(self.at(9), self.at(10)).json
        room = "/api/v1/venues/rooms/%d/state" % self.opening_room["id"]
        r = self.srv.request("POST", room, {"state": "retired", "reason": "装修"}, token=self.admin)
        self.assertError(r, 409, "conflict")
        self.assertEqual(r.json["error"]["rule"], "VENUE-ROOM-BOOKED")
        self.assertEqual([x["id"] for x in r.json["error"]["bookings"]], [b["id"]])
        r = self.srv.request("POST", room, {"state": "maintenance", "reason": "投影仪故障"}, token=self.admin)
        self.assertEqual(r.json["state"], "maintenance")
        r = self.book(self.at(14), self.at(15), lots=(2,))
        self.assertError(r, 409, "conflict")
        self.assertEqual(r.json["error"]["rule"], "VENUE-ROOM-STATE")
        r = self.srv.request("POST", "/api/v1/venues/bookings/%d/cancel" % b["id"], {"reason": "改期"},
                             token=self.agent_tok)
        self.assertEqual(r.json["state"], "cancelled")
        r = self.srv.request("POST", room, {"state": "retired", "reason": "装修"}, token=self.admin)
        self.assertEqual(r.json["state"], "retired")
        r = self.srv.request("POST", room, {"state": "open"}, token=self.admin)
        self.assertError(r, 409, "invalid_transition")

    def test_every_change_is_in_the_audit_log_with_its_actor(self):
        b = self.book(self.at(9), self.at(10)).json
        self.srv.request("POST", "/api/v1/venues/bookings/%d/decision" % b["id"], {"approve": True}, token=self.admin)
        self.srv.wait_sequenced()
        rows = self.srv.sql("SELECT action, object_type FROM audit_entries WHERE action LIKE 'venue.%' ORDER BY idx")
        self.assertEqual([r[0] for r in rows], ["venue.site.create", "venue.room.create", "venue.room.create",
                                                "venue.booking.request", "venue.booking.decide"])


class AutoApprovalTest(VenueFixture):
    server_args = {"conf": {"venues.approval": "auto", "venues.buffer_minutes": "0"}}

    def test_with_the_auto_policy_a_booking_is_approved_at_once_and_touching_bookings_fit(self):
        self.assertEqual(self.book(self.at(9), self.at(10)).json["state"], "approved")
        self.assertEqual(self.book(self.at(10), self.at(11), lots=(2,)).status, 201)
        self.assertEqual(self.book(self.at(10, 59), self.at(12), lots=(2,), pid=self.project()).status, 409)


class AnnouncedOpeningTest(VenueFixture):
    """The opening happens where and when the announcement says (招标投标法 第三十四条)."""

    def setUp(self):
        super().setUp()
        self.make_opening_keys(self.pid, 2, self.agent_tok)
        self.deadline = self.at(10, day=25)

    def approve(self, b):
        r = self.srv.request("POST", "/api/v1/venues/bookings/%d/decision" % b["id"], {"approve": True},
                             token=self.admin)
        self.assertEqual(r.status, 200, r)
        return r.json

    def tender(self):
        now = self.server_now()
        r = self.srv.request("POST", "/api/v1/projects/%d/announcements" % self.pid, {
            "type": "tender", "title": "招标公告", "body": "……", "docs_from_us": now + 60 * 10**6,
            "docs_until_us": now + 7 * DAY, "bid_deadline_us": self.deadline, "opening_us": self.deadline},
            token=self.agent_tok)
        self.assertEqual(r.status, 201, r)
        return r.json["id"]

    def publish(self, aid):
        return self.srv.request("POST", "/api/v1/announcements/%d/publish" % aid, token=self.agent_tok)

    def published(self):
        aid = self.tender()
        b = self.approve(self.book(self.deadline, self.deadline + 2 * HOUR, lots=(1, 2), people=30).json)
        r = self.publish(aid)
        self.assertEqual(r.status, 200, r)
        return aid, b

    def amend(self, aid, when):
        r = self.srv.request("POST", "/api/v1/projects/%d/announcements" % self.pid, {
            "type": "amendment", "amends_id": aid, "title": "变更公告", "body": "顺延",
            "bid_deadline_us": when, "opening_us": when}, token=self.agent_tok)
        self.assertEqual(r.status, 201, r)
        return r.json["id"], self.publish(r.json["id"])

    def assertRule(self, r, status, rule, text=None):
        self.assertEqual((r.status, r.json["error"].get("rule")), (status, rule), r)
        if text:
            self.assertIn(text, r.json["error"]["message"])

    def test_a_tender_is_published_only_with_an_approved_room_at_its_deadline_and_states_that_room(self):
        aid = self.tender()
        self.assertRule(self.publish(aid), 422, "ANN-OPENING-VENUE", "no opening room booked")
        wrong = self.approve(self.book(self.deadline + HOUR, self.deadline + 2 * HOUR, lots=(1, 2)).json)
        self.assertRule(self.publish(aid), 422, "ANN-OPENING-VENUE", "not at the opening time")
        self.srv.request("POST", "/api/v1/venues/bookings/%d/cancel" % wrong["id"], {"reason": "改"}, token=self.agent_tok)
        b = self.book(self.deadline, self.deadline + 2 * HOUR, lots=(1,)).json
        self.assertRule(self.publish(aid), 422, "ANN-OPENING-VENUE", "awaits the center's approval")
        self.approve(b)
        self.assertRule(self.publish(aid), 422, "ANN-OPENING-VENUE", "lot 2")  # every lot has its room
        self.approve(self.book(self.deadline, self.deadline + HOUR, lots=(2,), room=self.room("第二开标室", "opening", 20)).json)
        r = self.publish(aid)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["opening_place"], "市公共资源交易中心 第一开标室（某市某区某路 1 号）；"
                                                  "市公共资源交易中心 第二开标室（某市某区某路 1 号）")
        content = self.srv.request("GET", "/api/v1/public/announcements/%d/signature" % aid).json["content"]
        self.assertIn("第一开标室", content)  # the place is in what the platform signed
        self.srv.wait_sequenced()
        import json as _json
        entry = self.srv.sql("SELECT CAST(entry AS CHAR) FROM audit_entries WHERE action = 'announce.publish'")
        venues = _json.loads(entry[0][0])["payload"]["opening_venues"]
        self.assertEqual(sorted((v["lot"], v["start_us"]) for v in venues), [(1, self.deadline), (2, self.deadline)])

    def test_an_opening_room_an_announcement_states_is_never_cancelled(self):
        aid, b = self.published()
        got = self.srv.request("GET", "/api/v1/venues/bookings/%d" % b["id"], token=self.agent_tok).json
        self.assertEqual(got["announced_by"], aid)
        for tok in (self.agent_tok, self.admin):  # neither the agent nor the center
            r = self.srv.request("POST", "/api/v1/venues/bookings/%d/cancel" % b["id"], {"reason": "不开了"}, token=tok)
            self.assertRule(r, 409, "VENUE-ANNOUNCED")
        self.assertEqual(self.srv.request("GET", "/api/v1/venues/bookings/%d" % b["id"], token=self.admin).json["state"],
                         "approved")

    def test_a_typed_place_that_is_not_the_booked_room_is_refused(self):
        aid = self.tender()
        self.srv.sql("UPDATE announcements SET opening_place = '别处' WHERE id = %d" % aid)
        self.approve(self.book(self.deadline, self.deadline + 2 * HOUR, lots=(1, 2)).json)
        self.assertRule(self.publish(aid), 422, "ANN-OPENING-VENUE", "the booked room's")

    def test_an_amendment_moving_the_deadline_moves_the_opening_room_with_it_or_is_refused(self):
        aid, b = self.published()
        later = self.deadline + 2 * DAY
        other = self.project()
        taken = self.book(later - HOUR, later + HOUR, pid=other).json  # the room is taken then
        draft, r = self.amend(aid, later)
        self.assertRule(r, 409, "VENUE-OVERLAP")
        self.assertNotIn("project", r.json["error"]["message"])  # the span, not whose it is
        got = self.srv.request("GET", "/api/v1/venues/bookings/%d" % b["id"], token=self.admin).json
        self.assertEqual(got["start_us"], self.deadline)  # nothing moved
        self.assertEqual(self.srv.request("GET", "/api/v1/announcements/%d" % draft, token=self.agent_tok).json["state"], "draft")
        self.srv.request("POST", "/api/v1/venues/bookings/%d/cancel" % taken["id"], {"reason": "让"}, token=self.agent_tok)
        _, r = self.publish_again(draft)
        self.assertEqual(r.status, 200, r)
        got = self.srv.request("GET", "/api/v1/venues/bookings/%d" % b["id"], token=self.admin).json
        self.assertEqual((got["start_us"], got["end_us"]), (later, later + 2 * HOUR))
        rows = self.srv.sql("SELECT MIN(minute) * 60000000, COUNT(*) FROM venue_slots WHERE booking_id = %d" % b["id"])
        self.assertEqual(rows, [[str(later), "150"]])

    def publish_again(self, draft):
        return draft, self.publish(draft)

    def test_relocation_moves_every_booking_to_an_equivalent_room_or_none(self):
        aid, b = self.published()
        spare = self.room("备用开标室", "opening", 40)
        blocker = self.approve(self.book(self.deadline, self.deadline + HOUR, room=spare, pid=self.project()).json)
        reloc = "/api/v1/venues/rooms/%d/relocate" % self.opening_room["id"]
        self.assertError(self.srv.request("POST", reloc, {"reason": "停电"}, token=self.agent_tok), 403, "forbidden")
        r = self.srv.request("POST", reloc, {"reason": "停电"}, token=self.admin)
        self.assertRule(r, 409, "VENUE-NO-ROOM")
        self.assertEqual(r.json["error"]["booking_id"], b["id"])
        self.assertEqual(self.srv.request("GET", "/api/v1/venues/rooms/%d" % self.opening_room["id"]).json["state"], "open")
        self.srv.request("POST", "/api/v1/venues/bookings/%d/cancel" % blocker["id"], {"reason": "让"}, token=self.admin)
        r = self.srv.request("POST", reloc, {"reason": "停电"}, token=self.admin)
        self.assertEqual(r.status, 200, r)
        self.assertEqual([(m["booking_id"], m["to_room_id"]) for m in r.json["moves"]], [(b["id"], spare["id"])])
        self.assertEqual(self.srv.request("GET", "/api/v1/venues/rooms/%d" % self.opening_room["id"]).json["state"],
                         "maintenance")
        d = r.json["drafted"]
        self.assertEqual([x["project_id"] for x in d], [self.pid])
        ann = self.srv.request("GET", "/api/v1/announcements/%d" % d[0]["announcement_id"], token=self.agent_tok).json
        self.assertEqual((ann["type"], ann["amends_id"], ann["state"]), ("amendment", aid, "draft"))
        self.assertIn("备用开标室", ann["opening_place"])
        self.assertIn("第一开标室", ann["body"])
        # the agency is told where its session now is; nobody else is told of this project
        told = [m for m in self.srv.request("GET", "/api/v1/me/inbox", token=self.agent_tok).json["items"]
                if m["kind"] == "venue.booking.moved"]
        self.assertEqual(len(told), 1, told)
        self.assertIn("备用开标室", told[0]["body"])
        self.assertIn("停电", told[0]["body"])
        self.assertEqual([m for m in self.srv.request("GET", "/api/v1/me/inbox", token=self.bidder_tok).json["items"]
                          if m["kind"].startswith("venue.")], [])  # it has no bid in the project
        self.srv.wait_sequenced()
        rows = self.srv.sql("SELECT COUNT(*) FROM audit_entries WHERE action = 'venue.room.relocate'")
        self.assertEqual(rows, [["1"]])  # the refused attempt left nothing


class CalendarExportTest(VenueFixture):
    def test_room_and_agency_calendars_are_valid_icalendar_and_the_public_sees_only_occupied(self):
        import icalendar
        self.book(self.at(9), self.at(10))
        self.book(self.at(10), self.at(12), room=self.eval_room, purpose="evaluation", people=7)
        other = self.make_org(self.admin, "agency")
        _, other_tok = self.make_user(self.admin, other["id"], "agent")

        def get(path, tok=None):
            r = self.srv.request("GET", path, token=tok)
            self.assertEqual(r.status, 200, r)
            self.assertTrue(r.header("Content-Type").startswith("text/calendar"), r)
            raw = r.raw
            for line in raw.split(b"\r\n"):
                self.assertLessEqual(len(line), 75)  # folded (RFC 5545 §3.1)
            self.assertNotIn(b"\n", raw.replace(b"\r\n", b""))
            return [e for e in icalendar.Calendar.from_ical(raw).walk("VEVENT")]

        room = "/api/v1/venues/rooms/%d/calendar.ics" % self.eval_room["id"]
        for tok in (None, self.bidder_tok, other_tok):
            ev = get(room, tok)
            self.assertEqual([str(e["SUMMARY"]) for e in ev], ["占用 occupied"])
            self.assertNotIn("DESCRIPTION", ev[0])
            self.assertEqual(int(ev[0].decoded("DTSTART").timestamp() * 10**6), self.at(10))
            self.assertEqual(int(ev[0].decoded("DTEND").timestamp() * 10**6), self.at(12))
        ev = get(room, self.sup_tok)
        self.assertIn("project %d" % self.pid, str(ev[0]["SUMMARY"]))
        ev = get("/api/v1/venues/bookings.ics", self.agent_tok)
        self.assertEqual(len(ev), 2)
        self.assertEqual(str(ev[0]["STATUS"]), "TENTATIVE")
        self.assertEqual(get("/api/v1/venues/bookings.ics", other_tok), [])
        self.assertError(self.srv.request("GET", "/api/v1/venues/bookings.ics", token=self.bidder_tok), 403, "forbidden")


class RecordingTest(VenueFixture):
    """Each room's recorder registers its recordings, signed by its own certified key; a booking
    that ended without a complete recording raises a warning supervisors see."""

    def setUp(self):
        super().setUp()
        me = self.srv.request("GET", "/api/v1/me", token=self.admin).json
        self.center = self.srv.request("GET", "/api/v1/orgs/%d" % me["org_id"], token=self.admin).json
        self.b1 = self.book(self.at(9), self.at(10)).json
        self.b2 = self.book(self.at(11), self.at(12), lots=(2,)).json
        for b in (self.b1, self.b2):
            self.srv.request("POST", "/api/v1/venues/bookings/%d/decision" % b["id"], {"approve": True}, token=self.admin)

    def recorder(self, room=None, side="device", proof_room=None, expect=201):
        from cryptography import x509
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        import hashlib
        room = room or self.opening_room
        key = ec.generate_private_key(ec.SECP256R1())
        cert = issue_cert(key.public_key(), self.center["credit_code"], side, name="开标室录像系统")
        der = x509.load_pem_x509_certificate(cert.encode()).public_bytes(serialization.Encoding.DER)
        proof = sign_act(key, "ggzy-recorder-register-v1", {
            "certificate_sha256": hashlib.sha256(der).hexdigest(), "platform": "ggzy.test",
            "room_id": proof_room or room["id"]})
        r = self.srv.request("POST", "/api/v1/venues/rooms/%d/recorders" % room["id"],
                             {"certificate": cert, "proof": proof, "label": "录像一号"}, token=self.admin)
        self.assertEqual(r.status, expect, r)
        return key, r

    def register(self, key, key_id, booking, start, end, sha="ab" * 32, signed_us=None, room=None, **over):
        f = {"booking_id": booking["id"] if booking else 0, "end_us": end, "platform": "ggzy.test",
             "recorder_key_id": key_id, "room_id": (room or self.opening_room)["id"], "sha256": sha,
             "signed_us": signed_us if signed_us is not None else self.server_now(), "size": 123456789,
             "start_us": start, "storage_ref": "nas://room1/2026/rec-0001.mp4"}
        sig = sign_act(key, "ggzy-recording-v1", f)
        body = {k: v for k, v in f.items() if k != "platform"}
        if not booking:
            del body["booking_id"]
        body.update(over)
        body["signature"] = sig
        return self.srv.request("POST", "/api/v1/venues/recordings", body)

    def clock(self, t):
        r = self.srv.request("POST", "/api/v1/test/clock", {"set_us": t})
        self.assertEqual(r.status, 200, r)
        self.admin = self.srv.admin_token()  # sessions made at another time have expired
        self.agent_tok = self.srv.login(self.agent["username"], "user-password-1")
        self.sup_tok = self.srv.login(self.sup["username"], "user-password-1")

    def test_a_recorder_is_a_certified_device_bound_to_its_room(self):
        _, r = self.recorder(side="bidder", expect=422)
        self.assertEqual(r.json["error"]["rule"], "KEY-CERT-SIDE")
        _, r = self.recorder(proof_room=self.eval_room["id"], expect=422)
        self.assertEqual(r.json["error"]["rule"], "VENUE-RECORDER-PROOF")
        key, r = self.recorder()
        self.assertEqual((r.json["room_id"], r.json["state"]), (self.opening_room["id"], "active"))
        self.assertError(self.srv.request("POST", "/api/v1/venues/rooms/%d/recorders" % self.opening_room["id"],
                                          {"certificate": "x", "proof": "y"}, token=self.agent_tok), 403, "forbidden")
        lst = self.srv.request("GET", "/api/v1/venues/rooms/%d/recorders" % self.opening_room["id"], token=self.sup_tok)
        self.assertEqual([x["key_id"] for x in lst.json["items"]], [r.json["key_id"]])

    def test_a_signed_registration_is_checked_idempotent_and_replay_proof(self):
        key, rec = self.recorder()
        kid = rec.json["key_id"]
        self.clock(self.at(10, 5))
        r = self.register(key, kid, self.b1, self.at(9), self.at(10))
        self.assertEqual(r.status, 201, r)
        first = r.json
        self.assertEqual((first["booking_id"], first["sha256"]), (self.b1["id"], "ab" * 32))
        # 15 years' archive (政府采购法 第四十二条 for procurement; the configured default for all)
        self.assertEqual(first["retain_until_us"], self.at(10) + 15 * 31557600 * 10**6)
        # the same registration again: the same recording, no second entry
        again = self.register(key, kid, self.b1, self.at(9), self.at(10))
        self.assertEqual((again.status, again.json["id"]), (200, first["id"]))
        # the same file with other details: refused
        r = self.register(key, kid, self.b1, self.at(9), self.at(10, 1))
        self.assertEqual((r.status, r.json["error"]["rule"]), (409, "VENUE-RECORDING-CONFLICT"))
        # a stale signature (a replay of an old registration): refused
        r = self.register(key, kid, self.b1, self.at(9), self.at(10), sha="cd" * 32,
                          signed_us=self.server_now() - 301 * 10**6)
        self.assertEqual((r.status, r.json["error"]["rule"]), (422, "VENUE-SIGNED-TIME"))
        # a field changed after signing, or another key's signature: refused
        r = self.register(key, kid, self.b1, self.at(9), self.at(10), sha="cd" * 32, size=1)
        self.assertEqual((r.status, r.json["error"]["rule"]), (422, "VENUE-SIGNATURE"))
        other, _ = self.recorder(room=self.eval_room)
        r = self.register(other, kid, self.b1, self.at(9), self.at(10), sha="cd" * 32)
        self.assertEqual((r.status, r.json["error"]["rule"]), (422, "VENUE-SIGNATURE"))
        # a recorder speaks for its own room only
        r = self.register(key, kid, None, self.at(9), self.at(10), sha="ef" * 32, room=self.eval_room)
        self.assertEqual((r.status, r.json["error"]["rule"]), (403, "VENUE-RECORDER-KEY"))
        # a booking of another room, or a span outside the booking
        r = self.register(key, kid, self.b2, self.at(9), self.at(10), sha="ef" * 32)
        self.assertEqual((r.status, r.json["error"]["rule"]), (422, "VENUE-RECORDING-BOOKING"))
        # revoked: it registers nothing more
        self.srv.request("POST", "/api/v1/venues/recorders/%d/revoke" % rec.json["id"], token=self.admin)
        r = self.register(key, kid, self.b1, self.at(9), self.at(10), sha="ef" * 32)
        self.assertEqual((r.status, r.json["error"]["rule"]), (403, "VENUE-RECORDER-KEY"))
        self.srv.wait_sequenced()
        rows = self.srv.sql("SELECT CAST(entry AS CHAR) FROM audit_entries WHERE action = 'venue.recording.register'")
        self.assertEqual(len(rows), 1)
        import json as _json
        e = _json.loads(rows[0][0])
        self.assertEqual(e["actor"]["role"], "device")
        self.assertEqual(e["payload"]["signed"]["fields"]["sha256"], "ab" * 32)
        self.assertEqual(e["payload"]["signed"]["signer"]["side"], "device")
        got = self.srv.request("GET", "/api/v1/venues/bookings/%d/recordings" % self.b1["id"], token=self.agent_tok).json
        self.assertEqual(([x["id"] for x in got["items"]], got["complete"]), ([first["id"]], True))

    def test_a_booking_that_ended_without_a_complete_recording_raises_a_warning(self):
        key, rec = self.recorder()
        kid = rec.json["key_id"]
        self.clock(self.at(10, 5))
        self.assertEqual(self.register(key, kid, self.b1, self.at(9), self.at(10)).status, 201)
        # booking 2 has half of its hour recorded
        self.clock(self.at(12, 5))
        self.assertEqual(self.register(key, kid, self.b2, self.at(11), self.at(11, 30), sha="12" * 32).status, 201)
        self.clock(self.at(13, 30))  # past the 60-minute grace after both ends
        import time
        deadline = time.time() + 15
        items = []
        while time.time() < deadline:
            items = self.srv.request("GET", "/api/v1/venues/warnings", token=self.sup_tok).json["items"]
            if items:
                break
            time.sleep(0.2)
        self.assertEqual([(w["booking_id"], w["kind"]) for w in items], [(self.b2["id"], "recording_missing")])
        self.assertError(self.srv.request("GET", "/api/v1/venues/warnings", token=self.agent_tok), 403, "forbidden")
        self.srv.wait_sequenced()
        rows = self.srv.sql("SELECT CAST(entry AS CHAR) FROM audit_entries WHERE action = 'venue.recording.missing'")
        import json as _json
        self.assertEqual([_json.loads(x[0])["actor"]["name"] for x in rows], ["system:venue-monitor"])


class AttendanceTest(VenueFixture):
    """Each sign-in is a statement signed by the person's certified key; the center's witness
    keeps a signed log per session."""

    def setUp(self):
        super().setUp()
        self.opening = self.book(self.at(9), self.at(10)).json
        self.srv.request("POST", "/api/v1/venues/bookings/%d/decision" % self.opening["id"], {"approve": True},
                         token=self.admin)
        self.evaluation = self.book(self.at(10), self.at(12), room=self.eval_room, purpose="evaluation", people=7).json
        self.srv.request("POST", "/api/v1/venues/bookings/%d/decision" % self.evaluation["id"], {"approve": True},
                         token=self.admin)

    def clock(self, t):
        self.assertEqual(self.srv.request("POST", "/api/v1/test/clock", {"set_us": t}).status, 200)
        self.admin = self.srv.admin_token()
        self.agent_tok = self.srv.login(self.agent["username"], "user-password-1")
        self.sup_tok = self.srv.login(self.sup["username"], "user-password-1")
        self.bidder_tok = self.srv.login(self.bidder["username"], "user-password-1")

    def sign_in(self, token, key, key_id, booking, mode="in_room", signed_us=None, user_id=None):
        me = self.srv.request("GET", "/api/v1/me", token=token).json
        f = {"booking_id": booking["id"], "mode": mode, "platform": "ggzy.test",
             "signed_us": signed_us if signed_us is not None else self.server_now(),
             "user_id": user_id or me["id"]}
        return self.srv.request("POST", "/api/v1/venues/bookings/%d/attendance" % booking["id"], {
            "mode": mode, "key_id": key_id, "signed_us": f["signed_us"],
            "signature": sign_act(key, "ggzy-attendance-v1", f)}, token=token)

    def rule(self, r, status, rule):
        self.assertEqual((r.status, r.json["error"].get("rule")), (status, rule), r)

    def test_a_sign_in_is_a_signed_statement_of_who_came_when_and_how(self):
        self.clock(self.at(7, 50))
        akey, ar = self.register_key(self.agent_tok)
        aid = ar.json["key_id"]
        self.rule(self.sign_in(self.agent_tok, akey, aid, self.opening), 422, "VENUE-ATTENDANCE-TIME")
        self.clock(self.at(8, 30))
        self.rule(self.sign_in(self.agent_tok, akey, aid, self.opening, signed_us=self.server_now() - 301 * 10**6),
                  422, "VENUE-SIGNED-TIME")
        self.rule(self.sign_in(self.agent_tok, akey, aid, self.opening, user_id=1), 422, "VENUE-SIGNATURE")
        skey, sr = self.register_key(self.sup_tok)
        self.rule(self.sign_in(self.agent_tok, skey, sr.json["key_id"], self.opening), 422, "VENUE-SIGNER-KEY")
        r = self.sign_in(self.agent_tok, akey, aid, self.opening, mode="online")  # 不见面开标
        self.assertEqual(r.status, 201, r)
        self.assertEqual((r.json["mode"], r.json["role"]), ("online", "agent"))
        self.rule(self.sign_in(self.agent_tok, akey, aid, self.opening), 409, "VENUE-SIGNED-IN")
        # a bidder without a bid for the opening's lots is no party of it (test_opening signs
        # the lot's bidders in); the evaluation is closed: no bidder, and nobody online
        bkey, br = self.register_key(self.bidder_tok)
        bid = br.json["key_id"]
        r = self.sign_in(self.bidder_tok, bkey, bid, self.opening)
        self.rule(r, 403, "VENUE-ATTENDEE")
        self.assertIn("no current bid", r.json["error"]["message"])
        self.rule(self.sign_in(self.bidder_tok, bkey, bid, self.evaluation), 403, "VENUE-ATTENDEE")
        # an expert who is not a confirmed member of the session's committee does not sit in it
        # (test_experts signs a drawn member in)
        expert, expert_tok = self.make_user(self.admin, self.make_org(self.admin, "bidder")["id"], "expert")
        self.clock(self.at(9, 30))  # an hour before the evaluation
        expert_tok = self.srv.login(expert["username"], "user-password-1")
        r = self.sign_in(expert_tok, bkey, bid, self.evaluation)
        self.rule(r, 403, "VENUE-ATTENDEE")
        self.assertIn("committee", r.json["error"]["message"])
        self.rule(self.sign_in(self.sup_tok, skey, sr.json["key_id"], self.evaluation, mode="online"),
                  403, "VENUE-ATTENDANCE-MODE")
        self.assertEqual(self.sign_in(self.sup_tok, skey, sr.json["key_id"], self.evaluation).status, 201)
        # who attended the opening is known to its parties; who sat in the evaluation to staff
        lst = self.srv.request("GET", "/api/v1/venues/bookings/%d/attendance" % self.opening["id"],
                               token=self.bidder_tok).json
        self.assertEqual([(a["user_id"], a["mode"]) for a in lst["items"]], [(self.agent["id"], "online")])
        self.assertError(self.srv.request("GET", "/api/v1/venues/bookings/%d/attendance" % self.evaluation["id"],
                                          token=self.agent_tok), 404, "not_found")
        lst = self.srv.request("GET", "/api/v1/venues/bookings/%d/attendance" % self.evaluation["id"],
                               token=self.sup_tok).json
        self.assertEqual([a["role"] for a in lst["items"]], ["supervisor"])
        self.srv.wait_sequenced()
        import json as _json
        rows = self.srv.sql("SELECT CAST(entry AS CHAR) FROM audit_entries WHERE action = 'venue.attendance' ORDER BY idx")
        e = _json.loads(rows[0][0])
        self.assertEqual((e["project_id"], e["payload"]["signed"]["fields"]["mode"]), (self.pid, "online"))
        self.assertEqual(e["payload"]["signed"]["signer"]["side"], "agent")

    def test_the_center_keeps_a_signed_witness_log_per_session(self):
        self.clock(self.at(9, 5))
        akey, ar = self.register_key(self.admin)
        kid = ar.json["key_id"]
        me = self.srv.request("GET", "/api/v1/me", token=self.admin).json

        def witness(text, recordings=(), tok=None, key=akey):
            f = {"booking_id": self.opening["id"], "platform": "ggzy.test", "recordings": list(recordings),
                 "signed_us": self.server_now(), "text": text, "user_id": me["id"]}
            return self.srv.request("POST", "/api/v1/venues/bookings/%d/witness" % self.opening["id"], {
                "text": text, "recordings": list(recordings), "key_id": kid, "signed_us": f["signed_us"],
                "signature": sign_act(key, "ggzy-witness-v1", f)}, token=tok or self.admin)

        r = witness("09:00 开标开始，投标人代表 3 名到场")
        self.assertEqual(r.status, 201, r)
        self.rule(witness("录像见附", recordings=(99,)), 422, "VENUE-WITNESS-RECORDING")
        self.assertError(witness("代记", tok=self.agent_tok), 403, "forbidden")
        lst = self.srv.request("GET", "/api/v1/venues/bookings/%d/witness" % self.opening["id"], token=self.sup_tok).json
        self.assertEqual([w["text"] for w in lst["items"]], ["09:00 开标开始，投标人代表 3 名到场"])
