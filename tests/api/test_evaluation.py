"""The evaluation session through the real API (docs/evaluation.md): a lot's committee, drawn
and confirmed by the experts module and signed in in the booked evaluation room, pledges, elects
its chair, reviews and scores the opened bids with acts signed by each member's certified key,
and signs the report the platform drafts from the record — the result recomputed here from the
declared method; nobody outside the committee sees a score before the report, a supervisor can
pause the session, and every malformed or out-of-order act is refused with its rule code and
leaves nothing behind."""
import json
import time

from harness import sign_act
from test_experts import HOUR, MIN, ExpertFixture

METHOD = {"method": "comprehensive", "object": "works", "decimals": 1, "price_points": 3000,
          "criteria": [{"code": "T", "name": "技术方案", "max_points": 4000},
                       {"code": "S", "name": "工期与质量", "max_points": 3000}]}
DOMAIN = "ggzy-evaluation-act-v1"


def half_up(x, d):
    return (2 * x + d) // (2 * d)


class EvaluationFixture(ExpertFixture):
    def run_job(self, name, to_us):
        """Move the clock to to_us and wait for the job's next run."""
        def runs():
            r = self.srv.request("GET", "/api/v1/system/jobs", token=self.admin)
            return next(j for j in r.json["items"] if j["name"] == name)["runs"]
        before = runs()
        self.clock(to_us)
        deadline = time.time() + 20
        while runs() <= before and time.time() < deadline:
            time.sleep(0.1)
        self.assertGreater(runs(), before, name + " did not run")

    def evaluated_lot(self, prices=(100000000, 95000000, 102000000), method=METHOD, experts=8,
                      groups=(("A0101", 4),), owner_reps=1, designate=True):
        """A project whose lot 1 was opened with len(prices) bids, a tender announcement declaring
        method, a complete committee of four library experts, the clock at the session's start."""
        self.orgs = [self.make_org(self.admin, "bidder") for _ in prices]
        pid, booking = self.opened_project(self.at(10), self.at(12), bidders=[o["id"] for o in self.orgs])
        self.pid, self.booking = pid, booking
        # the opening as the ceremony leaves it (tests/api/test_opening.py runs the ceremony itself)
        self.srv.sql("INSERT INTO opening_keys (project_id, lot_seq, key_id, public_key, threshold, custodians, "
                     "commitments, created_by, created_us) VALUES (%d, 1, SHA2('%d', 256), REPEAT('k', 65), 2, 3, "
                     "'c', 1, 0)" % (pid, pid))
        self.srv.sql("INSERT INTO openings (opening_key, project_id, lot_seq, state, bids, started_by, started_us, "
                     "completed_us) SELECT id, %d, 1, 'opened', %d, 1, 0, 0 FROM opening_keys WHERE project_id = %d"
                     % (pid, len(prices), pid))
        for o, p in zip(self.orgs, prices):
            self.srv.sql("UPDATE bids SET open_status = 'opened', price_fen = %d, opened_us = 0 WHERE project_id = %d "
                         "AND bidder_org_id = %d" % (p, pid, o["id"]))
        self.bids = {int(r[0]): int(r[1]) for r in self.srv.sql(
            "SELECT bidder_org_id, id FROM bids WHERE project_id = %d" % pid)}
        # the method, declared through a draft (the shape is checked there) and published as the
        # tender announcement publishes it
        r = self.srv.request("POST", "/api/v1/projects/%d/announcements" % pid, {
            "type": "tender", "title": "招标公告", "body": "正文", "evaluation": method}, token=self.agent_tok)
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["evaluation"], method)
        self.srv.sql("UPDATE announcements SET state = 'published', published_us = 1 WHERE id = %d" % r.json["id"])
        self.assertEqual(self.srv.request("POST", "/api/v1/projects/%d/transitions" % pid, {"to": "evaluating"},
                                          token=self.agent_tok).status, 200)
        for _ in range(experts):
            self.expert()
        self.clock(self.at(8))
        draw = self.draw = self.ask(pid, booking, groups=groups, owner_reps=owner_reps).json
        self.cosign(draw, self.admin)
        self.cosign(draw, self.staff2_tok)
        self.assertEqual(self.entropy(draw).status, 200)
        full = self.srv.request("GET", "/api/v1/draws/%d" % draw["id"], token=self.admin).json
        ids = {m["user_id"]: m["pseudonym"] for m in full["members"]}
        self.members = [dict(e, pseudonym=ids[e["user"]["id"]]) for e in self.experts if e["user"]["id"] in ids]
        self.members.sort(key=lambda e: e["pseudonym"])
        self.outsider = [e for e in self.experts if e["user"]["id"] not in ids][0]
        for e in self.members:
            self.assertEqual(self.answer(e, draw["id"], True).status, 200)
        self.clock(self.at(10))
        self.members = [dict(e, tok=x["tok"]) for e in self.members for x in self.experts
                        if x["user"]["id"] == e["user"]["id"]]
        self.outsider = [x for x in self.experts if x["user"]["id"] == self.outsider["user"]["id"]][0]
        # the tenderer's representatives in the seats the draw counted (招标投标法 第三十七条):
        # designated, signed, by the tenderer's people; they sit last
        self.reps = []
        for _ in range(owner_reps if designate else 0):
            self.reps.append(self.designate())
        self.members += self.reps

    def designate(self, booking=None):
        """A tenderer user designated (by itself, signed) as a representative on the committee of
        booking (the fixture's by default): a member dict like the experts'."""
        booking = booking or self.booking
        user, tok = self.make_user(self.admin, self.tenderer["id"], "tenderer")
        body = self.signed(tok, "ggzy-evaluation-representative-v1",
                           {"booking_id": booking, "representative_user_id": user["id"]})
        body.update(booking_id=booking, user_id=user["id"])
        r = self.srv.request("POST", "/api/v1/evaluations/representatives", body, token=tok)
        self.assertEqual(r.status, 201, r)
        return {"user": user, "tok": tok, "pseudonym": r.json["pseudonym"]}

    def sign_in(self, e):
        body = self.signed(e["tok"], "ggzy-attendance-v1", {"booking_id": self.booking, "mode": "in_room"})
        body["mode"] = "in_room"
        r = self.srv.request("POST", "/api/v1/venues/bookings/%d/attendance" % self.booking, body, token=e["tok"])
        self.assertEqual(r.status, 201, r)

    def act(self, e, ev, kind, payload, key=None, signed_us=None):
        me = self.srv.request("GET", "/api/v1/me", token=e["tok"]).json
        cache = self.__dict__.setdefault("_keys", {})
        if me["id"] not in cache:
            k, r = self.register_key(e["tok"])
            cache[me["id"]] = (k, r.json["key_id"])
        k, kid = cache[me["id"]]
        f = {"evaluation_id": ev, "kind": kind, "payload": payload, "platform": "ggzy.test",
             "signed_us": signed_us or self.server_now(), "user_id": me["id"]}
        return self.srv.request("POST", "/api/v1/evaluations/%d/acts" % ev, {
            "kind": kind, "payload": payload, "key_id": kid, "signed_us": f["signed_us"],
            "signature": sign_act(key or k, DOMAIN, f)}, token=e["tok"])

    def open(self):
        return self.srv.request("POST", "/api/v1/evaluations", {"booking_id": self.booking, "lot": 1},
                                token=self.agent_tok)


class SessionFlowTest(EvaluationFixture):
    def test_a_committee_pledges_elects_reviews_scores_and_signs_the_report_the_platform_drafts(self):
        self.evaluated_lot()
        # not before every member signed in in the room
        self.rule(self.open(), 409, "EVAL-SIGN-IN")
        for e in self.members:
            self.sign_in(e)
        r = self.open()
        self.assertEqual(r.status, 201, r)
        ev = r.json["id"]
        self.assertEqual((r.json["step"], r.json["state"]), ("pledge", "open"))
        self.assertEqual(sorted(b["price_fen"] for b in r.json["bids"]), [95000000, 100000000, 102000000])
        self.rule(self.open(), 409, "EVAL-EXISTS")
        a, b, c, d, rep = self.members  # four drawn experts and the tenderer's representative
        # out of order, outside the committee, with another key: refused, nothing kept
        self.rule(self.act(a, ev, "chair", {"chair": a["pseudonym"]}), 409, "EVAL-STEP")
        self.assertEqual(self.act(self.outsider, ev, "pledge", {"conflict": False}).status, 404)
        from cryptography.hazmat.primitives.asymmetric import ec
        self.rule(self.act(a, ev, "pledge", {"conflict": False}, key=ec.generate_private_key(ec.SECP256R1())),
                  422, "EVAL-SIGNATURE")
        self.rule(self.act(a, ev, "pledge", {"conflict": False}, signed_us=self.server_now() - 3600 * 10**6),
                  422, "EVAL-SIGNED-TIME")
        self.assertEqual(int(self.srv.sql("SELECT COUNT(*) FROM evaluation_acts")[0][0]), 0)
        for e in self.members:
            self.assertEqual(self.act(e, ev, "pledge", {"conflict": False, "statement": "本人承诺"}).status, 201)
        self.rule(self.act(a, ev, "pledge", {"conflict": False}), 409, "EVAL-STEP")
        # a split vote elects nobody: the members vote again; then a majority elects the chair
        for e, who in zip(self.members, (a, b, a, b, c)):
            r = self.act(e, ev, "chair", {"chair": who["pseudonym"]})
            self.assertEqual(r.status, 201, r)
        self.assertEqual((r.json["step"], r.json["chair_round"], r.json["chair"]), ("chair", 2, None))
        for e in self.members:
            r = self.act(e, ev, "chair", {"chair": b["pseudonym"]})
        self.assertEqual((r.json["step"], r.json["chair"]), ("qualification", b["pseudonym"]))
        bids = self.bids
        o1, o2, o3 = (o["id"] for o in self.orgs)
        # a failure needs a ground of 条例 第五十一条 and reasons
        self.rule(self.act(a, ev, "qualification", {"bids": [
            {"bid_id": bids[o1], "pass": True}, {"bid_id": bids[o2], "pass": True},
            {"bid_id": bids[o3], "pass": False}]}), 422, "EVAL-GROUND")
        self.rule(self.act(a, ev, "qualification", {"bids": [{"bid_id": bids[o1], "pass": True}]}),
                  422, "EVAL-PAYLOAD")
        for e in self.members:
            r = self.act(e, ev, "qualification", {"bids": [
                {"bid_id": bids[o], "pass": True} for o in (o1, o2, o3)]})
            self.assertEqual(r.status, 201, r)
        # preliminary: three of five fail the third bid (a majority rejects it)
        for i, e in enumerate(self.members):
            fail = i < 3
            third = {"bid_id": bids[o3], "pass": not fail}
            if fail:
                third.update(ground="51-5", reason="报价高于最高投标限价")
            r = self.act(e, ev, "preliminary", {"bids": [
                {"bid_id": bids[o1], "pass": True}, {"bid_id": bids[o2], "pass": True}, third]})
            self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["step"], "detailed")
        self.assertEqual({x["bid_id"]: x["valid"] for x in r.json["bids"]},
                         {bids[o1]: True, bids[o2]: True, bids[o3]: False})
        # a clarification (实施条例 第五十二条): asked in writing, answered signed by the bidder,
        # the committee's finding recorded by the chair; a bidder never starts a contact
        u1, t1 = self.make_user(self.admin, o1, "bidder")
        u2, t2 = self.make_user(self.admin, o2, "bidder")
        by = self.server_now() + HOUR
        r = self.act(a, ev, "clarify", {"bid_id": bids[o1], "question": "请说明工期计划的依据", "answer_by_us": by})
        self.assertEqual(r.status, 201, r)
        cid = r.json["clarifications"][0]["id"]
        self.rule(self.act(a, ev, "clarify", {"bid_id": bids[o3], "question": "已否决的投标", "answer_by_us": by}),
                  422, "EVAL-PAYLOAD")
        self.assertEqual([m["kind"] for m in self.srv.request("GET", "/api/v1/me/inbox", token=t1).json["items"]],
                         ["evaluation.clarification"])
        self.assertEqual([c["id"] for c in self.srv.request("GET", "/api/v1/clarifications", token=t1).json["items"]],
                         [cid])
        self.assertEqual(self.srv.request("GET", "/api/v1/clarifications", token=t2).json["items"], [])

        def answer(tok, text):
            body = self.signed(tok, "ggzy-clarification-answer-v1", {"clarification_id": cid, "answer": text})
            body["answer"] = text
            return self.srv.request("POST", "/api/v1/clarifications/%d/answer" % cid, body, token=tok)
        self.assertEqual(answer(t2, "不是我的").status, 404)
        self.rule(self.act(b, ev, "finding", {"clarification_id": cid, "substantive": False, "note": "x"}),
                  409, "EVAL-CLARIFY-STATE")  # not answered yet
        r = answer(t1, "依据类似工程经验，总工期 180 天")
        self.assertEqual(r.status, 200, r)
        self.rule(answer(t1, "再答一次"), 409, "EVAL-CLARIFY-STATE")
        self.rule(self.act(a, ev, "finding", {"clarification_id": cid, "substantive": False, "note": "x"}),
                  409, "EVAL-CHAIR")  # the chair records it
        r = self.act(b, ev, "finding", {"clarification_id": cid, "substantive": False, "note": "未改变实质性内容"})
        self.assertEqual(r.status, 201, r)
        self.assertEqual((r.json["clarifications"][0]["substantive"], r.json["step"]), (False, "detailed"))
        v = self.srv.request("GET", "/api/v1/evaluations/%d" % ev, token=self.agent_tok).json
        self.assertNotIn("clarifications", v)
        # detailed scores: a rejected bid is not scored; no more decimals than declared; in range
        scores = {a["pseudonym"]: ("35.5", "25"), b["pseudonym"]: ("36", "26.5"), c["pseudonym"]: ("34", "27"),
                  d["pseudonym"]: ("38.5", "24"), rep["pseudonym"]: ("37", "25.5")}

        def sheet(e, t2=None):
            t, s = scores[e["pseudonym"]]
            return {"scores": [{"bid_id": bids[o1], "points": {"T": t, "S": s}},
                               {"bid_id": bids[o2], "points": {"T": t2 or "30", "S": "20"}}]}
        self.rule(self.act(a, ev, "detailed", sheet(a, t2="30.25")), 422, "EVAL-SCORE-FORMAT")
        self.rule(self.act(a, ev, "detailed", sheet(a, t2="40.1")), 422, "EVAL-SCORE-RANGE")
        bad = sheet(a)
        bad["scores"].append({"bid_id": bids[o3], "points": {"T": "1", "S": "1"}})
        self.rule(self.act(a, ev, "detailed", bad), 422, "EVAL-PAYLOAD")
        self.assertEqual(self.act(a, ev, "detailed", sheet(a)).status, 201)
        # a member sees another's scores only once theirs are in; the agent and supervisors none
        def payloads(view, kind):
            return [x.get("payload") for m in view["members"] for x in m["acts"] if x["kind"] == kind]
        vb = self.srv.request("GET", "/api/v1/evaluations/%d" % ev, token=b["tok"]).json
        self.assertEqual([p for p in payloads(vb, "detailed") if p], [])
        for tok in (self.agent_tok, self.sup_tok):
            v = self.srv.request("GET", "/api/v1/evaluations/%d" % ev, token=tok).json
            self.assertEqual([p for p in payloads(v, "detailed") if p], [])
            self.assertNotIn("valid", json.dumps(v["bids"]))
        self.assertEqual(self.srv.request("GET", "/api/v1/evaluations/%d" % ev, token=self.bidder_tok).status, 403)
        self.assertEqual(self.srv.request("GET", "/api/v1/evaluations/%d" % ev, token=self.outsider["tok"]).status, 404)
        self.assertEqual(self.srv.request("GET", "/api/v1/evaluations", token=self.outsider["tok"]).json["items"], [])
        self.assertEqual(self.act(b, ev, "detailed", sheet(b)).status, 201)
        vb = self.srv.request("GET", "/api/v1/evaluations/%d" % ev, token=b["tok"]).json
        self.assertEqual(len([p for p in payloads(vb, "detailed") if p]), 2)
        # a supervisor pauses the session, saying why; acts wait until resumed
        pr = "/api/v1/evaluations/%d/" % ev
        self.assertEqual(self.srv.request("POST", pr + "pause", {"reason": "核查录像"}, token=self.sup_tok).status, 200)
        self.rule(self.act(c, ev, "detailed", sheet(c)), 409, "EVAL-PAUSED")
        self.rule(self.srv.request("POST", pr + "pause", {"reason": "再次"}, token=self.sup_tok), 409, "EVAL-STATE")
        self.assertEqual(self.srv.request("POST", pr + "pause", {"reason": "x1"}, token=self.agent_tok).status, 403)
        self.assertEqual(self.srv.request("POST", pr + "resume", {"reason": "已核查"}, token=self.sup_tok).status, 200)
        self.assertEqual(self.act(c, ev, "detailed", sheet(c)).status, 201)
        self.assertEqual(self.act(rep, ev, "detailed", sheet(rep)).status, 201)
        r = self.act(d, ev, "detailed", sheet(d))
        self.assertEqual(r.json["step"], "report")
        draft = r.json["draft_report"]
        # the result, recomputed here from the declared method (docs/evaluation.md §3)
        def mean(xs):
            return half_up(sum(xs), len(xs))
        def h(s):
            w, _, f = s.partition(".")
            return int(w) * 100 + int((f + "00")[:2])
        lowest = 95000000
        expect = {}
        for o, price in ((o1, 100000000), (o2, 95000000)):
            subj = (mean([h(scores[e["pseudonym"]][0]) for e in self.members]) +
                    mean([h(scores[e["pseudonym"]][1]) for e in self.members])
                    if o == o1 else mean([3000] * len(self.members)) + mean([2000] * len(self.members)))
            expect[bids[o]] = half_up(lowest * 3000, price) + subj
        got = {x["bid_id"]: h(x["total"]) for x in draft["ranking"]}
        self.assertEqual(got, expect)
        self.assertEqual(draft["candidates"], sorted(expect, key=lambda k: -expect[k]))
        rej = [x for x in draft["bids"] if not x["valid"]][0]
        self.assertEqual((rej["bid_id"], rej["rejected_at"], len(rej["grounds"])), (bids[o3], "preliminary", 3))
        # the agent still sees no score while the members sign
        v = self.srv.request("GET", "/api/v1/evaluations/%d" % ev, token=self.agent_tok).json
        self.assertNotIn("draft_report", v)
        self.assertNotIn("report", v)
        for e in (a, b, rep):
            self.assertEqual(self.act(e, ev, "report", {"agree": True}).status, 201)
        self.assertEqual(self.act(c, ev, "report", {"agree": False, "reason": "技术分偏高"}).status, 201)
        r = self.act(d, ev, "report", {"agree": False})  # no reasons: counted as agreement
        self.assertEqual((r.json["step"], r.json["state"]), ("done", "reported"))
        v = self.srv.request("GET", "/api/v1/evaluations/%d" % ev, token=self.agent_tok).json
        sigs = {s["member"]: s for s in v["report"]["signatures"]}
        self.assertEqual(sigs[c["pseudonym"]]["dissent"], "技术分偏高")
        self.assertTrue(sigs[d["pseudonym"]]["counted_as_agreement"])
        self.assertEqual(v["report"]["chair"], b["pseudonym"])
        self.rule(self.act(a, ev, "report", {"agree": True}), 409, "EVAL-STEP")
        # the log holds every act, signed
        self.srv.wait_sequenced()
        n = self.srv.sql("SELECT COUNT(*) FROM audit_entries WHERE object_type = 'evaluation' AND "
                         "JSON_VALUE(CAST(entry AS CHAR), '$.action') = 'evaluation.act'")[0][0]
        n = int(n)
        self.assertEqual(n, 5 + 10 + 5 + 5 + 5 + 5 + 2)
        # and replays clean from it alone: members, order, the result recomputed
        p, path = self.verify(self.draw["id"])
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        p = self.run_ggzy("audit", "replay", "--file", path, "--vkey", self.vkey, token=self.sup_tok)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("evaluation invariant", p.stdout)
        # a score written around the rules after the report, with a result that favours the
        # second bid, is named by the replay
        forged = dict(draft, ranking=list(reversed(draft["ranking"])))
        r = self.srv.request("POST", "/api/v1/test/audit/entries", {
            "action": "evaluation.act", "object_type": "evaluation", "object_id": ev, "project_id": self.pid,
            "payload": {"evaluation_id": ev, "member": a["pseudonym"], "kind": "detailed", "result": forged}},
            token=a["tok"])
        self.assertIn(r.status, (200, 201), r)
        p, path = self.verify(self.draw["id"])
        p = self.run_ggzy("audit", "replay", "--file", path, "--vkey", self.vkey, token=self.sup_tok)
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertIn("VIOLATION INV-EVAL-ORDER", p.stdout)
        self.assertIn("VIOLATION INV-EVAL-RESULT", p.stdout)


class OpenTest(EvaluationFixture):
    def test_a_session_opens_only_in_its_time_for_an_evaluating_project_with_a_declared_method(self):
        self.evaluated_lot()
        for e in self.members:
            self.sign_in(e)
        # another agency's agent does not learn the booking exists
        other = self.make_org(self.admin, "agency")
        _, tok = self.make_user(self.admin, other["id"], "agent")
        self.assertEqual(self.srv.request("POST", "/api/v1/evaluations", {"booking_id": self.booking, "lot": 1},
                                          token=tok).status, 404)
        self.rule(self.srv.request("POST", "/api/v1/evaluations", {"booking_id": self.booking, "lot": 2},
                                   token=self.agent_tok), 422, "EVAL-BOOKING")
        self.srv.sql("UPDATE announcements SET evaluation_json = NULL WHERE project_id = %d" % self.pid)
        self.rule(self.open(), 409, "EVAL-NO-METHOD")
        self.srv.sql("UPDATE announcements SET evaluation_json = '%s' WHERE project_id = %d"
                     % (json.dumps(METHOD, ensure_ascii=False, separators=(",", ":")), self.pid))
        self.clock(self.at(12))
        self.rule(self.open(), 409, "EVAL-TIME")
        self.assertEqual(int(self.srv.sql("SELECT COUNT(*) FROM evaluations")[0][0]), 0)

    def test_a_declared_method_is_checked_as_drafted_and_against_the_category_as_published(self):
        self.evaluated_lot()
        base = {"type": "tender", "title": "招标公告", "body": "正文"}
        bad = dict(METHOD, price_points=2000)
        r = self.srv.request("POST", "/api/v1/projects/%d/announcements" % self.pid, dict(base, evaluation=bad),
                             token=self.agent_tok)
        self.rule(r, 422, "EVAL-METHOD")
        r = self.srv.request("POST", "/api/v1/projects/%d/announcements" % self.pid,
                             dict(base, type="failed", evaluation=METHOD), token=self.agent_tok)
        self.assertEqual(r.status, 422, r)


DAY = 24 * HOUR


class AwardFixture(EvaluationFixture):
    """A lot evaluated to its signed report (evaluate), announcements published (announce)."""

    def evaluate(self):
        for e in self.members:
            self.sign_in(e)
        ev = self.open().json["id"]
        bids = self.bids
        ids = [bids[o["id"]] for o in self.orgs]
        for e in self.members:
            self.assertEqual(self.act(e, ev, "pledge", {"conflict": False}).status, 201)
        for e in self.members:
            self.act(e, ev, "chair", {"chair": self.members[0]["pseudonym"]})
        for kind in ("qualification", "preliminary"):
            for e in self.members:
                r = self.act(e, ev, kind, {"bids": [{"bid_id": b, "pass": True} for b in ids]})
                self.assertEqual(r.status, 201, r)
        for e in self.members:
            r = self.act(e, ev, "detailed", {"scores": [
                {"bid_id": b, "points": {"T": "30", "S": "20"}} for b in ids]})
        for e in self.members:
            r = self.act(e, ev, "report", {"agree": True})
        self.assertEqual(r.json["state"], "reported", r)
        return ev, r.json["report"]

    def tenderer_signed(self, tok, domain, fields):
        return self.signed(tok, domain, fields)

    def announce(self, type_, **kw):
        r = self.srv.request("POST", "/api/v1/projects/%d/announcements" % self.pid,
                             dict({"type": type_, "title": type_, "body": "正文"}, **kw), token=self.agent_tok)
        self.assertEqual(r.status, 201, r)
        return self.srv.request("POST", "/api/v1/announcements/%d/publish" % r.json["id"], token=self.agent_tok)

    def state(self):
        return self.srv.sql("SELECT state FROM projects WHERE id = %d" % self.pid)[0][0]

    def decide(self, tok, bid, reason=None):
        lot = {"lot": 1, "bid_id": bid}
        if reason:
            lot["reason"] = reason
        body = self.signed(tok, "ggzy-award-decision-v1", {"lots": [lot], "project_id": self.pid})
        body["lots"] = [lot]
        return self.srv.request("POST", "/api/v1/projects/%d/award" % self.pid, body, token=tok)


class AwardFlowTest(AwardFixture):
    """From the signed reports to `closed` (docs/evaluation.md §8–§9): the candidates' publicity
    publishes the reports' candidates, the tenderer — a role and a certificate side of its own —
    decides the winner after it, the award announcement notifies every bidder and the deposits
    stage, the contract is signed by both at the winning price, and the tenderer's written report
    closes the project; the log replays clean."""

    def test_a_tender_goes_from_the_signed_report_to_closed(self):
        self.evaluated_lot()
        owner, owner_tok = self.make_user(self.admin, self.tenderer["id"], "tenderer")
        bidder_users = [self.make_user(self.admin, o["id"], "bidder") for o in self.orgs]
        # the tenderer sees its own project, sealed bids hidden; not another tenderer's
        self.assertEqual([p["id"] for p in self.srv.request("GET", "/api/v1/projects", token=owner_tok).json["items"]],
                         [self.pid])
        other = self.make_org(self.admin, "tenderer")
        _, other_tok = self.make_user(self.admin, other["id"], "tenderer")
        self.assertEqual(self.srv.request("GET", "/api/v1/projects/%d" % self.pid, token=other_tok).status, 404)
        # a tenderer user fits a tenderer organization only
        r = self.srv.request("POST", "/api/v1/users", {"org_id": self.agency["id"], "username": "t-in-agency",
                             "display_name": "x", "role": "tenderer", "password": "user-password-1"},
                             token=self.admin)
        self.rule(r, 422, "ACC-ROLE-ORG")
        # no candidates before every opened lot's report is signed
        until = self.server_now() + 4 * DAY
        r = self.announce("candidates", publicity_from_us=self.server_now(), publicity_until_us=until)
        self.rule(r, 409, "ANN-NO-EVALUATION")
        ev, report = self.evaluate()
        view = self.srv.request("GET", "/api/v1/draws/%d" % self.draw["id"], token=self.agent_tok).json
        self.assertFalse(view.get("revealed_us"))  # the report signed, the names still secret
        self.assertFalse(any("name" in m for m in view["members"]))
        v = self.srv.request("GET", "/api/v1/evaluations/%d" % ev, token=owner_tok).json
        self.assertEqual(v["report"]["candidates"], report["candidates"])
        # the candidates' publicity carries the report's candidates, signed
        r = self.announce("candidates", publicity_from_us=self.server_now(), publicity_until_us=until)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.state(), "candidates_published")
        pub = self.srv.request("GET", "/api/v1/public/announcements/%d" % r.json["id"]).json
        self.assertEqual([c["bid_id"] for c in pub["content"]["candidates"][0]["candidates"]] if "content" in pub
                         else [c["bid_id"] for c in json.loads(self.srv.sql(
                             "SELECT CAST(content AS CHAR) FROM announcements WHERE id = %d" % r.json["id"])[0][0])
                             ["candidates"][0]["candidates"]], report["candidates"])
        content = json.loads(self.srv.sql("SELECT CAST(content AS CHAR) FROM announcements WHERE type = "
                                          "'candidates' AND state = 'published' AND project_id = %d" % self.pid)[0][0])
        names = {o["id"]: o["name"] for o in self.orgs}
        for x in content["candidates"][0]["candidates"]:  # the publicity names the bidders
            self.assertEqual(x["name"], names[x["org_id"]])
        first, second = report["candidates"][0], report["candidates"][1]

        toks = {"owner": owner_tok}

        def decide(bid, reason=None, tok=None):
            return self.decide(tok or toks["owner"], bid, reason)
        self.rule(decide(first), 409, "AWARD-PUBLICITY")
        self.assertEqual(decide(first, tok=self.agent_tok).status, 403)  # the agent does not decide
        self.clock(until + MIN)
        owner_tok = toks["owner"] = self.srv.login(owner["username"], "user-password-1")
        bidder_users = [(u, self.srv.login(u["username"], "user-password-1")) for u, _ in bidder_users]
        self.rule(decide(second), 422, "AWARD-NOT-FIRST")  # 实施条例 第五十五条
        self.rule(decide(999999), 422, "AWARD-CANDIDATE")
        r = decide(first)
        self.assertEqual(r.status, 201, r)
        self.rule(decide(first), 409, "AWARD-DECIDED")
        # the award announcement: the winner's notice, the others' result, the deposits' event
        r = self.announce("award")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.state(), "awarded")
        winner_org = [o for o in self.orgs if self.bids[o["id"]] == first][0]
        win_user, win_tok = [u for u, o in zip(bidder_users, self.orgs) if o is winner_org][0]
        lose_user, lose_tok = [u for u, o in zip(bidder_users, self.orgs) if o is not winner_org][0]
        kinds = lambda tok: [m["kind"] for m in self.srv.request("GET", "/api/v1/me/inbox", token=tok).json["items"]]
        self.assertIn("award.notice", kinds(win_tok))
        self.assertIn("award.result", kinds(lose_tok))
        self.assertNotIn("award.notice", kinds(lose_tok))
        self.assertEqual(self.srv.sql("SELECT kind, winner_org FROM deposit_events WHERE project_id = %d" % self.pid),
                         [["award_notice", str(winner_org["id"])]])
        # the contract's deadline (招标投标法 第四十六条): warned a day before, flagged once past
        noticed = self.srv.request("GET", "/api/v1/projects/%d/award" % self.pid, token=owner_tok).json["lots"][0]["noticed_us"]
        due = ((noticed + 8 * HOUR) // DAY + 31) * DAY - 8 * HOUR - 1  # the end of the 30th day, Beijing time
        self.run_job("evaluation.deadlines", due - 12 * HOUR)
        self.assertIn("award.deadline.warning",
                      [m["kind"] for m in self.srv.request("GET", "/api/v1/me/inbox", token=self.agent_tok).json["items"]])
        self.run_job("evaluation.deadlines", due + HOUR)
        self.assertIn("award.deadline.missed",
                      [m["kind"] for m in self.srv.request("GET", "/api/v1/me/inbox", token=self.sup_tok).json["items"]])
        owner_tok = toks["owner"] = self.srv.login(owner["username"], "user-password-1")
        bidder_users = [(u, self.srv.login(u["username"], "user-password-1")) for u, _ in bidder_users]
        win_user, win_tok = [u for u, o in zip(bidder_users, self.orgs) if o is winner_org][0]
        lose_user, lose_tok = [u for u, o in zip(bidder_users, self.orgs) if o is not winner_org][0]
        # the contract: offered at the winning price by the tenderer, signed by the winner
        price = [p for o, p in zip(self.orgs, (100000000, 95000000, 102000000)) if o is winner_org][0]
        doc = "ab" * 32

        def contract(tok, price_fen, path="contract"):
            f = {"document_sha256": doc, "lot": 1, "price_fen": price_fen, "project_id": self.pid}
            body = self.signed(tok, "ggzy-contract-v1", f)
            body.update(document_sha256=doc, price_fen=price_fen)
            return self.srv.request("POST", "/api/v1/projects/%d/lots/1/%s" % (self.pid, path), body, token=tok)
        self.rule(contract(owner_tok, price - 1), 422, "AWARD-CONTRACT-PRICE")  # 招标投标法 第四十六条
        self.rule(contract(win_tok, price, "contract/sign"), 409, "AWARD-CONTRACT-STATE")
        self.assertEqual(contract(owner_tok, price).status, 201)
        self.assertEqual(contract(lose_tok, price, "contract/sign").status, 404)
        r = contract(win_tok, price, "contract/sign")
        self.assertEqual(r.status, 200, r)
        late = self.srv.sql("SELECT JSON_VALUE(CAST(entry AS CHAR), '$.payload.late') FROM audit_entries "
                            "WHERE JSON_VALUE(CAST(entry AS CHAR), '$.action') = 'contract.sign'")
        self.assertIn(late, ([["true"]], [["1"]]))  # signed after the 30 days: recorded late
        self.assertEqual(self.state(), "contracted")
        self.assertIn(["contract_signed", str(winner_org["id"])],
                      self.srv.sql("SELECT kind, winner_org FROM deposit_events WHERE project_id = %d" % self.pid))
        a = self.srv.request("GET", "/api/v1/projects/%d/award" % self.pid, token=win_tok).json
        self.assertEqual(a["lots"][0]["contract"]["state"], "signed")
        self.assertNotIn("candidates", a["lots"][0])
        self.assertEqual(self.srv.request("GET", "/api/v1/projects/%d/award" % self.pid, token=lose_tok).status, 404)
        # the tenderer's written report closes the project
        body = self.signed(owner_tok, "ggzy-result-report-v1", {"project_id": self.pid, "report_sha256": doc})
        body["report_sha256"] = doc
        r = self.srv.request("POST", "/api/v1/projects/%d/close" % self.pid, body, token=owner_tok)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.state(), "closed")
        # OCDS: the candidates as pending awards, the winner's award active, the signed contract;
        # the releases and the record valid against the official 1.1.5 schemas
        from test_ocds import validator
        rel = self.srv.request("GET", "/api/v1/public/projects/%d/ocds/releases" % self.pid).json
        errors = sorted(validator("release-package-schema.json").iter_errors(rel), key=str)
        self.assertEqual(errors, [], [e.message for e in errors][:5])
        self.assertEqual([r["tag"] for r in rel["releases"]][-3:], [["award"], ["awardUpdate"], ["contract"]])
        rec = self.srv.request("GET", "/api/v1/public/projects/%d/ocds/record" % self.pid).json
        errors = sorted(validator("record-package-schema.json").iter_errors(rec), key=str)
        self.assertEqual(errors, [], [e.message for e in errors][:5])
        compiled = rec["records"][0]["compiledRelease"]
        awards = {a["id"]: a for a in compiled["awards"]}
        self.assertEqual(awards["1-1"]["status"], "active")
        self.assertEqual(len(awards), 3)
        self.assertEqual(awards["1-1"]["value"], {"amount": price / 100, "currency": "CNY"})
        self.assertEqual(compiled["contracts"][0]["awardID"], "1-1")
        self.assertIn("supplier", [r for p in compiled["parties"] for r in p.get("roles", [])])
        # the committee's names are revealed into the log once the result is out (招标投标法
        # 第四十四条: not before), as the draw does: the agent now sees them
        deadline = time.time() + 20
        while time.time() < deadline:
            view = self.srv.request("GET", "/api/v1/draws/%d" % self.draw["id"], token=self.agent_tok).json
            if view.get("revealed_us"):
                break
            time.sleep(0.2)
        self.assertTrue(view.get("revealed_us"), view)
        self.assertTrue(all("name" in m for m in view["members"]))
        # the whole log replays clean
        p, path = self.verify(self.draw["id"])
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        p = self.run_ggzy("audit", "replay", "--file", path, "--vkey", self.vkey, token=self.sup_tok)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        # the project's own timeline: every signed act verifies (the fixture made the opening by
        # SQL, which the replay rightly names — and nothing else)
        p = self.run_ggzy("audit", "replay", "--project", str(self.pid), "--vkey", self.vkey, token=self.sup_tok)
        named = {l.split()[1] for l in p.stdout.splitlines() if l.startswith("VIOLATION")}
        self.assertEqual(named, {"INV-STATE", "INV-STATE-OWNER"}, p.stdout)
        self.assertEqual(p.stdout.count("VIOLATION"), 2, p.stdout)


class ObjectionTest(AwardFixture):
    """An objection (异议) to the result during the candidates' publicity (实施条例 第五十四条,
    docs/evaluation.md §8b): only a bidder of the lot, in the window, signed, one awaiting its
    answer at a time; the award waits for the answer, which is due within 3 days (warned, then
    flagged), signed by the tendering side and told to every bidder of the lot; the replay
    follows it."""

    def object(self, tok, text="第一中标候选人业绩不满足招标文件要求", lot=1, domain="ggzy-objection-v1"):
        body = self.signed(tok, domain, {"lot": lot, "project_id": self.pid, "text": text})
        body.update(lot=lot, text=text)
        return self.srv.request("POST", "/api/v1/projects/%d/objections" % self.pid, body, token=tok)

    def reply(self, tok, oid, upheld=False, text="经核查，业绩满足要求，异议不成立"):
        body = self.signed(tok, "ggzy-objection-answer-v1", {"objection_id": oid, "answer": text, "upheld": upheld})
        body.update(answer=text, upheld=upheld)
        return self.srv.request("POST", "/api/v1/objections/%d/answer" % oid, body, token=tok)

    def test_an_objection_during_the_publicity_holds_the_award_until_the_signed_answer(self):
        self.evaluated_lot()
        owner, owner_tok = self.make_user(self.admin, self.tenderer["id"], "tenderer")
        users = [self.make_user(self.admin, o["id"], "bidder") for o in self.orgs]
        outsider = self.make_org(self.admin, "bidder")
        _, out_tok = self.make_user(self.admin, outsider["id"], "bidder")
        ev, report = self.evaluate()
        first = report["candidates"][0]
        objector = [i for i, o in enumerate(self.orgs) if self.bids[o["id"]] != first][0]
        other = [i for i, o in enumerate(self.orgs) if i != objector][0]
        obj_tok, other_tok = users[objector][1], users[other][1]
        # before the publicity: no window yet
        self.rule(self.object(obj_tok), 409, "OBJ-WINDOW")
        until = self.server_now() + 4 * DAY
        self.assertEqual(self.announce("candidates", publicity_from_us=self.server_now(),
                                       publicity_until_us=until).status, 200)
        # who may object, with what: a bidder of the lot, signed as itself, about a reported lot
        self.rule(self.object(out_tok), 422, "OBJ-STANDING")
        self.rule(self.object(obj_tok, lot=2), 422, "OBJ-LOT")
        self.rule(self.object(obj_tok, domain="ggzy-award-decision-v1"), 422, "OBJ-SIGNATURE")
        self.assertEqual(self.object(self.agent_tok).status, 403)
        r = self.object(obj_tok)
        self.assertEqual(r.status, 201, r)
        oid, due = r.json["id"], r.json["answer_due_us"]
        filed = r.json["filed_us"]
        self.assertEqual(due, ((filed + 8 * HOUR) // DAY + 4) * DAY - 8 * HOUR - 1)  # the 3rd day's end
        self.rule(self.object(obj_tok), 409, "OBJ-PENDING")
        self.assertIn("award.objection",
                      [m["kind"] for m in self.srv.request("GET", "/api/v1/me/inbox", token=owner_tok).json["items"]])
        # the parties see it; another bidder not before it is answered
        mine = self.srv.request("GET", "/api/v1/projects/%d/objections" % self.pid, token=owner_tok).json["items"]
        self.assertEqual([(o["id"], o["org_id"]) for o in mine], [(oid, self.orgs[objector]["id"])])
        self.assertEqual(self.srv.request("GET", "/api/v1/projects/%d/objections" % self.pid,
                                          token=other_tok).json["items"], [])
        # the answer's deadline: warned half a day before, flagged once missed; the award waits
        # for the answer, after the publicity too
        self.run_job("evaluation.deadlines", due - 12 * HOUR)
        self.assertIn("award.deadline.warning",
                      [m["kind"] for m in self.srv.request("GET", "/api/v1/me/inbox", token=self.agent_tok).json["items"]])
        self.run_job("evaluation.deadlines", until + MIN)
        owner_tok = self.srv.login(owner["username"], "user-password-1")
        self.rule(self.decide(owner_tok, first), 409, "AWARD-OBJECTION")
        self.assertIn("award.deadline.missed",
                      [m["kind"] for m in self.srv.request("GET", "/api/v1/me/inbox", token=self.sup_tok).json["items"]])
        owner_tok = self.srv.login(owner["username"], "user-password-1")
        obj_tok = self.srv.login(users[objector][0]["username"], "user-password-1")
        other_tok = self.srv.login(users[other][0]["username"], "user-password-1")
        self.rule(self.object(other_tok), 409, "OBJ-WINDOW")  # the publicity is over
        # the answer: the tendering side only, signed, once; a late one is recorded late
        self.assertEqual(self.reply(obj_tok, oid).status, 403)
        stranger = self.make_org(self.admin, "tenderer")
        _, stranger_tok = self.make_user(self.admin, stranger["id"], "tenderer")
        self.assertEqual(self.reply(stranger_tok, oid).status, 404)
        r = self.reply(owner_tok, oid)
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.json["late"])
        self.rule(self.reply(owner_tok, oid), 409, "OBJ-ANSWERED")
        seen = self.srv.request("GET", "/api/v1/projects/%d/objections" % self.pid, token=other_tok).json["items"]
        self.assertEqual([(o["id"], o["upheld"], "org_id" in o) for o in seen], [(oid, False, False)])
        for tok in (obj_tok, other_tok):
            self.assertIn("award.objection.answer",
                          [m["kind"] for m in self.srv.request("GET", "/api/v1/me/inbox", token=tok).json["items"]])
        # then the award goes on, and the project's timeline replays with no objection violation
        r = self.decide(owner_tok, first)
        self.assertEqual(r.status, 201, r)
        p, path = self.verify(self.draw["id"])
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        p = self.run_ggzy("audit", "replay", "--file", path, "--vkey", self.vkey, token=self.sup_tok)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        p = self.run_ggzy("audit", "replay", "--project", str(self.pid), "--vkey", self.vkey, token=self.sup_tok)
        named = {l.split()[1] for l in p.stdout.splitlines() if l.startswith("VIOLATION")}
        self.assertEqual(named, {"INV-STATE", "INV-STATE-OWNER"}, p.stdout)  # the fixture's SQL opening


class ValidityTest(AwardFixture):
    """The bid validity extended (评标委员会和评标方法暂行规定 第四十条): the tenderer asks every bidder,
    signed, before it ends and to a later end; each bidder answers once, signed, before the old end;
    a bidder who refused cannot be awarded once the old end has passed, and the tenderer decides
    another candidate for the reason gave_up; the replay follows it."""

    def test_a_bidder_who_refuses_the_extension_lapses_at_the_old_end(self):
        self.evaluated_lot()
        # the fixture's tender names no deadline: the one the opening had (deposits.bid_validity_days on)
        self.srv.sql("UPDATE announcements SET bid_deadline_us = %d WHERE project_id = %d AND type = 'tender'"
                     % (self.server_now() - 3 * HOUR, self.pid))
        owner, owner_tok = self.make_user(self.admin, self.tenderer["id"], "tenderer")
        users = {o["id"]: self.make_user(self.admin, o["id"], "bidder") for o in self.orgs}
        ev, report = self.evaluate()
        first, second = report["candidates"][0], report["candidates"][1]
        org_of = {self.bids[o]: o for o in self.bids}

        def ask(until, tok=None):
            tok = tok or owner_tok
            body = self.signed(tok, "ggzy-bid-validity-v1", {"project_id": self.pid, "until_us": until})
            body["until_us"] = until
            return self.srv.request("POST", "/api/v1/projects/%d/validity" % self.pid, body, token=tok)

        def answer(org, agree, until):
            tok = users[org][1]
            body = self.signed(tok, "ggzy-bid-validity-answer-v1", {"project_id": self.pid, "until_us": until,
                                                                    "agree": agree})
            body["agree"] = agree
            return self.srv.request("POST", "/api/v1/projects/%d/validity/answer" % self.pid, body, token=tok)
        now = self.server_now()
        self.rule(answer(org_of[first], True, now), 409, "EVAL-VALIDITY")  # nothing asked yet
        self.rule(ask(now), 422, "EVAL-VALIDITY")  # not after the present end
        self.assertEqual(ask(now, tok=self.agent_tok).status, 403)  # the tenderer asks
        until = now + 400 * DAY
        r = ask(until)
        self.assertEqual(r.status, 201, r)
        old_end = r.json["from_us"]
        self.assertIn("award.validity", [m["kind"] for m in self.srv.request(
            "GET", "/api/v1/me/inbox", token=users[org_of[first]][1]).json["items"]])
        # the first candidate refuses; the others agree; once each
        self.assertEqual(answer(org_of[first], False, until).status, 200)
        self.rule(answer(org_of[first], True, until), 409, "EVAL-VALIDITY")
        for b in report["candidates"][1:]:
            self.assertEqual(answer(org_of[b], True, until).status, 200)
        stranger = self.make_org(self.admin, "bidder")
        _, st_tok = self.make_user(self.admin, stranger["id"], "bidder")
        self.assertEqual(self.srv.request("POST", "/api/v1/projects/%d/validity/answer" % self.pid, dict(
            self.signed(st_tok, "ggzy-bid-validity-answer-v1", {"project_id": self.pid, "until_us": until,
                                                               "agree": True}), agree=True), token=st_tok).status, 404)
        v = self.srv.request("GET", "/api/v1/projects/%d/validity" % self.pid, token=owner_tok).json
        self.assertEqual(sorted(a["agree"] for a in v["requests"][0]["answers"]), [False, True, True])
        mine = self.srv.request("GET", "/api/v1/projects/%d/validity" % self.pid, token=users[org_of[first]][1]).json
        self.assertEqual([a["org_id"] for a in mine["requests"][0]["answers"]], [org_of[first]])
        # the publicity; after the old end, the refusing first candidate has lapsed
        pub = self.server_now()
        self.assertEqual(self.announce("candidates", publicity_from_us=pub, publicity_until_us=pub + 4 * DAY).status,
                         200)
        self.clock(old_end + MIN)
        owner_tok = self.srv.login(owner["username"], "user-password-1")
        self.rule(self.decide(owner_tok, first), 422, "AWARD-VALIDITY")
        r = self.decide(owner_tok, second, reason="gave_up")
        self.assertEqual(r.status, 201, r)
        p, path = self.verify(self.draw["id"])
        p = self.run_ggzy("audit", "replay", "--project", str(self.pid), "--vkey", self.vkey, token=self.sup_tok)
        named = {l.split()[1] for l in p.stdout.splitlines() if l.startswith("VIOLATION")}
        self.assertEqual(named, {"INV-STATE", "INV-STATE-OWNER"}, p.stdout)  # the fixture's SQL opening


class CorrectionTest(EvaluationFixture):
    """After summing, before the report is signed, a member changes a score only for a reason of
    财政部令第87号 第六十四条 that can arise on the platform — an objective factor scored unlike the
    others, or a score abnormally far from theirs — each recorded in the report, which the
    platform drafts again; the replay recomputes it."""

    def test_a_score_changes_after_summing_only_for_a_reason_of_article_64_and_is_recorded(self):
        method = json.loads(json.dumps(METHOD))
        method["criteria"][0]["objective"] = True  # T: an objective factor
        self.evaluated_lot(method=method)
        for e in self.members:
            self.sign_in(e)
        ev = self.open().json["id"]
        ids = [self.bids[o["id"]] for o in self.orgs]
        for e in self.members:
            self.act(e, ev, "pledge", {"conflict": False})
        for e in self.members:
            self.act(e, ev, "chair", {"chair": self.members[0]["pseudonym"]})
        for kind in ("qualification", "preliminary"):
            for e in self.members:
                self.assertEqual(self.act(e, ev, kind, {"bids": [{"bid_id": b, "pass": True} for b in ids]}).status, 201)
        first, rest = self.members[0], self.members[1:]

        def fix(e, criterion, points, reason, bid=ids[0]):
            return self.act(e, ev, "correct", {"bid_id": bid, "criterion": criterion, "points": points,
                                               "reason": reason, "note": "复核发现评分不一致，当场修改"})
        self.rule(fix(first, "T", "30", "objective_mismatch"), 409, "EVAL-STEP")  # not summed yet
        # the first member scores T of the first bid 10, the others 30; S the same everywhere
        for e in self.members:
            t = "10" if e is first else "30"
            r = self.act(e, ev, "detailed", {"scores": [
                {"bid_id": b, "points": {"T": t if b == ids[0] else "30", "S": "20"}} for b in ids]})
            self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["step"], "report")
        self.rule(fix(first, "T", "30", "sum_error"), 422, "EVAL-CORRECT")  # the platform sums
        self.rule(fix(first, "S", "25", "objective_mismatch"), 422, "EVAL-CORRECT")  # S is not objective
        self.rule(fix(rest[0], "S", "25", "extreme"), 422, "EVAL-CORRECT")  # nobody is far off on S
        self.rule(fix(first, "T", "10", "objective_mismatch"), 422, "EVAL-CORRECT")  # no change
        self.rule(fix(first, "T", "50", "objective_mismatch"), 422, "EVAL-SCORE-RANGE")
        self.rule(fix(first, "T", "30", "a whim"), 422, "EVAL-PAYLOAD")
        r = fix(first, "T", "30", "objective_mismatch")
        self.assertEqual(r.status, 201, r)
        draft = self.srv.request("GET", "/api/v1/evaluations/%d" % ev, token=first["tok"]).json
        self.assertEqual(draft["step"], "report")
        # once a member signed, the result stands (a send-back of the scoring is the way)
        self.act(rest[0], ev, "report", {"agree": True})
        self.rule(fix(rest[1], "T", "20", "extreme", bid=ids[1]), 409, "EVAL-STEP")
        for e in self.members:
            if e is not rest[0]:
                r = self.act(e, ev, "report", {"agree": True})
        self.assertEqual(r.json["state"], "reported", r)
        report = r.json["report"]
        self.assertEqual([(c["member"], c["bid_id"], c["criterion"], c["from"], c["to"], c["reason"])
                          for c in report["corrections"]],
                         [(first["pseudonym"], ids[0], "T", "10.00", "30.00", "objective_mismatch")])
        mine = [b for b in report["bids"] if b["bid_id"] == ids[0]][0]
        self.assertEqual(mine["criteria"]["T"]["committee"], "30.00")  # every member now gives 30
        # the replay recomputes the corrected result from the log
        p, path = self.verify(self.draw["id"])
        p = self.run_ggzy("audit", "replay", "--project", str(self.pid), "--vkey", self.vkey, token=self.sup_tok)
        named = {l.split()[1] for l in p.stdout.splitlines() if l.startswith("VIOLATION")}
        self.assertEqual(named, {"INV-STATE", "INV-STATE-OWNER"}, p.stdout)  # the fixture's SQL opening


class RepresentativeTest(EvaluationFixture):
    """The tenderer's representative (招标投标法 第三十七条) in the seat the draw counted
    (owner_reps): designated, signed, by the tenderer's own people, only a tenderer user of its
    organization, no more than the seats; signed in in the room like the experts before the session
    opens; a member who sees the scores as a member does, while its colleagues see none; the
    replay names an expert's act by a tenderer user."""

    def test_the_tenderer_seats_its_representative_who_signs_in_and_acts_as_a_member(self):
        self.evaluated_lot()
        rep = self.reps[0]
        # no second representative for the one seat; not another's booking; not an agent
        _, colleague = self.make_user(self.admin, self.tenderer["id"], "tenderer")
        user2, _ = self.make_user(self.admin, self.tenderer["id"], "tenderer")

        def designate(tok, user_id, booking=None):
            body = self.signed(tok, "ggzy-evaluation-representative-v1",
                               {"booking_id": booking or self.booking, "representative_user_id": user_id})
            body.update(booking_id=booking or self.booking, user_id=user_id)
            return self.srv.request("POST", "/api/v1/evaluations/representatives", body, token=tok)
        self.rule(designate(colleague, user2["id"]), 409, "EVAL-REPRESENTATIVE")
        other = self.make_org(self.admin, "tenderer")
        _, stranger = self.make_user(self.admin, other["id"], "tenderer")
        self.assertEqual(designate(stranger, user2["id"]).status, 404)
        self.assertEqual(designate(self.agent_tok, user2["id"]).status, 403)
        # the session waits for the representative to sign in in the room
        for e in self.members[:-1]:
            self.sign_in(e)
        r = self.open()
        self.rule(r, 409, "EVAL-SIGN-IN")
        self.assertIn(rep["pseudonym"], r.json["error"]["message"])
        self.sign_in(rep)
        ev = self.open().json["id"]
        v = self.srv.request("GET", "/api/v1/evaluations/%d" % ev, token=rep["tok"]).json
        self.assertEqual(v["my_pseudonym"], rep["pseudonym"])
        ids = [self.bids[o["id"]] for o in self.orgs]
        for e in self.members:
            self.assertEqual(self.act(e, ev, "pledge", {"conflict": False}).status, 201)
        for e in self.members:  # under the tendering law a representative may chair
            r = self.act(e, ev, "chair", {"chair": rep["pseudonym"]})
        self.assertEqual(r.json["chair"], rep["pseudonym"])
        for kind in ("qualification", "preliminary"):
            for e in self.members:
                self.act(e, ev, kind, {"bids": [{"bid_id": b, "pass": True} for b in ids]})
        self.assertEqual(self.act(rep, ev, "detailed", {"scores": [
            {"bid_id": b, "points": {"T": "30", "S": "20"}} for b in ids]}).status, 201)
        self.assertEqual(self.act(self.members[0], ev, "detailed", {"scores": [
            {"bid_id": b, "points": {"T": "31", "S": "21"}} for b in ids]}).status, 201)
        # the representative sees its peers' scores once its own are in; its colleague none
        def scored(tok):
            view = self.srv.request("GET", "/api/v1/evaluations/%d" % ev, token=tok).json
            return [x.get("payload") for m in view["members"] for x in m["acts"] if x["kind"] == "detailed"]
        self.assertEqual(len([p for p in scored(rep["tok"]) if p]), 2)
        self.assertEqual([p for p in scored(colleague) if p], [])
        # the replay: the representative's acts are its own; an expert's act forged by a tenderer
        # user is named
        p, path = self.verify(self.draw["id"])
        p = self.run_ggzy("audit", "replay", "--file", path, "--vkey", self.vkey, token=self.sup_tok)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        r = self.srv.request("POST", "/api/v1/test/audit/entries", {
            "action": "evaluation.act", "object_type": "evaluation", "object_id": ev, "project_id": self.pid,
            "payload": {"evaluation_id": ev, "member": self.members[1]["pseudonym"], "kind": "detailed"}},
            token=rep["tok"])
        self.assertIn(r.status, (200, 201), r)
        p, path = self.verify(self.draw["id"])
        p = self.run_ggzy("audit", "replay", "--file", path, "--vkey", self.vkey, token=self.sup_tok)
        self.assertIn("VIOLATION INV-EVAL-MEMBER", p.stdout)


class IndicatorTest(EvaluationFixture):
    def test_prices_in_a_regular_progression_raise_an_indicator_for_supervisors_and_the_committee(self):
        self.evaluated_lot(prices=(90000000, 95000000, 100000000))
        for e in self.members:
            self.sign_in(e)
        r = self.open()
        self.assertEqual(r.status, 201, r)
        ev = r.json["id"]
        for tok in (self.sup_tok, self.members[0]["tok"]):
            v = self.srv.request("GET", "/api/v1/evaluations/%d" % ev, token=tok).json
            self.assertEqual([i["code"] for i in v["indicators"]], ["IND-PRICE-PATTERN"], v)
        v = self.srv.request("GET", "/api/v1/evaluations/%d" % ev, token=self.agent_tok).json
        self.assertNotIn("indicators", v)


class RecusalTest(EvaluationFixture):
    def test_a_member_who_declares_a_conflict_leaves_the_seat_and_the_replacement_takes_it(self):
        self.evaluated_lot()
        for e in self.members:
            self.sign_in(e)
        ev = self.open().json["id"]
        a, b, c, d, rep = self.members  # four drawn experts and the tenderer's representative
        for e in (a, b, c, rep):
            self.assertEqual(self.act(e, ev, "pledge", {"conflict": False}).status, 201)
        r = self.act(d, ev, "pledge", {"conflict": True, "statement": "本人曾在投标人处任职"})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["step"], "pledge")  # a seat is vacant: the step waits
        self.assertIn("evaluation.recusal",
                      [m["kind"] for m in self.srv.request("GET", "/api/v1/me/inbox", token=self.admin).json["items"]])
        self.rule(self.act(d, ev, "chair", {"chair": a["pseudonym"]}), 409, "EVAL-NOT-MEMBER")
        # the center replaces the member from the draw's order; the next expert confirms, signs
        # in and takes the seat by pledging
        r = self.srv.request("POST", "/api/v1/draws/%d/members/%s/replace" % (self.draw["id"], d["pseudonym"]),
                             {"cause": "recusal", "reason": "回避"}, token=self.admin)
        self.assertEqual(r.status, 200, r)
        full = self.srv.request("GET", "/api/v1/draws/%d" % self.draw["id"], token=self.admin).json
        new = [m for m in full["members"] if m["state"] == "invited"][0]
        e = [x for x in self.experts if x["user"]["id"] == new["user_id"]][0]
        self.assertEqual(self.act(e, ev, "pledge", {"conflict": False}).status, 404)  # not confirmed yet
        self.assertEqual(self.answer(e, self.draw["id"], True).status, 200)
        self.sign_in(e)
        r = self.act(e, ev, "pledge", {"conflict": False})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["step"], "chair")
        self.assertIn(new["pseudonym"], [m["pseudonym"] for m in r.json["members"] if m["sitting"]])
        self.assertNotIn(d["pseudonym"], [m["pseudonym"] for m in r.json["members"] if m["sitting"]])
        # and the log replays it: the joined member is a member
        p, path = self.verify(self.draw["id"])
        p = self.run_ggzy("audit", "replay", "--file", path, "--vkey", self.vkey, token=self.sup_tok)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)


class LiveTest(EvaluationFixture):
    """The live record as Server-Sent Events (docs/evaluation.md §6): no polling — each act is
    pushed to the watchers; each sees only the classes its role may; Last-Event-ID resumes."""

    def watch(self, tok, ev, last=None):
        conn = self.srv.connection(timeout=10)
        headers = {"Authorization": "Bearer " + tok, "Accept": "text/event-stream"}
        if last is not None:
            headers["Last-Event-ID"] = str(last)
        conn.request("GET", "/api/v1/evaluations/%d/stream" % ev, headers=headers)
        resp = conn.getresponse()
        self.addCleanup(conn.close)
        return resp

    def events(self, resp, until):
        """Read events until one satisfies until(event) (or time runs out)."""
        out, cur = [], {}
        deadline = time.time() + 10
        while time.time() < deadline:
            line = resp.readline().decode()
            if line == "":
                break
            line = line.rstrip("\n")
            if line == "":
                if "data" in cur:
                    cur["data"] = json.loads(cur["data"])
                    out.append(cur)
                    if until(cur):
                        return out
                cur = {}
            elif not line.startswith(":") and ":" in line:
                k, _, v = line.partition(":")
                cur[k] = v.lstrip(" ")
        return out

    def test_watchers_get_each_act_as_it_happens_as_their_role_may(self):
        self.evaluated_lot(prices=(90000000, 95000000, 100000000))  # an indicator fires
        for e in self.members:
            self.sign_in(e)
        ev = self.open().json["id"]
        sup = self.watch(self.sup_tok, ev)
        self.assertEqual((sup.status, sup.getheader("Content-Type")), (200, "text/event-stream; charset=utf-8"))
        agent = self.watch(self.agent_tok, ev)
        self.assertEqual(self.watch(self.outsider["tok"], ev).status, 404)
        self.assertEqual(self.watch(self.bidder_tok, ev).status, 403)
        # the backlog: the opening and its indicator (to the supervisor), the opening alone (agent)
        got = self.events(sup, lambda e: e["event"] == "indicator")
        self.assertEqual([e["event"] for e in got], ["state", "indicator"])
        self.assertEqual(got[1]["data"]["code"], "IND-PRICE-PATTERN")
        got = self.events(agent, lambda e: e["event"] == "state")
        self.assertEqual([e["event"] for e in got], ["state"])
        # an act is pushed at once, who and what, no value
        a = self.members[0]
        self.assertEqual(self.act(a, ev, "pledge", {"conflict": False}).status, 201)
        for resp in (sup, agent):
            got = self.events(resp, lambda e: e["event"] == "progress")
            self.assertEqual(got[-1]["data"]["member"], a["pseudonym"])
            self.assertEqual(got[-1]["data"]["kind"], "pledge")
            self.assertNotIn("indicator", [e["event"] for e in got])  # the agent never gets one
        last = int(got[-1]["id"])
        # the agent reconnects after the last id it saw and misses nothing after it
        self.assertEqual(self.srv.request("POST", "/api/v1/evaluations/%d/pause" % ev, {"reason": "核查"},
                                          token=self.sup_tok).status, 200)
        again = self.watch(self.agent_tok, ev, last=last)
        got = self.events(again, lambda e: e["event"] == "state")
        self.assertEqual([(e["event"], e["data"]["event"]) for e in got], [("state", "paused")])
        self.assertGreater(int(got[0]["id"]), last)


class SendBackTest(EvaluationFixture):
    def test_a_step_goes_back_only_on_the_chairs_reason_and_a_supervisors_approval(self):
        self.evaluated_lot()
        for e in self.members:
            self.sign_in(e)
        ev = self.open().json["id"]
        a, b, c, d, rep = self.members  # four drawn experts and the tenderer's representative
        ids = [self.bids[o["id"]] for o in self.orgs]
        for e in self.members:
            self.act(e, ev, "pledge", {"conflict": False})
        for e in self.members:
            self.act(e, ev, "chair", {"chair": a["pseudonym"]})
        for e in self.members:
            self.act(e, ev, "qualification", {"bids": [{"bid_id": x, "pass": True} for x in ids]})
        for e in self.members:  # every member fails the third bid
            r = self.act(e, ev, "preliminary", {"bids": [{"bid_id": ids[0], "pass": True}, {"bid_id": ids[1], "pass": True},
                                                          {"bid_id": ids[2], "pass": False, "ground": "51-6",
                                                           "reason": "工期不响应"}]})
        self.assertEqual((r.json["step"], [x["valid"] for x in r.json["bids"]].count(False)), ("detailed", 1))
        back = {"to": "preliminary", "reason": "招标文件工期条款理解有误，需重新初步评审"}
        self.rule(self.act(b, ev, "send_back", back), 409, "EVAL-CHAIR")
        self.rule(self.act(a, ev, "send_back", dict(back, to="detailed")), 422, "EVAL-PAYLOAD")
        r = self.act(a, ev, "send_back", back)
        self.assertEqual((r.status, r.json["send_back"]["to"]), (201, "preliminary"), r)
        self.rule(self.act(a, ev, "send_back", back), 409, "EVAL-SEND-BACK")
        path = "/api/v1/evaluations/%d/send-back" % ev
        self.assertEqual(self.srv.request("POST", path, {"approve": True, "reason": "同意"}, token=self.agent_tok).status, 403)
        # refused: the session goes on where it was
        r = self.srv.request("POST", path, {"approve": False, "reason": "理由不足"}, token=self.sup_tok)
        self.assertEqual((r.status, r.json["step"]), (200, "detailed"), r)
        self.rule(self.srv.request("POST", path, {"approve": True, "reason": "x1"}, token=self.sup_tok), 409, "EVAL-STATE")
        # asked again and approved: back to the preliminary review, made again by every member
        self.assertEqual(self.act(a, ev, "send_back", back).status, 201)
        r = self.srv.request("POST", path, {"approve": True, "reason": "同意重新初步评审"}, token=self.sup_tok)
        self.assertEqual((r.status, r.json["step"]), (200, "preliminary"), r)
        self.assertNotIn("valid", json.dumps(r.json["bids"]))  # the supervisor sees no review's value
        v = self.srv.request("GET", "/api/v1/evaluations/%d" % ev, token=a["tok"]).json
        self.assertTrue(all(x["valid"] for x in v["bids"]))
        for e in self.members:
            r = self.act(e, ev, "preliminary", {"bids": [{"bid_id": x, "pass": True} for x in ids]})
            self.assertEqual(r.status, 201, r)
        self.assertEqual((r.json["step"], [x["valid"] for x in r.json["bids"]]), ("detailed", [True] * 3))
        p, path = self.verify(self.draw["id"])
        p = self.run_ggzy("audit", "replay", "--file", path, "--vkey", self.vkey, token=self.sup_tok)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)


class RejectAllTest(EvaluationFixture):
    def test_too_few_valid_bids_let_the_committee_reject_every_bid_and_the_lot_fails(self):
        self.evaluated_lot()
        for e in self.members:
            self.sign_in(e)
        ev = self.open().json["id"]
        a, b, c, d, rep = self.members  # four drawn experts and the tenderer's representative
        ids = [self.bids[o["id"]] for o in self.orgs]
        for e in self.members:
            self.act(e, ev, "pledge", {"conflict": False})
        for e in self.members:
            self.act(e, ev, "chair", {"chair": a["pseudonym"]})
        # three valid bids: competition remains, no rejection of all
        self.rule(self.act(b, ev, "reject_all", {"reason": "竞争不足"}), 409, "EVAL-REJECT-ALL")
        for e in self.members:  # the third bid fails the qualification review
            self.act(e, ev, "qualification", {"bids": [{"bid_id": ids[0], "pass": True}, {"bid_id": ids[1], "pass": True},
                                                        {"bid_id": ids[2], "pass": False, "ground": "51-3",
                                                         "reason": "资质等级不符"}]})
        # two valid bids remain (R-MIN-BIDS: 3): the members may reject every bid, by majority
        for e in (b, c):
            r = self.act(e, ev, "reject_all", {"reason": "有效投标不足三家，缺乏竞争"})
            self.assertEqual((r.status, r.json["step"]), (201, "preliminary"), r)
        self.rule(self.act(b, ev, "reject_all", {"reason": "再投一次"}), 409, "EVAL-DONE")
        r = self.act(d, ev, "reject_all", {"reason": "同意否决所有投标"})
        self.assertEqual(r.json["step"], "report")
        self.assertEqual(r.json["draft_report"]["candidates"], [])
        self.assertTrue(r.json["draft_report"]["rejected_all"])
        for e in self.members:
            r = self.act(e, ev, "report", {"agree": True})
        self.assertEqual(r.json["state"], "reported")
        # the lot fails: a failure announcement (流标), after which the project can be tendered again
        r = self.srv.request("POST", "/api/v1/projects/%d/announcements" % self.pid,
                             {"type": "failed", "title": "流标公告", "body": "有效投标不足三家"}, token=self.agent_tok)
        self.assertEqual(self.srv.request("POST", "/api/v1/announcements/%d/publish" % r.json["id"],
                                          token=self.agent_tok).status, 200)
        self.assertEqual(self.srv.sql("SELECT state FROM projects WHERE id = %d" % self.pid)[0][0], "failed")
        p, path = self.verify(self.draw["id"])
        p = self.run_ggzy("audit", "replay", "--file", path, "--vkey", self.vkey, token=self.sup_tok)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)


class MoreTimeTest(EvaluationFixture):
    def test_more_than_a_third_of_the_members_asking_extends_the_time(self):
        self.evaluated_lot()
        for e in self.members:
            self.sign_in(e)
        ev = self.open().json["id"]
        a, b, c, d, rep = self.members  # four drawn experts and the tenderer's representative
        for e in self.members:
            self.act(e, ev, "pledge", {"conflict": False})
        for e in self.members:
            self.act(e, ev, "chair", {"chair": a["pseudonym"]})
        self.rule(self.act(b, ev, "more_time", {"reason": "x"}), 422, "EVAL-PAYLOAD")
        self.assertEqual(self.act(b, ev, "more_time", {"reason": "投标文件较多，时间不够"}).status, 201)
        self.rule(self.act(b, ev, "more_time", {"reason": "再要一次"}), 409, "EVAL-DONE")
        told = lambda: [m["kind"] for m in self.srv.request("GET", "/api/v1/me/inbox", token=self.agent_tok).json["items"]]
        self.assertNotIn("evaluation.extended", told())  # one of four: not yet a third
        end = self.srv.request("GET", "/api/v1/venues/bookings/%d" % self.booking, token=self.agent_tok).json["end_us"]
        self.assertEqual(self.act(c, ev, "more_time", {"reason": "同意延长"}).status, 201)
        self.assertIn("evaluation.extended", told())  # two of four: more than a third (实施条例 第四十八条)
        # the platform extends the room's booking by an hour, the room being free
        booking = self.srv.request("GET", "/api/v1/venues/bookings/%d" % self.booking, token=self.agent_tok).json
        self.assertEqual(booking["end_us"], end + HOUR)
        # the next round: another booking holds the room after it, so the booking stays and the
        # agency is told why
        self.assertEqual(self.act(a, ev, "more_time", {"reason": "第二轮"}).status, 201)
        room = booking["room"]["id"]
        nxt = self.srv.request("POST", "/api/v1/venues/bookings", {
            "room_id": room, "project_id": self.pid, "purpose": "evaluation", "lots": [1],
            "start_us": end + HOUR + 30 * MIN, "end_us": end + 2 * HOUR + 30 * MIN, "people": 5},
            token=self.agent_tok)
        self.assertEqual(nxt.status, 201, nxt)
        self.assertEqual(self.act(d, ev, "more_time", {"reason": "仍需时间"}).status, 201)
        again = self.srv.request("GET", "/api/v1/venues/bookings/%d" % self.booking, token=self.agent_tok).json
        self.assertEqual(again["end_us"], end + HOUR)
        bodies = [m["body"] for m in self.srv.request("GET", "/api/v1/me/inbox", token=self.agent_tok).json["items"]
                  if m["kind"] == "evaluation.extended"]
        self.assertIn("评标室无法顺延", bodies[-1])
        # a new round: the same member may ask again
        self.assertEqual(self.act(b, ev, "more_time", {"reason": "仍然不够"}).status, 201)
        p, path = self.verify(self.draw["id"])
        p = self.run_ggzy("audit", "replay", "--file", path, "--vkey", self.vkey, token=self.sup_tok)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
