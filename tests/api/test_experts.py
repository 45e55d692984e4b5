"""The expert library and the committee draw through the real API (docs/experts.md,
docs/draw.md): admission against the rule table, avoidance before the draw with counts per
reason, a draw committed before its pool and seeded by a supervisor's signed value, replayed here
from the audit log alone with the Python of docs/draw.md, declines and silence replaced from the
same stream, secrecy per role, and one expert never in two overlapping sessions even when two
draws run at once."""
import concurrent.futures
import hashlib
import json
import os
import subprocess
import tempfile
import time

from harness import ROOT, ApiTest, sign_act

GGZY = os.environ.get("GGZY_CLI") or os.path.join(
    os.path.dirname(os.environ.get("GGZYD", os.path.join(ROOT, "build", "debug", "ggzyd"))), "ggzy")
CA = os.path.join(ROOT, "var", "certs", "ca.crt")

MIN = 60 * 1000000
HOUR = 60 * MIN
DAY = 24 * HOUR
UTC8 = 8 * HOUR
PROFILE = {"title": "senior", "field_since": 2005, "birth_year": 1975, "region": "110000",
           "sharing": "region", "e_evaluation": True, "specialties": ["A0101"]}


def replay(entries, group_counts):
    """docs/draw.md §6, applied to the draw's entries as the log holds them: the commitment, the
    pool and its hash, the seed, and each group's order, from which the invitations must come."""
    h = hashlib.sha256
    req = entries["draw.request"]
    pool_e = entries["draw.pool"]
    seeded = entries["draw.seeded"]
    secret = bytes.fromhex(seeded["secret"])
    assert h(b"ggzy-draw-commit-v1\n" + secret).hexdigest() == req["seed_commit"]
    pool = pool_e["pool"]
    canon = json.dumps(pool, separators=(",", ":"), ensure_ascii=False).encode()
    assert h(canon).hexdigest() == pool_e["pool_sha256"]
    value = seeded["signed"]["fields"]["value"].encode()
    beacon = seeded["beacon"].encode()
    seed = h(b"ggzy-draw-seed-v1\n" + secret + bytes.fromhex(pool_e["pool_sha256"]) + h(value).digest()
             + h(beacon).digest()).digest()
    assert seed.hex() == seeded["seed"]

    def stream(group):
        i = 0
        while True:
            block = h(seed + b"\n" + group.encode() + b"\n" + i.to_bytes(8, "big")).digest()
            for k in range(4):
                yield int.from_bytes(block[8 * k:8 * k + 8], "big")
            i += 1

    def choice(st, n):
        limit = 2**64 - 2**64 % n
        while True:
            r = next(st)
            if r < limit:
                return r % n

    orders = {}
    for g in group_counts:
        members = [p for p, grp in pool if grp == g]
        st, left = stream(g), list(range(len(members)))
        orders[g] = [members[left.pop(choice(st, len(members) - j))] for j in range(len(members))]
    return orders


class ExpertFixture(ApiTest):
    def setUp(self):
        super().setUp()
        self.admin = self.srv.admin_token()
        self.agency = self.make_org(self.admin, "agency")
        self.tenderer = self.make_org(self.admin, "tenderer")
        self.agent, self.agent_tok = self.make_user(self.admin, self.agency["id"], "agent")
        sup_org = self.make_org(self.admin, "supervision")
        self.sup, self.sup_tok = self.make_user(self.admin, sup_org["id"], "supervisor")
        self.bidder_org = self.make_org(self.admin, "bidder")
        self.bidder, self.bidder_tok = self.make_user(self.admin, self.bidder_org["id"], "bidder")
        center = self.srv.request("GET", "/api/v1/me", token=self.admin).json["org_id"]
        self.staff2, self.staff2_tok = self.make_user(self.admin, center, "center_admin")
        r = self.srv.request("POST", "/api/v1/venues/sites", {
            "name": "交易中心", "address": "某路 1 号", "region": "110000"}, token=self.admin)
        self.site = r.json
        self.opening_room = self.room("开标室", "opening", 40)
        self.eval_room = self.room("评标室", "evaluation", 9)
        now = self.server_now()
        self.day0 = ((now + UTC8) // DAY + 2) * DAY - UTC8
        self.employer = self.make_org(self.admin, "bidder", name="某设计院")

    def room(self, name, kind, capacity):
        r = self.srv.request("POST", "/api/v1/venues/sites/%d/rooms" % self.site["id"], {
            "name": name, "kind": kind, "capacity": capacity, "equipment": ["recording"],
            "opens": "00:00", "closes": "24:00"}, token=self.admin)
        self.assertEqual(r.status, 201, r)
        return r.json

    def at(self, hh, mm=0, day=0):
        return self.day0 + day * DAY + hh * HOUR + mm * MIN

    def clock(self, t):
        self.assertEqual(self.srv.request("POST", "/api/v1/test/clock", {"set_us": t}).status, 200)
        self.admin = self.srv.admin_token()
        self.staff2_tok = self.srv.login(self.staff2["username"], "user-password-1")
        self.agent_tok = self.srv.login(self.agent["username"], "user-password-1")
        self.sup_tok = self.srv.login(self.sup["username"], "user-password-1")
        self.bidder_tok = self.srv.login(self.bidder["username"], "user-password-1")
        for e in getattr(self, "experts", []):
            e["tok"] = self.srv.login(e["user"]["username"], "user-password-1")

    def opened_project(self, eval_from, eval_to, budget=1000000000, category="engineering", bidders=()):
        """A project whose bids are opened, with an approved evaluation session: the bookings
        through the API, the opening's result (state opened, the bids received) as the opening
        ceremony would leave it."""
        r = self.srv.request("POST", "/api/v1/projects", {
            "name": "某工程", "category": category, "method": "open_tender", "region": "110000",
            "tenderer_org_id": self.tenderer["id"], "budget_fen": budget, "funding_source": "财政资金",
            "legally_required": True, "lots": [{"name": "一标段", "estimate_fen": budget}]}, token=self.agent_tok)
        self.assertEqual(r.status, 201, r)
        pid = r.json["id"]
        self.srv.request("POST", "/api/v1/projects/%d/transitions" % pid, {"to": "submitted"}, token=self.agent_tok)
        self.srv.request("POST", "/api/v1/projects/%d/transitions" % pid, {"to": "accepted"}, token=self.admin)
        ids = []
        for purpose, room, a, b in (("opening", self.opening_room, eval_from - HOUR, eval_from),
                                    ("evaluation", self.eval_room, eval_from, eval_to)):
            r = self.srv.request("POST", "/api/v1/venues/bookings", {
                "room_id": room["id"], "project_id": pid, "purpose": purpose, "lots": [1],
                "start_us": a, "end_us": b, "people": 9}, token=self.agent_tok)
            self.assertEqual(r.status, 201, r)
            self.assertEqual(self.srv.request("POST", "/api/v1/venues/bookings/%d/decision" % r.json["id"],
                                              {"approve": True}, token=self.admin).status, 200)
            ids.append(r.json["id"])
        self.srv.sql("UPDATE projects SET state = 'opened' WHERE id = %d" % pid)
        for i, org in enumerate(bidders):
            self.srv.sql("INSERT INTO bids (project_id, lot_seq, bidder_org_id, bidder_user_id, revision, "
                         "signer_key_id, envelope_sha256, size, received_us, state, state_us) VALUES "
                         "(%d, 1, %d, %d, 1, REPEAT('0', 64), UNHEX(SHA2('%d-%d', 256)), 1, 0, 'current', 0)"
                         % (pid, org, self.bidder["id"], pid, i))
        return pid, ids[1]

    def expert(self, org=None, admit=True, **over):
        user, tok = self.make_user(self.admin, (org or self.employer)["id"], "expert")
        body = dict(PROFILE)
        n = len(getattr(self, "experts", []))
        if n % 5 != 4:  # most experts give a phone for SMS; some do not
            body["phone"] = "1380000%04d" % n
        body.update(over)
        r = self.srv.request("POST", "/api/v1/experts/me", body, token=tok)
        self.assertEqual(r.status, 201, r)
        if admit:
            r = self.srv.request("POST", "/api/v1/experts/%d/admit" % user["id"], token=self.admin)
            self.assertEqual(r.status, 200, r)
        e = {"user": user, "tok": tok, "phone": body.get("phone")}
        self.experts = getattr(self, "experts", []) + [e]
        return e

    def rule(self, r, status, rule):
        self.assertEqual((r.status, (r.json or {}).get("error", {}).get("rule")), (status, rule), r)

    def signed(self, tok, domain, fields, key=None):
        """A signed act of the caller: their key registered once, fields with user_id, platform and
        signed_us; returns the body members key_id, signed_us, signature."""
        me = self.srv.request("GET", "/api/v1/me", token=tok).json
        cache = self.__dict__.setdefault("_keys", {})
        if me["id"] not in cache:
            k, r = self.register_key(tok)
            cache[me["id"]] = (k, r.json["key_id"])
        k, kid = cache[me["id"]]
        f = dict(fields, user_id=me["id"], platform="ggzy.test", signed_us=self.server_now())
        return {"key_id": kid, "signed_us": f["signed_us"], "signature": sign_act(key or k, domain, f)}

    def entries(self, draw_id):
        self.srv.wait_sequenced()
        rows = self.srv.sql("SELECT CAST(entry AS CHAR) FROM audit_entries WHERE object_type = 'draw' AND object_id = %d "
                            "ORDER BY idx" % draw_id)
        out = {}
        for (e,) in rows:
            e = json.loads(e)
            out.setdefault(e["action"], e["payload"]) if e["action"] not in ("draw.answer", "draw.expire", "draw.replace") \
                else out.setdefault(e["action"] + "s", []).append(e["payload"])
        return out

    def cosign(self, draw, tok):
        r = self.srv.request("GET", "/api/v1/draws/%d" % draw["id"], token=self.admin).json
        body = self.signed(tok, "ggzy-draw-cosign-v1", {"draw_id": draw["id"], "seed_commit": r["seed_commit"]})
        return self.srv.request("POST", "/api/v1/draws/%d/cosign" % draw["id"], body, token=tok)

    def entropy(self, draw, value="值-2026-12-02"):
        d = self.srv.request("GET", "/api/v1/draws/%d" % draw["id"], token=self.admin).json
        body = self.signed(self.sup_tok, "ggzy-draw-entropy-v1", {
            "draw_id": draw["id"], "seed_commit": d["seed_commit"], "pool_sha256": d["pool_sha256"],
            "value": value})
        body["value"] = value
        return self.srv.request("POST", "/api/v1/draws/%d/entropy" % draw["id"], body, token=self.sup_tok)

    def answer(self, e, draw_id, accept, reason=None):
        mine = self.srv.request("GET", "/api/v1/experts/me/assignments", token=e["tok"]).json["items"]
        a = [x for x in mine if x["draw_id"] == draw_id]
        pseud = a[0]["pseudonym"] if a else "0" * 16
        body = self.signed(e["tok"], "ggzy-draw-answer-v1", {"draw_id": draw_id, "pseudonym": pseud,
                                                              "accept": accept})
        body["accept"] = accept
        if reason:
            body["reason"] = reason
        return self.srv.request("POST", "/api/v1/experts/me/assignments/%d/answer" % draw_id, body, token=e["tok"])

    def ask(self, pid, booking, groups=(("A0101", 4),), owner_reps=1, reserves=2, regions=("110000",)):
        return self.srv.request("POST", "/api/v1/draws", {
            "project_id": pid, "booking_id": booking, "owner_reps": owner_reps, "reserves": reserves,
            "groups": [{"specialty": s, "count": n} for s, n in groups], "regions": list(regions)},
            token=self.agent_tok)

    def run_ggzy(self, *args, token=None):
        env = dict(os.environ, GGZY_SERVER="https://localhost:%d" % self.srv.port, GGZY_CA=CA)
        if token:
            env["GGZY_TOKEN"] = token
        return subprocess.run([GGZY] + list(args), capture_output=True, text=True, env=env, timeout=120)

    def verify(self, draw_id):
        self.srv.request("POST", "/api/v1/audit/checkpoints", token=self.sup_tok)
        self.srv.wait_sequenced()
        self.srv.request("POST", "/api/v1/audit/checkpoints", token=self.sup_tok)
        self.vkey = self.srv.request("GET", "/api/v1/audit/vkey").json["vkey"]
        p = self.run_ggzy("audit", "export", token=self.sup_tok)
        self.assertEqual(p.returncode, 0, p.stderr)
        path = os.path.join(tempfile.mkdtemp(), "log.export")
        self.addCleanup(lambda: os.path.exists(path) and os.remove(path))
        with open(path, "w") as f:
            f.write(p.stdout)
        return self.run_ggzy("draw", "verify", "--file", path, "--draw", str(draw_id), "--vkey", self.vkey), path


class LibraryTest(ExpertFixture):
    def test_the_classification_is_public_and_admission_follows_the_rule_table(self):
        spec = self.srv.request("GET", "/api/v1/experts/specialties").json["items"]
        self.assertIn({"code": "A0101", "name": "建筑结构", "parent": "A01"}, spec)
        user, tok = self.make_user(self.admin, self.employer["id"], "expert")
        bad = dict(PROFILE, specialties=["Z99"])
        self.rule(self.srv.request("POST", "/api/v1/experts/me", bad, token=tok), 422, "EXP-SPECIALTY")
        self.rule(self.srv.request("POST", "/api/v1/experts/me", dict(PROFILE, birth_year=1970, field_since=1960),
                                   token=tok), 422, "EXP-PROFILE")
        now_year = int(self.srv.request("GET", "/healthz").json["now_us"] // (365.25 * DAY)) + 1970
        for over, rule in (({"field_since": now_year - 5}, "R-EXPERT-YEARS"),
                           ({"title": "deputy_senior"}, "R-EXPERT-TITLE"),
                           ({"birth_year": now_year - 75}, "R-EXPERT-AGE"),
                           ({"e_evaluation": False}, "R-EXPERT-E-EVAL")):
            r = self.srv.request("POST", "/api/v1/experts/me", dict(PROFILE, **over), token=tok)
            self.assertIn(r.status, (200, 201), r)
            self.rule(self.srv.request("POST", "/api/v1/experts/%d/admit" % user["id"], token=self.admin), 422, rule)
        self.assertEqual(self.srv.request("POST", "/api/v1/experts/me", PROFILE, token=tok).status, 200)
        self.assertEqual(self.srv.request("POST", "/api/v1/experts/%d/admit" % user["id"], token=self.admin).status, 200)
        # admitted: a change that breaks a condition is refused with it
        self.rule(self.srv.request("POST", "/api/v1/experts/me", dict(PROFILE, title="intermediate"), token=tok),
                  422, "R-EXPERT-TITLE")
        me = self.srv.request("GET", "/api/v1/experts/me", token=tok).json
        self.assertEqual((me["state"], me["employer"]["credit_code"], me["specialties"][0]["name"]),
                         ("active", self.employer["credit_code"], "建筑结构"))
        # who may do what
        self.assertEqual(self.srv.request("POST", "/api/v1/experts/me", PROFILE, token=self.bidder_tok).status, 403)
        self.assertEqual(self.srv.request("GET", "/api/v1/experts", token=self.agent_tok).status, 403)
        self.assertEqual(self.srv.request("POST", "/api/v1/experts/%d/admit" % user["id"], token=self.sup_tok).status,
                         403)
        self.assertEqual(len(self.srv.request("GET", "/api/v1/experts?state=active", token=self.sup_tok).json["items"]),
                         1)
        # suspension is a recorded decision with its reason; removal is final
        r = self.srv.request("POST", "/api/v1/experts/%d/state" % user["id"],
                             {"state": "suspended", "reason": "评标中违规", "until_us": self.at(0, day=30)},
                             token=self.admin)
        self.assertEqual(r.status, 200, r)
        self.srv.request("POST", "/api/v1/experts/%d/state" % user["id"], {"state": "removed", "reason": "严重违规"},
                         token=self.admin)
        self.assertError(self.srv.request("POST", "/api/v1/experts/%d/state" % user["id"],
                                          {"state": "active", "reason": "恢复"}, token=self.admin),
                         409, "invalid_transition")
        self.srv.wait_sequenced()
        acts = [a for (a,) in self.srv.sql("SELECT action FROM audit_entries WHERE object_type = 'expert' AND object_id = %d "
                                           "ORDER BY idx" % user["id"])]
        self.assertEqual(acts[-3:], ["expert.admit", "expert.state", "expert.state"])

    def test_an_experts_key_is_certified_as_an_experts_whatever_their_employer(self):
        e = self.expert()
        _, r = self.register_key(e["tok"])
        self.assertEqual(r.json["certificate"]["side"] if "certificate" in r.json else "expert", "expert", r)
        from harness import issue_cert
        from cryptography.hazmat.primitives.asymmetric import ec
        k = ec.generate_private_key(ec.SECP256R1())
        # the employer is a bidder: a bidder-CA certificate does not make an expert's key
        cert = issue_cert(k.public_key(), self.employer["credit_code"], "bidder")
        _, r = self.register_key(e["tok"], key=k, cert=cert, expect=None)
        self.assertEqual((r.status, r.json["error"]["rule"]), (422, "KEY-CERT-SIDE"), r)


class DrawTest(ExpertFixture):
    def library(self, pid):
        """Fourteen experts of A0101; five of them are not eligible, each for one reason."""
        ok = [self.expert() for _ in range(9)]
        self.expert(org=self.tenderer)  # employed by the tenderer
        rel = self.expert()
        r = self.srv.request("POST", "/api/v1/experts/me/relations", {
            "kind": "relative", "credit_code": self.bidder_org["credit_code"], "org_name": "投标人"},
            token=rel["tok"])
        # a relation the expert may not end alone; staff may, and it then still counts for years
        self.assertEqual(self.srv.request("POST", "/api/v1/experts/%d/relations/%d/end" % (rel["user"]["id"], r.json["id"]),
                                          {"ended_us": self.server_now(), "reason": "离职"}, token=rel["tok"]).status, 403)
        self.assertEqual(self.srv.request("POST", "/api/v1/experts/%d/relations/%d/end" % (rel["user"]["id"], r.json["id"]),
                                          {"ended_us": self.server_now(), "reason": "离职证明"}, token=self.admin).status, 200)
        sus = self.expert()
        self.srv.request("POST", "/api/v1/experts/%d/state" % sus["user"]["id"],
                         {"state": "suspended", "reason": "调查中"}, token=self.admin)
        leave = self.expert()
        self.srv.request("POST", "/api/v1/experts/me/leaves", {"start_us": self.at(0), "end_us": self.at(23)},
                         token=leave["tok"])
        self.expert(region="120000")  # another region, shared with its own region only
        return ok

    def test_a_draw_is_committed_pooled_seeded_and_replayed_from_the_log_alone(self):
        pid, booking = self.opened_project(self.at(10), self.at(12), bidders=[self.bidder_org["id"]])
        ok = self.library(pid)
        self.clock(self.at(10) - 30 * HOUR)
        self.rule(self.ask(pid, booking), 409, "DRAW-WINDOW")
        self.clock(self.at(8))
        self.rule(self.ask(pid, booking, groups=(("A0101", 4),), owner_reps=2), 422, "R-COMMITTEE-SIZE")
        self.rule(self.ask(pid, booking, groups=(("A0101", 3),), owner_reps=2), 422, "R-COMMITTEE-EXPERTS")
        self.rule(self.ask(pid, booking, groups=(("A0101", 10),), owner_reps=1), 422, "DRAW-CAPACITY")
        self.rule(self.ask(pid, booking, groups=(("Z1", 4),)), 422, "DRAW-SPECIALTY")
        r = self.ask(pid, booking, regions=("110000", "120000"))
        self.assertEqual(r.status, 201, r)
        draw = r.json
        self.assertEqual((draw["state"], draw["size"], draw["pool_sha256"]), ("committed", 5, None))
        self.rule(self.ask(pid, booking), 409, "DRAW-EXISTS")
        # the supervisor cannot seed a draw whose pool is not fixed; one staff member is not two
        self.assertError(self.entropy(draw), 409, "invalid_transition")
        self.assertEqual(self.cosign(draw, self.admin).json["state"], "committed")
        self.rule(self.cosign(draw, self.admin), 409, "DRAW-COSIGNED")
        r = self.cosign(draw, self.staff2_tok)
        self.assertEqual((r.status, r.json["state"], r.json["pool_size"]), (200, "pooled", 9), r)
        pool_entry = self.entries(draw["id"])["draw.pool"]
        self.assertEqual({k: v for k, v in pool_entry["excluded"].items() if v},
                         {"employed": 1, "related": 1, "suspended": 1, "on_leave": 1, "region": 1})
        # pseudonyms and groups, never ids or names
        self.assertTrue(all(len(p) == 2 and len(p[0]) == 16 and p[1] == "A0101" for p in pool_entry["pool"]))
        self.assertNotIn(ok[0]["user"]["display_name"], json.dumps(pool_entry, ensure_ascii=False))
        # a value signed with someone else's key, or for another pool, is refused
        d = self.srv.request("GET", "/api/v1/draws/%d" % draw["id"], token=self.admin).json
        body = self.signed(self.sup_tok, "ggzy-draw-entropy-v1", {
            "draw_id": draw["id"], "seed_commit": d["seed_commit"], "pool_sha256": "00" * 32, "value": "x"})
        body["value"] = "x"
        self.rule(self.srv.request("POST", "/api/v1/draws/%d/entropy" % draw["id"], body, token=self.sup_tok),
                  422, "DRAW-SIGNATURE")
        r = self.entropy(draw)
        self.assertEqual((r.status, r.json["state"]), (200, "drawn"), r)
        log = self.entries(draw["id"])
        orders = replay(log, ["A0101"])
        invited = [s["pseudonym"] for s in log["draw.seeded"]["steps"] if s["state"] == "invited"]
        self.assertEqual(invited, orders["A0101"][:4])
        # secrecy: staff and supervisors see names (and the read is logged); the agent sees states
        view = self.srv.request("GET", "/api/v1/draws/%d" % draw["id"], token=self.agent_tok).json
        self.assertEqual(len(view["members"]), 4)
        self.assertNotIn("user_id", view["members"][0])
        self.assertNotIn("name", view["members"][0])
        self.assertEqual(self.srv.request("GET", "/api/v1/draws/%d" % draw["id"], token=self.bidder_tok).status, 403)
        self.assertEqual(self.srv.request("GET", "/api/v1/draws/%d" % draw["id"]).status, 401)
        other = self.make_org(self.admin, "agency")
        _, other_tok = self.make_user(self.admin, other["id"], "agent")
        self.assertEqual(self.srv.request("GET", "/api/v1/draws/%d" % draw["id"], token=other_tok).status, 404)
        self.assertEqual(self.srv.request("GET", "/api/v1/draws/%d" % draw["id"], token=ok[0]["tok"]).status, 403)
        full = self.srv.request("GET", "/api/v1/draws/%d" % draw["id"], token=self.sup_tok).json
        by_user = {m["user_id"]: m for m in full["members"]}
        self.assertIn("draw.read", self.entries(draw["id"]))
        drawn = [e for e in self.experts if e["user"]["id"] in by_user]
        outsider = [e for e in ok if e["user"]["id"] not in by_user][0]
        # an expert sees their own assignment: time and place, not the project
        inbox = self.srv.request("GET", "/api/v1/me/inbox", token=drawn[0]["tok"]).json["items"]
        self.assertEqual([(m["kind"], m["ref"]) for m in inbox], [("draw.invitation", {"type": "draw", "id": draw["id"]})])
        self.assertIn("评标室", inbox[0]["body"])
        self.assertNotIn("某工程", inbox[0]["body"])
        self.assertEqual(self.srv.request("POST", "/api/v1/me/inbox/%d/read" % inbox[0]["id"],
                                          token=drawn[0]["tok"]).status, 200)
        self.assertEqual(self.srv.request("POST", "/api/v1/me/inbox/%d/read" % inbox[0]["id"],
                                          token=drawn[1]["tok"]).status, 404)
        # the phone channel (here the development file channel) gets it from the outbox's job
        phoned = [e for e in drawn if e.get("phone")]
        self.assertTrue(phoned)
        self.srv.request("POST", "/api/v1/test/clock", {"advance_us": 11 * 10**6})
        path = os.path.join(self.srv.dir, "outbox.jsonl")
        deadline = time.time() + 15
        def written():
            if not os.path.exists(path):
                return ""
            with open(path) as f:
                return f.read()
        while time.time() < deadline and written().count("\n") < len(phoned):
            time.sleep(0.2)
        lines = [json.loads(x) for x in written().splitlines()]
        self.assertEqual(sorted(x["to"] for x in lines), sorted(e["phone"] for e in phoned))
        self.assertEqual({x["channel"] for x in lines}, {"file (development)"})
        mine = self.srv.request("GET", "/api/v1/experts/me/assignments", token=drawn[0]["tok"]).json["items"]
        self.assertEqual((len(mine), mine[0]["state"], mine[0]["session_start_us"]), (1, "invited", self.at(10)))
        self.assertNotIn("project_id", mine[0])
        self.assertIn("评标室", mine[0]["place"])
        self.assertEqual(self.answer(outsider, draw["id"], True).status, 404)
        # a decline is replaced by the next of the same order
        r = self.answer(drawn[0], draw["id"], False, reason="出差")
        self.assertEqual(r.status, 200, r)
        self.assertError(self.answer(drawn[0], draw["id"], True), 409, "invalid_transition")
        for e in drawn[1:]:
            self.assertEqual(self.answer(e, draw["id"], True).status, 200)
        log = self.entries(draw["id"])
        steps = [s for a in log["draw.answers"] for s in a["steps"]]
        self.assertEqual([s["pseudonym"] for s in steps], [orders["A0101"][4]])
        nxt = [m for m in self.srv.request("GET", "/api/v1/draws/%d" % draw["id"], token=self.admin).json["members"]
               if m["state"] == "invited"][0]
        e = [x for x in self.experts if x["user"]["id"] == nxt["user_id"]][0]
        self.assertEqual(self.answer(e, draw["id"], True).status, 200)
        final = self.srv.request("GET", "/api/v1/draws/%d" % draw["id"], token=self.admin).json
        self.assertEqual(final["state"], "complete")
        self.assertEqual(sorted(m["state"] for m in final["members"]), ["confirmed"] * 4 + ["declined"])
        # a member who must recuse during the evaluation is replaced from the same stream
        first = [m["pseudonym"] for m in final["members"] if m["state"] == "confirmed"][0]
        self.assertEqual(self.srv.request("POST", "/api/v1/draws/%d/members/%s/replace" % (draw["id"], first),
                                          {"cause": "recusal", "reason": "与投标人有利害关系"},
                                          token=self.agent_tok).status, 403)
        r = self.srv.request("POST", "/api/v1/draws/%d/members/%s/replace" % (draw["id"], first),
                             {"cause": "recusal", "reason": "与投标人有利害关系"}, token=self.admin)
        self.assertEqual(r.status, 200, r)
        rep = self.entries(draw["id"])["draw.replaces"][0]
        self.assertEqual(([s["pseudonym"] for s in rep["steps"]], rep["state"]), ([orders["A0101"][5]], "drawn"))
        self.assertIn("void_from_us", rep)
        self.assertError(self.srv.request("POST", "/api/v1/draws/%d/members/%s/replace" % (draw["id"], first),
                                          {"cause": "recusal", "reason": "again"}, token=self.admin),
                         409, "invalid_transition")
        self.assertEqual(self.srv.sql("SELECT secret IS NULL FROM draws WHERE id = %d" % draw["id"])[0][0], "1")
        # `ggzy draw verify` replays it from a supervisor's export of the log alone
        p, path = self.verify(draw["id"])
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("OK: draw %d replays from the log" % draw["id"], p.stdout)
        said_yes = {a["pseudonym"] for a in self.entries(draw["id"])["draw.answers"] if a["answer"] == "confirmed"}
        walk = " ".join(o + ("(replaced)" if o == first else "(confirmed)" if o in said_yes else "")
                        for o in orders["A0101"][:6])
        self.assertIn("group A0101 (4 of 9 in the pool): " + walk + "\n", p.stdout)
        # the project's timeline replays clean: signatures (cosigners, supervisor, experts' own
        # side), actors, and every draw invariant; then an invitation out of stream order that
        # an insider writes into the log is named (up to a checkpoint asked for now)
        self.srv.wait_sequenced()
        self.assertIn(self.srv.request("POST", "/api/v1/audit/checkpoints", token=self.sup_tok).status, (200, 201))
        p = self.run_ggzy("audit", "replay", "--project", str(pid), "--vkey", self.vkey, token=self.sup_tok)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("draw.seeded", p.stdout)
        wrong = orders["A0101"][8]
        r = self.srv.request("POST", "/api/v1/test/audit/entries", {
            "action": "draw.expire", "object_type": "draw", "object_id": draw["id"], "project_id": pid,
            "system_actor": "system:draw-monitor",
            "payload": {"draw_id": draw["id"], "expired": [], "state": "drawn",
                        "steps": [{"group": "A0101", "rank": 6, "pseudonym": wrong, "state": "invited"}]}},
            token=self.admin)
        self.assertIn(r.status, (200, 201), r)
        self.verify(draw["id"])  # a checkpoint that covers it
        p = self.run_ggzy("audit", "replay", "--project", str(pid), "--vkey", self.vkey, token=self.sup_tok)
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertIn("VIOLATION INV-DRAW-ORDER", p.stdout)
        self.assertIn(wrong, p.stdout)
        p, path = self.verify(draw["id"])
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertIn("FAILED: INV-DRAW-ORDER", p.stdout)
        # an operator who swaps the order of the pool's members in the log is caught
        with open(path) as f:
            text = f.read()
        a, b = pool_entry["pool"][0][0], pool_entry["pool"][1][0]
        with open(path, "w") as f:
            f.write(text.replace(a, "X" * 16).replace(b, a).replace("X" * 16, b))
        p = self.run_ggzy("draw", "verify", "--file", path, "--draw", str(draw["id"]), "--vkey", self.vkey)
        self.assertNotEqual(p.returncode, 0, p.stdout)

    def test_silence_is_a_decline_and_a_committee_short_of_reserves_goes_back_to_the_agent(self):
        pid, booking = self.opened_project(self.at(10), self.at(12))
        for _ in range(10):
            self.expert()
        self.clock(self.at(8))
        draw = self.ask(pid, booking, reserves=1).json
        self.cosign(draw, self.admin)
        self.cosign(draw, self.staff2_tok)
        self.assertEqual(self.entropy(draw).json["state"], "drawn")
        self.clock(self.at(8, 31))  # the scheduler runs experts.answers-expire on the moved clock
        deadline = time.time() + 15
        while "draw.expires" not in self.entries(draw["id"]) and time.time() < deadline:
            time.sleep(0.2)
        log = self.entries(draw["id"])
        self.assertEqual(len(log["draw.expires"][0]["expired"]), 4)
        # four silent, one reserve: the group's walk ends short
        self.assertEqual(log["draw.expires"][0]["state"], "short")
        self.assertEqual(self.srv.request("GET", "/api/v1/draws/%d" % draw["id"], token=self.agent_tok).json["state"],
                         "short")
        # the agent may ask again: a new commitment, next to the first in the log
        self.assertEqual(self.ask(pid, booking, reserves=1).status, 201)


class BeaconTest(ExpertFixture):
    """With a public value configured (RFC 3797 §4), the seed waits for it after the supervisor's."""
    server_args = {"conf": {"experts.beacon_source": "中国福利彩票双色球开奖号码（抽取后第一期）"}}

    def test_the_seed_waits_for_a_public_value_published_after_the_pool(self):
        pid, booking = self.opened_project(self.at(10), self.at(12))
        for _ in range(10):
            self.expert()
        self.clock(self.at(8))
        draw = self.ask(pid, booking).json
        self.assertEqual(self.entries(draw["id"])["draw.request"]["beacon_source"],
                         "中国福利彩票双色球开奖号码（抽取后第一期）")
        self.cosign(draw, self.admin)
        self.cosign(draw, self.staff2_tok)
        pooled_at = self.server_now()
        r = self.entropy(draw)
        self.assertEqual((r.status, r.json["state"], r.json["seed"]), (200, "valued", None), r)
        self.assertIn("draw.value", self.entries(draw["id"]))
        beacon = "03 07 12 19 25 31 + 09"
        self.assertEqual(self.srv.request("POST", "/api/v1/draws/%d/beacon" % draw["id"],
                                          {"value": beacon, "published_us": pooled_at}, token=self.sup_tok).status, 403)
        self.rule(self.srv.request("POST", "/api/v1/draws/%d/beacon" % draw["id"],
                                   {"value": beacon, "published_us": pooled_at - 60 * 10**6}, token=self.admin),
                  422, "DRAW-BEACON-TIME")
        self.clock(self.at(8, 20))
        r = self.srv.request("POST", "/api/v1/draws/%d/beacon" % draw["id"],
                             {"value": beacon, "published_us": self.at(8, 15)}, token=self.admin)
        self.assertEqual((r.status, r.json["state"]), (200, "drawn"), r)
        log = self.entries(draw["id"])
        self.assertEqual(log["draw.seeded"]["beacon"], beacon)
        orders = replay(log, ["A0101"])
        self.assertEqual([s["pseudonym"] for s in log["draw.seeded"]["steps"]], orders["A0101"][:4])


class AgencyDrawTest(ExpertFixture):
    """A tenderer draws its agency from the register with the same engine and the same replay."""

    def test_a_tenderer_draws_its_agency_from_the_register_and_the_log_replays_it(self):
        agencies = []
        for i in range(7):
            org = self.make_org(self.admin, "agency", name="代理机构%d" % i)
            body = {"categories": ["procurement"], "affiliates": [], "state": "active"}
            if i == 4:
                body["affiliates"] = [self.tenderer["credit_code"]]  # affiliated with the tenderer
            if i == 5:
                body["state"] = "suspended"
                body["reason"] = "违规"
            r = self.srv.request("POST", "/api/v1/agencies/%d/registration" % org["id"], body, token=self.admin)
            self.assertEqual(r.status, 200, r)
            agencies.append(org)
        self.rule(self.srv.request("POST", "/api/v1/agencies/%d/registration" % self.bidder_org["id"], {
            "categories": ["procurement"], "affiliates": [], "state": "active"}, token=self.admin), 422, "DRAW-AGENCY")
        self.assertEqual(len(self.srv.request("GET", "/api/v1/agencies?category=procurement").json["items"]), 7)
        # only a tenderer's own people ask
        ask = {"category": "procurement", "regions": ["110000"], "count": 1, "reserves": 1}
        self.assertEqual(self.srv.request("POST", "/api/v1/agency-draws", ask, token=self.agent_tok).status, 403)
        owner, owner_tok = self.make_user(self.admin, self.tenderer["id"], "tenderer")
        r = self.srv.request("POST", "/api/v1/agency-draws", ask, token=owner_tok)
        self.assertEqual(r.status, 201, r)
        draw = r.json
        self.assertEqual(self.srv.request("GET", "/api/v1/draws/%d" % draw["id"], token=self.agent_tok).status, 404)
        self.cosign(draw, self.admin)
        r = self.cosign(draw, self.staff2_tok)
        self.assertEqual((r.status, r.json["pool_size"]), (200, 5), r)
        log = self.entries(draw["id"])
        self.assertEqual({k: v for k, v in log["draw.pool"]["excluded"].items() if v}, {"related": 1, "suspended": 1})
        r = self.entropy(draw)
        self.assertEqual((r.status, r.json["state"]), (200, "complete"), r)
        log = self.entries(draw["id"])
        orders = replay(log, ["agency"])
        self.assertEqual([s["pseudonym"] for s in log["draw.seeded"]["steps"]], orders["agency"][:1])
        # the result is the agency itself: revealed into the log once complete
        self.clock(self.server_now() + 61 * 10**6)
        deadline = time.time() + 15
        while "draw.reveal" not in self.entries(draw["id"]) and time.time() < deadline:
            time.sleep(0.2)
        chosen = self.entries(draw["id"])["draw.reveal"]["members"][0]
        self.assertIn(chosen["user_id"], [a["id"] for i, a in enumerate(agencies) if i not in (4, 5)])
        self.assertEqual(chosen["name"], [a["name"] for a in agencies if a["id"] == chosen["user_id"]][0])
        owner_tok = self.srv.login(owner["username"], "user-password-1")
        view = self.srv.request("GET", "/api/v1/draws/%d" % draw["id"], token=owner_tok).json
        self.assertEqual(view["members"][0]["name"], chosen["name"])
        # the whole log replays: the agency draw's commitment, pool, seed and order included
        p, _ = self.verify(draw["id"])
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)


class ResultTest(ExpertFixture):
    def test_once_the_result_is_published_the_names_are_revealed_and_the_members_rated(self):
        pid, booking = self.opened_project(self.at(10), self.at(12))
        for _ in range(10):
            self.expert()
        insider = self.expert(org=self.tenderer)  # works for the tenderer: never in the pool
        self.clock(self.at(8))
        draw = self.ask(pid, booking).json
        self.cosign(draw, self.admin)
        self.cosign(draw, self.staff2_tok)
        self.entropy(draw)
        full = self.srv.request("GET", "/api/v1/draws/%d" % draw["id"], token=self.admin).json
        for m in full["members"]:
            e = [x for x in self.experts if x["user"]["id"] == m["user_id"]][0]
            self.assertEqual(self.answer(e, draw["id"], True).status, 200)
        member = full["members"][0]
        path = "/api/v1/draws/%d/members/%s/rating" % (draw["id"], member["pseudonym"])
        self.rule(self.srv.request("POST", path, {"score": 5}, token=self.agent_tok), 409, "DRAW-RATING-EARLY")
        # the agent sees no names while the evaluation runs
        view = self.srv.request("GET", "/api/v1/draws/%d" % draw["id"], token=self.agent_tok).json
        self.assertNotIn("name", view["members"][0])
        # the evaluation is over and its result published (the state the result announcement owns)
        self.srv.sql("UPDATE projects SET state = 'candidates_published' WHERE id = %d" % pid)
        self.clock(self.at(13))
        deadline = time.time() + 15
        while "draw.reveal" not in self.entries(draw["id"]) and time.time() < deadline:
            time.sleep(0.2)
        reveal = self.entries(draw["id"])["draw.reveal"]
        self.assertEqual({(m["pseudonym"], m["user_id"]) for m in reveal["members"]},
                         {(m["pseudonym"], m["user_id"]) for m in full["members"]})
        view = self.srv.request("GET", "/api/v1/draws/%d" % draw["id"], token=self.agent_tok).json
        self.assertEqual({m["name"] for m in view["members"]}, {m["name"] for m in full["members"]})
        self.assertIsNotNone(view["revealed_us"])
        # the agent and a supervisor rate a member once each; nobody else does
        self.assertEqual(self.srv.request("POST", path, {"score": 2, "comment": "迟到"}, token=self.agent_tok).status, 201)
        self.rule(self.srv.request("POST", path, {"score": 3}, token=self.agent_tok), 409, "DRAW-RATED")
        self.assertEqual(self.srv.request("POST", path, {"score": 4}, token=self.sup_tok).status, 201)
        self.assertEqual(self.srv.request("POST", path, {"score": 4}, token=self.bidder_tok).status, 403)
        self.assertEqual(self.srv.request("POST", path, {"score": 9}, token=self.sup_tok).status, 422)
        prof = self.srv.request("GET", "/api/v1/experts/%d" % member["user_id"], token=self.sup_tok).json
        self.assertEqual(prof["rating_summary"], {"count": 2, "score_sum": 6})
        e = [x for x in self.experts if x["user"]["id"] == member["user_id"]][0]
        self.assertNotIn("ratings", self.srv.request("GET", "/api/v1/experts/me", token=e["tok"]).json)
        # the whole log replays clean, avoidance included now that the names are in it
        p, path = self.verify(draw["id"])
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        p = self.run_ggzy("audit", "replay", "--file", path, "--vkey", self.vkey, token=self.sup_tok)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        # a reveal naming the tenderer's own employee (what a swapped mapping would say) is caught
        fake = dict(reveal["members"][0], user_id=insider["user"]["id"])
        r = self.srv.request("POST", "/api/v1/test/audit/entries", {
            "action": "draw.reveal", "object_type": "draw", "object_id": draw["id"], "project_id": pid,
            "system_actor": "system:draw-reveal", "payload": {"draw_id": draw["id"], "members": [fake]}},
            token=self.admin)
        self.assertIn(r.status, (200, 201), r)
        p, path = self.verify(draw["id"])
        p = self.run_ggzy("audit", "replay", "--file", path, "--vkey", self.vkey, token=self.sup_tok)
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertIn("VIOLATION INV-DRAW-AVOID", p.stdout)
        self.assertIn("VIOLATION INV-DRAW-MAP", p.stdout)  # and the pseudonym was never theirs


class OnePlaceTest(ExpertFixture):
    def test_two_draws_at_once_never_put_one_expert_in_overlapping_sessions(self):
        p1, b1 = self.opened_project(self.at(10), self.at(12))
        self.eval_room = self.room("第二评标室", "evaluation", 9)
        self.opening_room = self.room("第二开标室", "opening", 40)
        p2, b2 = self.opened_project(self.at(10, 30), self.at(12, 30))
        for _ in range(10):
            self.expert()
        self.clock(self.at(8))
        draws = []
        for pid, b in ((p1, b1), (p2, b2)):
            d = self.ask(pid, b, reserves=5).json
            self.cosign(d, self.admin)
            self.assertEqual(self.cosign(d, self.staff2_tok).json["pool_size"], 10)
            draws.append(d)
        with concurrent.futures.ThreadPoolExecutor(2) as ex:
            rs = list(ex.map(self.entropy, draws))
        self.assertEqual([r.status for r in rs], [200, 200], rs)
        members = []
        for d in draws:
            full = self.srv.request("GET", "/api/v1/draws/%d" % d["id"], token=self.admin).json
            members.append({m["user_id"] for m in full["members"] if m["state"] == "invited"})
        self.assertEqual((len(members[0]), len(members[1])), (4, 4))
        self.assertEqual(members[0] & members[1], set())

class SessionTest(ExpertFixture):
    """The committee in the room (docs/venues.md §4, §5): only its confirmed members sign in to
    the evaluation, and when the center relocates the session the members' assignment follows
    the booking and each member is told."""

    def sign_in(self, e, booking):
        body = self.signed(e["tok"], "ggzy-attendance-v1", {"booking_id": booking, "mode": "in_room"})
        body["mode"] = "in_room"
        return self.srv.request("POST", "/api/v1/venues/bookings/%d/attendance" % booking, body, token=e["tok"])

    def test_only_confirmed_members_sit_in_the_session_and_a_relocation_takes_them_along(self):
        pid, booking = self.opened_project(self.at(10), self.at(12))
        for _ in range(8):
            self.expert()
        self.clock(self.at(8))
        draw = self.ask(pid, booking).json
        self.cosign(draw, self.admin)
        self.cosign(draw, self.staff2_tok)
        self.assertEqual(self.entropy(draw).status, 200)
        full = self.srv.request("GET", "/api/v1/draws/%d" % draw["id"], token=self.admin).json
        by_user = {m["user_id"] for m in full["members"]}
        members = [e for e in self.experts if e["user"]["id"] in by_user]
        outsider = [e for e in self.experts if e["user"]["id"] not in by_user][0]
        for e in members:
            self.assertEqual(self.answer(e, draw["id"], True).status, 200)
        # the center relocates the evaluation room's sessions before it begins
        spare = self.room("备用评标室", "evaluation", 9)
        r = self.srv.request("POST", "/api/v1/venues/rooms/%d/relocate" % self.eval_room["id"],
                             {"reason": "空调故障"}, token=self.admin)
        self.assertEqual(r.status, 200, r)
        self.assertEqual([(m["booking_id"], m["to_room_id"]) for m in r.json["moves"]], [(booking, spare["id"])])
        for e in members[:2]:  # the assignment names the new room
            mine = self.srv.request("GET", "/api/v1/experts/me/assignments", token=e["tok"]).json["items"]
            self.assertIn("备用评标室", [a for a in mine if a["draw_id"] == draw["id"]][0]["place"])
            told = [m for m in self.srv.request("GET", "/api/v1/me/inbox", token=e["tok"]).json["items"]
                    if m["kind"] == "draw.session.moved"]
            self.assertEqual(len(told), 1, told)
            self.assertIn("备用评标室", told[0]["body"])
            self.assertNotIn("某工程", told[0]["body"])  # time and place, never the project
            self.assertNotIn("空调", told[0]["body"])
        self.assertEqual([m for m in self.srv.request("GET", "/api/v1/me/inbox", token=outsider["tok"]).json["items"]
                          if m["kind"] == "draw.session.moved"], [])
        # and where the invitation went to a phone, so does the change
        phones = self.srv.sql("SELECT d.address FROM outbox_deliveries d JOIN outbox_messages m ON m.id = d.message_id "
                              "WHERE m.kind = 'draw.session.moved' ORDER BY d.address")
        self.assertEqual([p[0] for p in phones], sorted(e["phone"] for e in members if e.get("phone")))
        # an hour before the session a member who fell ill is replaced: from then on not in the
        # committee. A confirmed member signs in; the replaced one and an outsider are refused
        self.clock(self.at(9, 30))
        gone = next(m["pseudonym"] for m in full["members"] if m["user_id"] == members[1]["user"]["id"])
        r = self.srv.request("POST", "/api/v1/draws/%d/members/%s/replace" % (draw["id"], gone),
                             {"cause": "illness", "reason": "住院"}, token=self.admin)
        self.assertEqual(r.status, 200, r)
        r = self.sign_in(members[0], booking)
        self.assertEqual(r.status, 201, r)
        for e in (members[1], outsider):
            self.rule(self.sign_in(e, booking), 403, "VENUE-ATTENDEE")
        lst = self.srv.request("GET", "/api/v1/venues/bookings/%d/attendance" % booking, token=self.sup_tok).json
        self.assertEqual([(a["user_id"], a["role"]) for a in lst["items"]], [(members[0]["user"]["id"], "expert")])
        # the whole log replays clean: the sign-in is a confirmed member's (INV-VENUE-ATTENDEE)
        p, path = self.verify(draw["id"])
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        p = self.run_ggzy("audit", "replay", "--file", path, "--vkey", self.vkey, token=self.sup_tok)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        # a sign-in of the outsider written around the rules (a bug, a DBA's row) is named
        r = self.srv.request("POST", "/api/v1/test/audit/entries", {
            "action": "venue.attendance", "object_type": "booking", "object_id": booking, "project_id": pid,
            "payload": {"booking_id": booking, "purpose": "evaluation", "mode": "in_room"}}, token=outsider["tok"])
        self.assertIn(r.status, (200, 201), r)
        p, path = self.verify(draw["id"])
        p = self.run_ggzy("audit", "replay", "--file", path, "--vkey", self.vkey, token=self.sup_tok)
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertIn("VIOLATION INV-VENUE-ATTENDEE", p.stdout)
