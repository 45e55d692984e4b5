#!/usr/bin/env python3
"""scripts/demo.py — seed a demonstration tender into a running ggzyd, the way its users would
(docs/operations.md "A demonstration"): `scripts/dev run` calls it on the first start (skip with
--no-demo). It speaks only the public API over HTTPS (curl-free: urllib with the development CA),
makes the keys with openssl, certifies them with the development CAs (certs/issue-dev-cert.sh) and
registers them with `ggzy key register`, as an organization would.

What it makes: a trading center's admin (already bootstrapped), a tender agency with an agent, a
tenderer, a supervision office with a supervisor, three bidders, each person with a certified
signing key under var/demo/keys/; a construction project with one lot, accepted, its opening key
held by the agent, the supervisor and the center (any two open it), and its tender announcement
published. Then it prints how to sign in as each role and which page to open.

usage: scripts/demo.py BASE_URL CA_FILE ADMIN_PASSWORD GGZY_CLI OUT_DIR [award]

With `award` (scripts/dev demo award, against `scripts/dev run --demo-clock`), the seeded tender is
carried on to `closed` through the API, each person signing with their own key, the demonstration
clock moved at each wait: the three bids sealed and submitted with `ggzy bid`, the opening at the
deadline by two custodians (`ggzy opening start`, `ggzy custodian share`), an expert library of eight,
the evaluation room booked and approved, the committee drawn (two staff cosign, the supervisor's
value), confirmed and signed in with the tenderer's representative, the session's thirty signed
acts, the candidates' publicity, the tenderer's decision after it, the award announcement, the
contract signed by both and the written report (docs/evaluation.md). It prints the pages to look at.
"""
import json
import os
import secrets
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request

BASE, CA, ADMIN_PW, CLI, OUT = sys.argv[1:6]
STEP = sys.argv[6] if len(sys.argv) > 6 else "seed"
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
PASSWORD = "demo-password-1"
CTX = ssl.create_default_context(cafile=CA)
DAY = 86400 * 1000000


def call(method, path, body=None, token=None):
    req = urllib.request.Request(BASE + path, method=method,
                                 data=None if body is None else json.dumps(body).encode())
    if body is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, context=CTX, timeout=30) as r:
            return r.status, json.loads(r.read() or b"{}")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def must(status_json, want, what):
    status, j = status_json
    if status != want:
        sys.exit("demo: %s: HTTP %d %s" % (what, status, json.dumps(j, ensure_ascii=False)))
    return j


def credit_code(seq):
    """A valid unified social credit code (GB 32100-2015), distinct per run."""
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    body = ("91110000MA" + "%07d" % (secrets.randbelow(9000000) + seq))[:17]
    s = sum(alphabet.index(ch) * w for ch, w in zip(body, weights))
    return body + alphabet[(31 - s % 31) % 31]


def login(username, password=PASSWORD):
    return must(call("POST", "/api/v1/auth/login", {"username": username, "password": password}),
                200, "sign-in of " + username)["token"]


def certified_key(name, side, code, token):
    """A P-256 key in OUT/keys/NAME.pem, certified by the development CA of side, registered."""
    keys = os.path.join(OUT, "keys")
    os.makedirs(keys, exist_ok=True)
    pem, crt = os.path.join(keys, name + ".pem"), os.path.join(keys, name + ".crt")
    subprocess.run(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
                    "-out", pem], check=True, capture_output=True)
    os.chmod(pem, 0o600)
    subprocess.run([os.path.join(ROOT, "certs", "issue-dev-cert.sh"), side, code, pem, crt, name],
                   check=True, capture_output=True)
    out = subprocess.run([CLI, "--server", BASE, "--ca", CA, "--token", token, "key", "register",
                          "--cert", crt, "--key", pem, "--label", "demo"],
                         capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit("demo: registering %s's key: %s %s" % (name, out.stdout, out.stderr))
    keys_now = must(call("GET", "/api/v1/me/keys", token=token), 200, "keys of " + name)["items"]
    return keys_now[-1]["key_id"], pem


def main():
    os.makedirs(OUT, exist_ok=True)
    admin = login("admin", ADMIN_PW)
    me = must(call("GET", "/api/v1/me", token=admin), 200, "who is admin")
    center = must(call("GET", "/api/v1/orgs/%d" % me["org_id"], token=admin), 200, "the center")
    people = {}

    def org(name, type_, seq):
        return must(call("POST", "/api/v1/orgs", {"name": name, "type": type_, "credit_code": credit_code(seq),
                                                  "region": "110000"}, token=admin), 201, "organization " + name)

    def user(username, display, org_, role):
        must(call("POST", "/api/v1/users", {"username": username, "display_name": display, "org_id": org_["id"],
                                            "role": role, "password": PASSWORD}, token=admin), 201, "user " + username)
        people[username] = {"role": role, "org": org_["name"], "token": login(username)}
        return people[username]

    agency = org("示范招标代理有限公司", "agency", 1)
    tenderer = org("示范市教育局", "tenderer", 2)
    office = org("示范市公共资源交易监督管理办公室", "supervision", 3)
    agent = user("demo-agent", "代理 王工", agency, "agent")
    supervisor = user("demo-supervisor", "监督 李科长", office, "supervisor")
    bidders = []
    for i, name in enumerate(["示范建设集团有限公司", "示范建工有限公司", "示范路桥工程有限公司"], 1):
        b = org(name, "bidder", 10 + i)
        bidders.append((user("demo-bidder%d" % i, "投标人 %d" % i, b, "bidder"), b))

    agent["key"] = certified_key("demo-agent", "agent", agency["credit_code"], agent["token"])
    supervisor["key"] = certified_key("demo-supervisor", "supervision", office["credit_code"], supervisor["token"])
    admin_key = certified_key("admin", "center", center["credit_code"], admin)
    for (u, b), i in zip(bidders, range(1, 4)):
        u["key"] = certified_key("demo-bidder%d" % i, "bidder", b["credit_code"], u["token"])

    project = must(call("POST", "/api/v1/projects", {
        "name": "示范学校教学楼施工", "category": "engineering", "method": "open_tender", "region": "110000",
        "tenderer_org_id": tenderer["id"], "budget_fen": 800000000, "funding_source": "财政资金",
        "legally_required": True, "lots": [{"name": "施工标段", "estimate_fen": 800000000}]},
        token=agent["token"]), 201, "the project")
    pid = project["id"]
    must(call("POST", "/api/v1/projects/%d/transitions" % pid, {"to": "submitted"}, token=agent["token"]), 200,
         "submitting the project")
    accepted = must(call("POST", "/api/v1/projects/%d/transitions" % pid, {"to": "accepted"}, token=admin), 200,
                    "accepting the project")
    custodians = [{"user_id": must(call("GET", "/api/v1/me", token=t), 200, "me")["id"], "key_id": k}
                  for t, k in ((agent["token"], agent["key"][0]), (supervisor["token"], supervisor["key"][0]),
                               (admin, admin_key[0]))]
    must(call("POST", "/api/v1/projects/%d/lots/1/opening-key" % pid, {"custodians": custodians}, token=admin),
         201, "the opening key")
    now = must(call("GET", "/healthz"), 200, "the clock")["now_us"]
    deadline = (now // DAY + 26) * DAY + 2 * 3600 * 1000000  # 10:00 Beijing, 25 days on
    ann = must(call("POST", "/api/v1/projects/%d/announcements" % pid, {
        "type": "tender", "title": "示范学校教学楼施工招标公告",
        "body": "示范学校教学楼施工项目已由示范市发展和改革委员会批准建设，资金来自财政资金，"
                "招标人为示范市教育局。现对该项目的施工进行公开招标，欢迎合格的投标人参加投标。",
        "docs_from_us": now + 60 * 1000000, "docs_until_us": now + 60 * 1000000 + 6 * DAY,
        "bid_deadline_us": deadline, "opening_us": deadline,
        "evaluation": {"method": "comprehensive", "object": "works", "decimals": 1, "price_points": 3000,
                       "criteria": [{"code": "T", "name": "施工组织设计", "max_points": 4000},
                                    {"code": "S", "name": "项目管理机构", "max_points": 3000}]}},
        token=agent["token"]), 201, "the tender announcement")
    # the opening happens in a booked room at the deadline; the announcement states that room
    site = must(call("POST", "/api/v1/venues/sites", {"name": "示范市公共资源交易中心",
                                                      "address": "示范市示范区交易路 1 号", "region": "110000"},
                     token=admin), 201, "the center's site")
    room = must(call("POST", "/api/v1/venues/sites/%d/rooms" % site["id"], {
        "name": "开标一室", "kind": "opening", "capacity": 60, "equipment": ["recording", "screens"],
        "opens": "08:30", "closes": "18:00"}, token=admin), 201, "the opening room")
    eval_room = must(call("POST", "/api/v1/venues/sites/%d/rooms" % site["id"], {
        "name": "评标一室", "kind": "evaluation", "capacity": 9, "equipment": ["recording", "isolated_network"],
        "opens": "08:30", "closes": "18:00"}, token=admin), 201, "the evaluation room")
    booking = must(call("POST", "/api/v1/venues/bookings", {
        "room_id": room["id"], "project_id": pid, "purpose": "opening", "lots": [1], "start_us": deadline,
        "end_us": deadline + 90 * 60 * 1000000, "people": 40}, token=agent["token"]), 201, "booking the opening room")
    must(call("POST", "/api/v1/venues/bookings/%d/decision" % booking["id"], {"approve": True}, token=admin), 200,
         "approving the booking")
    must(call("POST", "/api/v1/announcements/%d/publish" % ann["id"], token=agent["token"]), 200,
         "publishing the tender announcement")

    with open(os.path.join(OUT, "demo.json"), "w") as f:  # what `scripts/dev demo award` goes on from
        json.dump({"project_id": pid, "announcement_id": ann["id"], "site_id": site["id"],
                   "evaluation_room_id": eval_room["id"], "bid_deadline_us": deadline}, f)
    with open(os.path.join(OUT, "seeded"), "w") as f:
        f.write("project %d, announcement %d\n" % (pid, ann["id"]))
    when = time.strftime("%Y-%m-%d %H:%M", time.gmtime(deadline / 1e6 + 8 * 3600)) + " (UTC+8)"
    keys = os.path.join(OUT, "keys")
    print("\n== the demonstration is ready: project %s (id %d), lot 1, tender announcement %d published;"
          " bids close %s" % (accepted.get("code", ""), pid, ann["id"], when))
    print("   every password is %s, except the center admin's: admin / %s" % (PASSWORD, ADMIN_PW))
    print("   - the public portal (the announcement, its signature checked in the page):\n       %s/" % BASE)
    print("   - bid as demo-bidder1 (or 2, 3) on project %d, lot 1, with the key %s/demo-bidder1.pem:\n"
          "       %s/bid.html" % (pid, keys, BASE))
    print("   - open the lot at the deadline as two of demo-agent, demo-supervisor, admin (keys in %s):\n"
          "       %s/custodian.html" % (keys, BASE))
    print("   - the opening record, live:\n       %s/opening.html?project=%d&lot=1" % (BASE, pid))
    print("   - the venues: the week of the center's rooms (the opening room is booked for the deadline);\n"
          "     as demo-agent book an evaluation room for after it, as admin approve it:\n"
          "       %s/venues.html?site=%d&week=%s" % (BASE, site["id"], when[:10]))
    print("   - the supervisor verifies the log on their machine, with a supervisor's token (the CLI is\n"
          "     build/debug/ggzy until installed):\n"
          "       TOKEN=$(curl -s --cacert %s %s/api/v1/auth/login -H 'Content-Type: application/json' "
          "-d '{\"username\":\"demo-supervisor\","
          "\"password\":\"%s\"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"token\"])')\n"
          "       %s --server %s --ca %s --token \"$TOKEN\" audit verify"
          % (CA, BASE, PASSWORD, CLI, BASE, CA))
    print("   - to go on from the bids to closed: scripts/dev run --demo-clock, then scripts/dev demo award")


def sign(pem, domain, fields):
    """A signed act (docs/audit.md §8): ECDSA P-256/SHA-256 over DOMAIN "\n" canonical(fields), as
    base64 of raw r||s."""
    import base64
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
    with open(pem, "rb") as f:
        key = serialization.load_pem_private_key(f.read(), None)
    msg = domain.encode() + b"\n" + json.dumps(fields, sort_keys=True, separators=(",", ":"),
                                                ensure_ascii=False).encode()
    r, s_ = decode_dss_signature(key.sign(msg, ec.ECDSA(hashes.SHA256())))
    return base64.b64encode(r.to_bytes(32, "big") + s_.to_bytes(32, "big")).decode()


class Person:
    """Someone of the demonstration: a token, a certified key (OUT/keys/NAME.pem) and its id."""

    def __init__(self, username, password=PASSWORD, key=None, key_id=None):
        self.username, self.password, self.token = username, password, login(username, password)
        self.me = must(call("GET", "/api/v1/me", token=self.token), 200, "who is " + username)
        self.pem = key or os.path.join(OUT, "keys", username + ".pem")
        self.key_id = key_id or must(call("GET", "/api/v1/me/keys", token=self.token), 200,
                                     "keys of " + username)["items"][-1]["key_id"]

    def signed(self, domain, fields):
        now = must(call("GET", "/healthz"), 200, "the clock")["now_us"]
        f = dict(fields, platform=self.me["platform"], signed_us=now, user_id=self.me["id"])
        return {"key_id": self.key_id, "signed_us": now, "signature": sign(self.pem, domain, f)}

    def call(self, method, path, body=None, want=200, what=""):
        r = call(method, path, body, token=self.token)
        if r[0] == 401:  # a session outlived by the demonstration clock: sign in again
            self.token = login(self.username, self.password)
            r = call(method, path, body, token=self.token)
        return must(r, want, what or method + " " + path)

    def cli(self, *args):
        self.token = login(self.username, self.password)
        out = subprocess.run([CLI, "--server", BASE, "--ca", CA, "--token", self.token] + list(args),
                             capture_output=True, text=True)
        if out.returncode != 0:
            sys.exit("demo: ggzy %s: %s %s" % (" ".join(args), out.stdout, out.stderr))
        return out.stdout


def set_clock(us):
    must(call("POST", "/api/v1/test/clock", {"set_us": us}), 200,
         "moving the clock (scripts/dev run --demo-clock)")


def award():
    """Carry the seeded tender to `closed` (see the module's text)."""
    try:
        with open(os.path.join(OUT, "demo.json")) as f:
            seeded = json.load(f)
    except OSError:
        sys.exit("demo: no var/demo/demo.json: seed the demonstration first (scripts/dev run --demo-clock)")
    pid = seeded["project_id"]
    if not must(call("GET", "/healthz"), 200, "the clock").get("demo_clock") and "--test" not in sys.argv:
        sys.exit("demo: the server has no demonstration clock: start it with scripts/dev run --demo-clock")
    step = lambda text: print("   · " + text, flush=True)
    admin = Person("admin", ADMIN_PW)
    agent, sup = Person("demo-agent"), Person("demo-supervisor")
    bidders = [Person("demo-bidder%d" % i) for i in (1, 2, 3)]
    project = agent.call("GET", "/api/v1/projects/%d" % pid)
    deadline = seeded["bid_deadline_us"]
    print("== the demonstration goes on: project %s (id %d) from its bids to closed" % (project["code"], pid))
    # the bids, sealed on each bidder's machine and handed in
    for i, b in enumerate(bidders):
        summary = os.path.join(OUT, "summary-%d.json" % (i + 1))
        with open(summary, "w") as f:
            json.dump({"price_fen": 760000000 - 15000000 * i, "duration_days": 360 + 10 * i}, f, sort_keys=True,
                      separators=(",", ":"))  # canonical JSON (docs/audit.md §1)
        env = os.path.join(OUT, "bid-%d.env" % (i + 1))
        b.cli("bid", "seal", "--project", str(pid), "--lot", "1", "--summary", summary, "--key", b.pem, "--out", env)
        b.cli("bid", "submit", "--project", str(pid), "--lot", "1", "--file", env,
              "--receipt-out", os.path.join(OUT, "receipt-%d.json" % (i + 1)))
    step("three bids sealed and handed in (ggzy bid seal, ggzy bid submit); receipts in var/demo/")
    # the opening at the deadline: the agent starts it, two custodians hand in their shares
    set_clock(deadline)
    agent.cli("opening", "start", "--project", str(pid), "--lot", "1", "--key", agent.pem)
    agent.cli("custodian", "share", "--project", str(pid), "--lot", "1", "--key", agent.pem)
    sup.cli("custodian", "share", "--project", str(pid), "--lot", "1", "--key", sup.pem)
    step("opened at the deadline by the agent's and the supervisor's shares")
    agent.call("POST", "/api/v1/projects/%d/transitions" % pid, {"to": "evaluating"})
    # the expert library: eight experts of a design institute, certified, admitted
    seq = 40
    inst = admin.call("POST", "/api/v1/orgs", {"name": "示范设计研究院", "type": "bidder",
                                               "credit_code": credit_code(seq), "region": "110000"}, 201)
    experts = []
    for i in range(8):
        name = "demo-expert%d" % (i + 1)
        admin.call("POST", "/api/v1/users", {"username": name, "display_name": "专家 %d" % (i + 1),
                                             "org_id": inst["id"], "role": "expert", "password": PASSWORD}, 201)
        tok = login(name)
        must(call("POST", "/api/v1/experts/me", {
            "title": "senior", "field_since": 2005, "birth_year": 1975, "region": "110000", "sharing": "region",
            "e_evaluation": True, "specialties": ["A0101"], "phone": "1390000%04d" % i}, token=tok), 201,
            "profile of " + name)
        kid, pem = certified_key(name, "expert", inst["credit_code"], tok)
        uid = must(call("GET", "/api/v1/me", token=tok), 200, "me")["id"]
        admin.call("POST", "/api/v1/experts/%d/admit" % uid)
        experts.append(Person(name, key=pem, key_id=kid))
    center = admin.me["org_id"]
    admin.call("POST", "/api/v1/users", {"username": "demo-staff2", "display_name": "中心 赵工", "org_id": center,
                                         "role": "center_admin", "password": PASSWORD}, 201)
    code = admin.call("GET", "/api/v1/orgs/%d" % center)["credit_code"]
    staff2 = Person("demo-staff2", key=certified_key("demo-staff2", "center", code, login("demo-staff2"))[1])
    tenderer_org = project["tenderer_org_id"]
    tcode = admin.call("GET", "/api/v1/orgs/%d" % tenderer_org)["credit_code"]
    admin.call("POST", "/api/v1/users", {"username": "demo-tenderer", "display_name": "招标人 陈主任",
                                         "org_id": tenderer_org, "role": "tenderer", "password": PASSWORD}, 201)
    owner = Person("demo-tenderer", key=certified_key("demo-tenderer", "tenderer", tcode, login("demo-tenderer"))[1])
    step("an expert library of eight (demo-expert1…8), a second center staff (demo-staff2), the tenderer "
         "(demo-tenderer), each with a certified key")
    # the evaluation room, two hours after the opening, booked and approved
    start = deadline + 2 * 3600 * 1000000
    booking = agent.call("POST", "/api/v1/venues/bookings", {
        "room_id": seeded["evaluation_room_id"], "project_id": pid, "purpose": "evaluation", "lots": [1], "start_us": start,
        "end_us": start + 3 * 3600 * 1000000, "people": 9}, 201)
    admin.call("POST", "/api/v1/venues/bookings/%d/decision" % booking["id"], {"approve": True})
    # the committee draw: asked by the agent, cosigned by two staff, the supervisor's value
    draw = agent.call("POST", "/api/v1/draws", {"project_id": pid, "booking_id": booking["id"], "owner_reps": 1,
                                                "reserves": 2, "groups": [{"specialty": "A0101", "count": 4}],
                                                "regions": ["110000"]}, 201)
    for p in (admin, staff2):
        d = admin.call("GET", "/api/v1/draws/%d" % draw["id"])
        p.call("POST", "/api/v1/draws/%d/cosign" % draw["id"],
               p.signed("ggzy-draw-cosign-v1", {"draw_id": draw["id"], "seed_commit": d["seed_commit"]}))
    d = admin.call("GET", "/api/v1/draws/%d" % draw["id"])
    body = sup.signed("ggzy-draw-entropy-v1", {"draw_id": draw["id"], "seed_commit": d["seed_commit"],
                                               "pool_sha256": d["pool_sha256"], "value": "监督人随机值"})
    sup.call("POST", "/api/v1/draws/%d/entropy" % draw["id"], dict(body, value="监督人随机值"))
    full = admin.call("GET", "/api/v1/draws/%d" % draw["id"])
    drawn = {m["user_id"]: m["pseudonym"] for m in full["members"] if m["state"] == "invited"}
    members = [e for e in experts if e.me["id"] in drawn]
    for e in members:
        e.pseudonym = drawn[e.me["id"]]
        e.call("POST", "/api/v1/experts/me/assignments/%d/answer" % draw["id"],
               dict(e.signed("ggzy-draw-answer-v1", {"draw_id": draw["id"], "pseudonym": e.pseudonym,
                                                      "accept": True}), accept=True))
    step("the committee drawn (draw %d: two staff cosigned, the supervisor's value) and confirmed" % draw["id"])
    rep = owner.call("POST", "/api/v1/evaluations/representatives", dict(owner.signed(
        "ggzy-evaluation-representative-v1", {"booking_id": booking["id"], "representative_user_id": owner.me["id"]}),
        booking_id=booking["id"], user_id=owner.me["id"]), 201)
    owner.pseudonym = rep["pseudonym"]
    members.append(owner)
    # the session: everyone signs in in the room, the agent opens it, the committee acts
    set_clock(start + 60 * 1000000)
    for m in members:
        m.call("POST", "/api/v1/venues/bookings/%d/attendance" % booking["id"],
               dict(m.signed("ggzy-attendance-v1", {"booking_id": booking["id"], "mode": "in_room"}), mode="in_room"),
               201)
    ev = agent.call("POST", "/api/v1/evaluations", {"booking_id": booking["id"], "lot": 1}, 201)["id"]
    bids = [b["bid_id"] for b in sup.call("GET", "/api/v1/evaluations/%d" % ev)["bids"]]

    def act(m, kind, payload):
        b = m.signed("ggzy-evaluation-act-v1", {"evaluation_id": ev, "kind": kind, "payload": payload})
        return m.call("POST", "/api/v1/evaluations/%d/acts" % ev, dict(b, kind=kind, payload=payload), 201)
    for m in members:
        act(m, "pledge", {"conflict": False})
    for m in members:
        act(m, "chair", {"chair": members[0].pseudonym})
    for kind in ("qualification", "preliminary"):
        for m in members:
            act(m, kind, {"bids": [{"bid_id": b, "pass": True} for b in bids]})
    for i, m in enumerate(members):
        act(m, "detailed", {"scores": [{"bid_id": b, "points": {"T": str(30 + (i + k) % 5), "S": "20"}}
                                       for k, b in enumerate(bids)]})
    for m in members:
        last = act(m, "report", {"agree": True})
    first = last["report"]["candidates"][0]
    step("evaluation %d: five members (four experts and the tenderer's representative) pledged, elected the "
         "chair, reviewed, scored and signed the report; first candidate: bid %d" % (ev, first))
    # the candidates' publicity, the tenderer's decision after it, the award announcement
    now = must(call("GET", "/healthz"), 200, "the clock")["now_us"]
    cand = agent.call("POST", "/api/v1/projects/%d/announcements" % pid, {
        "type": "candidates", "title": "示范学校教学楼施工中标候选人公示", "body": "评标委员会推荐的中标候选人如下……",
        "publicity_from_us": now, "publicity_until_us": now + 4 * DAY}, 201)
    agent.call("POST", "/api/v1/announcements/%d/publish" % cand["id"])
    set_clock(now + 4 * DAY + 60 * 1000000)
    lots = [{"lot": 1, "bid_id": first}]
    owner.call("POST", "/api/v1/projects/%d/award" % pid,
               dict(owner.signed("ggzy-award-decision-v1", {"lots": lots, "project_id": pid}), lots=lots), 201)
    aw = agent.call("POST", "/api/v1/projects/%d/announcements" % pid, {
        "type": "award", "title": "示范学校教学楼施工中标结果公告", "body": "中标人……"}, 201)
    agent.call("POST", "/api/v1/announcements/%d/publish" % aw["id"])
    step("candidates publicized 4 days; the tenderer decided the first candidate; the award announced")
    # the contract at the winning price, signed by both; the written report closes the project
    won = owner.call("GET", "/api/v1/projects/%d/award" % pid)["lots"][0]["winner"]
    winner = [b for b in bidders if b.me["org_id"] == won["org_id"]][0]
    doc = "ab" * 32
    f = {"document_sha256": doc, "lot": 1, "price_fen": won["price_fen"], "project_id": pid}
    owner.call("POST", "/api/v1/projects/%d/lots/1/contract" % pid,
               dict(owner.signed("ggzy-contract-v1", f), document_sha256=doc, price_fen=won["price_fen"]), 201)
    winner.call("POST", "/api/v1/projects/%d/lots/1/contract/sign" % pid,
                dict(winner.signed("ggzy-contract-v1", f), document_sha256=doc, price_fen=won["price_fen"]))
    owner.call("POST", "/api/v1/projects/%d/close" % pid,
               dict(owner.signed("ggzy-result-report-v1", {"project_id": pid, "report_sha256": doc}),
                    report_sha256=doc))
    state = owner.call("GET", "/api/v1/projects/%d" % pid)["state"]
    step("the contract signed by the tenderer and %s; the written report filed: the project is %s"
         % (winner.username, state))
    print("   now look, as each person (every password %s):" % PASSWORD)
    print("   - the evaluation, its report and live record (demo-supervisor, or a member demo-expertN):\n"
          "       %s/evaluation.html?id=%d" % (BASE, ev))
    print("   - the award, the contract and the written report (demo-tenderer):\n"
          "       %s/award.html?project=%d" % (BASE, pid))
    print("   - the project and its announcements (demo-agent):\n       %s/projects.html?project=%d" % (BASE, pid))
    print("   - the public result:\n       %s/" % BASE)


if STEP == "award":
    award()
else:
    main()
