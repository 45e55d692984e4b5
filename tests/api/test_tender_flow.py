"""A tender from entry to `closed` through the real API, nothing made by SQL (issue 26's "done
when"): the project enters and is accepted, its tender announcement declares the evaluation method
and publishes the opening keys, three bidders seal and submit their bids, the opening ceremony
opens them (the second lot, with no bid, fails unopened), the agent moves the project to
evaluation, the committee is drawn for the booked evaluation room and confirms, the tenderer
seats its representative, all sign in there,
pledges, elects its chair, reviews, scores and signs the report; the candidates are publicized,
the tenderer decides the winner after the publicity, the award announcement goes out, the
contract is signed by the tenderer and the winner, and the tenderer's written report closes the
project. Then the project's own timeline replays with no violation at all."""
import os
import time

from harness import sign_act
from test_evaluation import METHOD
from test_experts import PROFILE
from test_opening import DAY, Ceremony

HOUR = 3600 * 10**6
MIN = 60 * 10**6


class TenderToClosedTest(Ceremony):
    evaluation = METHOD

    def signed(self, tok, domain, fields):
        me = self.srv.request("GET", "/api/v1/me", token=tok).json
        cache = self.__dict__.setdefault("_keys", {})
        if me["id"] not in cache:
            k, r = self.register_key(tok)
            cache[me["id"]] = (k, r.json["key_id"])
        k, kid = cache[me["id"]]
        f = dict(fields, user_id=me["id"], platform="ggzy.test", signed_us=self.now_us())
        return {"key_id": kid, "signed_us": f["signed_us"], "signature": sign_act(k, domain, f)}

    def now_us(self):
        return self.srv.request("GET", "/healthz").json["now_us"]

    def ok(self, r, status=200):
        self.assertEqual(r.status, status, r)
        return r.json

    def test_a_tender_goes_from_entry_to_closed_through_the_api_and_replays_clean(self):
        api, admin = self.srv.request, self.admin
        # the bids: three bidders seal and submit for lot 1
        prices = (100000000, 95000000, 102000000)
        for b, price in zip(self.bidders[:3], prices):
            status, j = self.submit(b, self.seal(b, price=price))
            self.assertEqual(status, 201, j)
        # the opening at the deadline: lot 1 opened by two custodians' shares, lot 2 fails unopened
        self.open_lot()
        self.assertEqual(self.ok(self.start_req(self.agent_tok, lot=2))["state"], "failed")
        self.assertEqual(self.ok(api("GET", "/api/v1/projects/%d/lots/1/opening" % self.pid))["state"], "opened")
        self.ok(api("POST", "/api/v1/projects/%d/transitions" % self.pid, {"to": "evaluating"}, token=self.agent_tok))
        # the evaluation room, booked after the opening and approved
        site = self._opening_site["id"]
        room = self.ok(api("POST", "/api/v1/venues/sites/%d/rooms" % site, {
            "name": "评标室", "kind": "evaluation", "capacity": 9, "equipment": ["recording"],
            "opens": "00:00", "closes": "24:00"}, token=admin), 201)
        start = self.deadline + 2 * HOUR
        booking = self.ok(api("POST", "/api/v1/venues/bookings", {
            "room_id": room["id"], "project_id": self.pid, "purpose": "evaluation", "lots": [1],
            "start_us": start, "end_us": start + 3 * HOUR, "people": 9}, token=self.agent_tok), 201)
        self.ok(api("POST", "/api/v1/venues/bookings/%d/decision" % booking["id"], {"approve": True}, token=admin))
        # the library and the draw: two center staff cosign, the supervisor's value seeds it
        employer = self.make_org(admin, "bidder", name="某设计研究院")
        experts = []
        for i in range(8):
            user, tok = self.make_user(admin, employer["id"], "expert")
            self.ok(api("POST", "/api/v1/experts/me", dict(PROFILE, phone="1390000%04d" % i), token=tok), 201)
            self.ok(api("POST", "/api/v1/experts/%d/admit" % user["id"], token=admin))
            experts.append({"user": user, "tok": tok})
        center = api("GET", "/api/v1/me", token=admin).json["org_id"]
        _, staff2 = self.make_user(admin, center, "center_admin")
        self.clock(start - HOUR)
        draw = self.ok(api("POST", "/api/v1/draws", {
            "project_id": self.pid, "booking_id": booking["id"], "owner_reps": 1, "reserves": 2,
            "groups": [{"specialty": "A0101", "count": 4}], "regions": ["110000"]}, token=self.agent_tok), 201)
        for tok in (admin, staff2):
            d = api("GET", "/api/v1/draws/%d" % draw["id"], token=admin).json
            self.ok(api("POST", "/api/v1/draws/%d/cosign" % draw["id"],
                        self.signed(tok, "ggzy-draw-cosign-v1", {"draw_id": draw["id"], "seed_commit": d["seed_commit"]}),
                        token=tok))
        d = api("GET", "/api/v1/draws/%d" % draw["id"], token=admin).json
        body = self.signed(self.sup_tok, "ggzy-draw-entropy-v1", {
            "draw_id": draw["id"], "seed_commit": d["seed_commit"], "pool_sha256": d["pool_sha256"], "value": "v"})
        self.ok(api("POST", "/api/v1/draws/%d/entropy" % draw["id"], dict(body, value="v"), token=self.sup_tok))
        full = api("GET", "/api/v1/draws/%d" % draw["id"], token=admin).json
        drawn = {m["user_id"]: m["pseudonym"] for m in full["members"]}
        members = sorted((dict(e, pseudonym=drawn[e["user"]["id"]]) for e in experts if e["user"]["id"] in drawn),
                         key=lambda e: e["pseudonym"])
        for e in members:
            body = self.signed(e["tok"], "ggzy-draw-answer-v1", {"draw_id": draw["id"], "pseudonym": e["pseudonym"],
                                                                 "accept": True})
            self.ok(api("POST", "/api/v1/experts/me/assignments/%d/answer" % draw["id"], dict(body, accept=True),
                        token=e["tok"]))
        # the session: the tenderer seats its representative in the seat the draw counted
        # (owner_reps, 招标投标法 第三十七条); the members sign in in the room, the agent opens it
        self.clock(start + MIN)
        tenderer_org = api("GET", "/api/v1/projects/%d" % self.pid, token=self.agent_tok).json["tenderer_org_id"]
        rep_user, rep_tok = self.make_user(admin, tenderer_org, "tenderer")
        body = self.signed(rep_tok, "ggzy-evaluation-representative-v1",
                           {"booking_id": booking["id"], "representative_user_id": rep_user["id"]})
        rep = self.ok(api("POST", "/api/v1/evaluations/representatives",
                          dict(body, booking_id=booking["id"], user_id=rep_user["id"]), token=rep_tok), 201)
        members.append({"user": rep_user, "tok": rep_tok, "pseudonym": rep["pseudonym"]})
        for e in members:
            body = self.signed(e["tok"], "ggzy-attendance-v1", {"booking_id": booking["id"], "mode": "in_room"})
            self.ok(api("POST", "/api/v1/venues/bookings/%d/attendance" % booking["id"], dict(body, mode="in_room"),
                        token=e["tok"]), 201)
        ev = self.ok(api("POST", "/api/v1/evaluations", {"booking_id": booking["id"], "lot": 1},
                         token=self.agent_tok), 201)["id"]

        def act(e, kind, payload):
            f = {"evaluation_id": ev, "kind": kind, "payload": payload}
            body = self.signed(e["tok"], "ggzy-evaluation-act-v1", f)
            return self.ok(api("POST", "/api/v1/evaluations/%d/acts" % ev, dict(body, kind=kind, payload=payload),
                               token=e["tok"]), 201)
        view = api("GET", "/api/v1/evaluations/%d" % ev, token=self.sup_tok).json
        bids = [b["bid_id"] for b in view["bids"]]
        # the three bids came from this one machine: the indicator says so (实施条例 第四十条), deciding nothing
        self.assertIn("IND-SAME-CLIENT", [i["code"] for i in view["indicators"]])
        for e in members:
            act(e, "pledge", {"conflict": False})
        for e in members:
            act(e, "chair", {"chair": members[0]["pseudonym"]})
        for kind in ("qualification", "preliminary"):
            for e in members:
                act(e, kind, {"bids": [{"bid_id": b, "pass": True} for b in bids]})
        for e in members:
            act(e, "detailed", {"scores": [{"bid_id": b, "points": {"T": "30", "S": "25.5"}} for b in bids]})
        for e in members:
            s = act(e, "report", {"agree": True})
        self.assertEqual(s["state"], "reported")
        first = s["report"]["candidates"][0]
        # the candidates' publicity, then the tenderer's decision after it
        _, owner = self.make_user(admin, tenderer_org, "tenderer")
        now = self.now_us()
        cand = self.ok(api("POST", "/api/v1/projects/%d/announcements" % self.pid, {
            "type": "candidates", "title": "中标候选人公示", "body": "……", "publicity_from_us": now,
            "publicity_until_us": now + 4 * DAY}, token=self.agent_tok), 201)
        self.ok(api("POST", "/api/v1/announcements/%d/publish" % cand["id"], token=self.agent_tok))
        self.clock(now + 4 * DAY + MIN)
        lots = [{"lot": 1, "bid_id": first}]
        body = self.signed(owner, "ggzy-award-decision-v1", {"lots": lots, "project_id": self.pid})
        self.ok(api("POST", "/api/v1/projects/%d/award" % self.pid, dict(body, lots=lots), token=owner), 201)
        award = self.ok(api("POST", "/api/v1/projects/%d/announcements" % self.pid, {
            "type": "award", "title": "中标结果公告", "body": "……"}, token=self.agent_tok), 201)
        self.ok(api("POST", "/api/v1/announcements/%d/publish" % award["id"], token=self.agent_tok))
        # the contract at the winning price, signed by the tenderer and the winner
        winner_org = [w for w in api("GET", "/api/v1/projects/%d/award" % self.pid, token=owner).json["lots"]][0]["winner"]
        winner = [b for b in self.bidders if b["org"] == winner_org["org_id"]][0]
        doc = "cd" * 32
        fields = {"document_sha256": doc, "lot": 1, "price_fen": winner_org["price_fen"], "project_id": self.pid}
        body = self.signed(owner, "ggzy-contract-v1", fields)
        self.ok(api("POST", "/api/v1/projects/%d/lots/1/contract" % self.pid,
                    dict(body, document_sha256=doc, price_fen=winner_org["price_fen"]), token=owner), 201)
        me = api("GET", "/api/v1/me", token=winner["tok"]).json
        f = dict(fields, user_id=me["id"], platform="ggzy.test", signed_us=self.now_us())
        body = {"key_id": winner["kid"], "signed_us": f["signed_us"], "price_fen": winner_org["price_fen"],
                "document_sha256": doc, "signature": sign_act(winner["key"], "ggzy-contract-v1", f)}
        self.ok(api("POST", "/api/v1/projects/%d/lots/1/contract/sign" % self.pid, body, token=winner["tok"]))
        body = self.signed(owner, "ggzy-result-report-v1", {"project_id": self.pid, "report_sha256": doc})
        self.ok(api("POST", "/api/v1/projects/%d/close" % self.pid, dict(body, report_sha256=doc), token=owner))
        self.assertEqual(api("GET", "/api/v1/projects/%d" % self.pid, token=owner).json["state"], "closed")
        # the project's timeline replays with no violation at all
        self.ok(api("POST", "/api/v1/audit/checkpoints", token=self.sup_tok))
        self.srv.wait_sequenced()
        self.ok(api("POST", "/api/v1/audit/checkpoints", token=self.sup_tok))
        p = self.ggzy("audit", "replay", "--project", str(self.pid), "--vkey", self.vkey(), token=self.sup_tok)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
