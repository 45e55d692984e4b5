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

usage: scripts/demo.py BASE_URL CA_FILE ADMIN_PASSWORD GGZY_CLI OUT_DIR
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
        "bid_deadline_us": deadline, "opening_us": deadline},
        token=agent["token"]), 201, "the tender announcement")
    # the opening happens in a booked room at the deadline; the announcement states that room
    site = must(call("POST", "/api/v1/venues/sites", {"name": "示范市公共资源交易中心",
                                                      "address": "示范市示范区交易路 1 号", "region": "110000"},
                     token=admin), 201, "the center's site")
    room = must(call("POST", "/api/v1/venues/sites/%d/rooms" % site["id"], {
        "name": "开标一室", "kind": "opening", "capacity": 60, "equipment": ["recording", "screens"],
        "opens": "08:30", "closes": "18:00"}, token=admin), 201, "the opening room")
    must(call("POST", "/api/v1/venues/sites/%d/rooms" % site["id"], {
        "name": "评标一室", "kind": "evaluation", "capacity": 9, "equipment": ["recording", "isolated_network"],
        "opens": "08:30", "closes": "18:00"}, token=admin), 201, "the evaluation room")
    booking = must(call("POST", "/api/v1/venues/bookings", {
        "room_id": room["id"], "project_id": pid, "purpose": "opening", "lots": [1], "start_us": deadline,
        "end_us": deadline + 90 * 60 * 1000000, "people": 40}, token=agent["token"]), 201, "booking the opening room")
    must(call("POST", "/api/v1/venues/bookings/%d/decision" % booking["id"], {"approve": True}, token=admin), 200,
         "approving the booking")
    must(call("POST", "/api/v1/announcements/%d/publish" % ann["id"], token=agent["token"]), 200,
         "publishing the tender announcement")

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
    print("   - the supervisor verifies the log on their machine:\n       ggzy --server %s --ca %s audit verify"
          % (BASE, CA))


main()
