#!/usr/bin/env python3
"""bench/experts.py — the committee draw at scale: a library of 100,000 experts (each with two
of 16 specialties, 1,000 employers, some suspended, on leave, employed by or related to one of
the project's 50 bidders), and a draw of a 9-member committee (two groups, 5 + 4, with reserves)
through the API: the request, the two staff cosignatures (the second fixes the pool after
avoidance: the candidates' query, the reasons counted, pseudonyms, the canonical pool hashed
and logged) and the supervisor's value (the seed, each group's order, nine invitations). The
figure is the time of that whole draw; the baseline, in the same run on the same database, is
the plain indexed query that returns the same eligible pool (one SQL statement with every
avoidance condition in its WHERE clause), timed in one client session repeated R times. Each
run cancels its draw so the next starts from the same library. Prints medians and the ratio.

usage: scripts/dev bench experts [--experts N] [--runs N] [--repeat R]
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("GGZYD", os.path.join(ROOT, "build", "release", "ggzyd"))
sys.path.insert(0, os.path.join(ROOT, "tests", "api"))
import harness  # noqa: E402

MIN = 60 * 10**6
HOUR = 60 * MIN
DAY = 24 * HOUR
UTC8 = 8 * HOUR
CODES = ["A0101", "A0102", "A0103", "A0201", "A0202", "A03", "A04", "A05", "B01", "B02", "B03",
         "B04", "C01", "C02", "C03", "C04"]
GROUPS = [("A0101", 5), ("A05", 4)]
BIDDERS = 50


class Bench(harness.ApiTest):
    def runTest(self):  # unittest wants one; the bench drives the helpers itself
        pass


def setup(srv, n):
    t = Bench()
    t.srv = srv
    admin = srv.admin_token()
    agency, tenderer = t.make_org(admin, "agency"), t.make_org(admin, "tenderer")
    agent, agent_tok = t.make_user(admin, agency["id"], "agent")
    sup_org = t.make_org(admin, "supervision")
    sup, _ = t.make_user(admin, sup_org["id"], "supervisor")
    center = srv.request("GET", "/api/v1/me", token=admin).json["org_id"]
    staff2, _ = t.make_user(admin, center, "center_admin")
    bidders = [t.make_org(admin, "bidder") for _ in range(BIDDERS)]
    site = srv.request("POST", "/api/v1/venues/sites", {"name": "基准中心", "address": "基准路 1 号",
                                                        "region": "110000"}, token=admin).json
    rooms = {}
    for kind in ("opening", "evaluation"):
        r = srv.request("POST", "/api/v1/venues/sites/%d/rooms" % site["id"], {
            "name": kind, "kind": kind, "capacity": 40, "opens": "00:00", "closes": "24:00"}, token=admin)
        rooms[kind] = r.json["id"]
    r = srv.request("POST", "/api/v1/projects", {
        "name": "基准工程", "category": "engineering", "method": "open_tender", "region": "110000",
        "tenderer_org_id": tenderer["id"], "budget_fen": 1000000000, "funding_source": "财政资金",
        "legally_required": True, "lots": [{"name": "一标段", "estimate_fen": 1000000000}]}, token=agent_tok)
    pid = r.json["id"]
    srv.request("POST", "/api/v1/projects/%d/transitions" % pid, {"to": "submitted"}, token=agent_tok)
    srv.request("POST", "/api/v1/projects/%d/transitions" % pid, {"to": "accepted"}, token=admin)
    now = srv.request("GET", "/healthz").json["now_us"]
    day0 = ((now + UTC8) // DAY + 2) * DAY - UTC8
    booking = None
    for purpose, a, b in (("opening", day0 + 9 * HOUR, day0 + 10 * HOUR),
                          ("evaluation", day0 + 10 * HOUR, day0 + 12 * HOUR)):
        r = srv.request("POST", "/api/v1/venues/bookings", {
            "room_id": rooms[purpose], "project_id": pid, "purpose": purpose, "lots": [1], "start_us": a,
            "end_us": b, "people": 20}, token=agent_tok)
        assert r.status == 201, r
        srv.request("POST", "/api/v1/venues/bookings/%d/decision" % r.json["id"], {"approve": True}, token=admin)
        booking = r.json["id"]
    # the opening's outcome, as the opening ceremony leaves it
    bidder_ids = [b["id"] for b in bidders]
    me = srv.request("GET", "/api/v1/me", token=admin).json["id"]
    srv.sql("UPDATE projects SET state = 'opened' WHERE id = %d" % pid)
    srv.sql("INSERT INTO bids (project_id, lot_seq, bidder_org_id, bidder_user_id, revision, signer_key_id, "
            "envelope_sha256, size, received_us, state, state_us) SELECT %d, 1, id, %d, 1, REPEAT('0', 64), "
            "UNHEX(SHA2(id, 256)), 1, 0, 'current', 0 FROM organizations WHERE id IN (%s)"
            % (pid, me, ",".join(map(str, bidder_ids))))
    # the library, written as an import would
    srv.sql("INSERT INTO organizations (name, type, credit_code, region, created_us) SELECT CONCAT('雇主', seq), "
            "'bidder', CONCAT('9111000', LPAD(seq, 11, '0')), '110000', 0 FROM seq_1_to_1000")
    first = int(srv.sql("SELECT MIN(id) FROM organizations WHERE name LIKE '雇主%'")[0][0])
    srv.sql("INSERT INTO users (org_id, username, display_name, role, password_hash, created_us, updated_us) "
            "SELECT %d + seq %% 1000, CONCAT('bx', seq), CONCAT('专家', seq), 'expert', 'x', 0, 0 "
            "FROM seq_1_to_%d" % (first, n))
    srv.sql("INSERT INTO expert_profiles (user_id, title, field_since, birth_year, region, sharing, e_evaluation, "
            "state, created_us, updated_us) SELECT id, 'senior', 2000, 1975, '110000', 'region', 1, "
            "IF(id % 50 = 0, 'suspended', 'active'), 0, 0 FROM users WHERE username LIKE 'bx%'")
    elt = "ELT(%s, " + ", ".join("'%s'" % c for c in CODES) + ")"
    srv.sql("INSERT IGNORE INTO expert_specialties (user_id, code) SELECT user_id, " + elt % "1 + user_id % 16" +
            " FROM expert_profiles UNION SELECT user_id, " + elt % "1 + (user_id * 7 + 3) % 16" +
            " FROM expert_profiles")
    codes = srv.sql("SELECT credit_code FROM organizations WHERE id IN (%s)" % ",".join(map(str, bidder_ids)))
    # 500 work for a bidder, 2,000 declared a relation to one, 1,000 are on leave that day
    srv.sql("UPDATE users SET org_id = %d + id %% %d WHERE username LIKE 'bx%%' AND id %% 200 = 1"
            % (min(bidder_ids), BIDDERS))
    srv.sql("INSERT INTO expert_relations (user_id, kind, credit_code, org_name, ends_us, created_us) "
            "SELECT user_id, 'relative', ELT(1 + user_id %% %d, %s), '投标人', NULL, 0 FROM expert_profiles "
            "WHERE user_id %% 50 = 7" % (BIDDERS, ", ".join("'%s'" % c[0] for c in codes)))
    srv.sql("INSERT INTO expert_leaves (user_id, start_us, end_us, created_us) SELECT user_id, %d, %d, 0 "
            "FROM expert_profiles WHERE user_id %% 100 = 13" % (day0, day0 + DAY))
    srv.sql("ANALYZE TABLE expert_profiles, expert_specialties, expert_relations, expert_leaves, users")
    srv.request("POST", "/api/v1/test/clock", {"set_us": day0 + 2 * HOUR})
    keys = {}
    toks = {"admin": srv.admin_token()}
    for name, u in (("staff2", staff2), ("sup", sup), ("agent", agent)):
        toks[name] = srv.login(u["username"], "user-password-1")
    for name in ("admin", "staff2", "sup"):
        k, r = t.register_key(toks[name])
        keys[name] = (k, r.json["key_id"], srv.request("GET", "/api/v1/me", token=toks[name]).json["id"])
    conflict = {"ids": bidder_ids + [tenderer["id"], agency["id"]],
                "codes": [c[0] for c in codes] + [tenderer["credit_code"], agency["credit_code"]],
                "tenderer": tenderer["id"], "start": day0 + 10 * HOUR, "end": day0 + 12 * HOUR}
    return pid, booking, toks, keys, conflict


def signed(srv, keys, who, domain, fields):
    k, kid, uid = keys[who]
    f = dict(fields, user_id=uid, platform="ggzy.test", signed_us=srv.request("GET", "/healthz").json["now_us"])
    return {"key_id": kid, "signed_us": f["signed_us"], "signature": harness.sign_act(k, domain, f)}


def draw(srv, pid, booking, toks, keys):
    """One whole draw through the API; returns (seconds, pool size, draw id)."""
    conn = srv.connection()
    t0 = time.monotonic()
    r = srv.request("POST", "/api/v1/draws", {
        "project_id": pid, "booking_id": booking, "owner_reps": 0, "reserves": 4, "regions": ["110000"],
        "groups": [{"specialty": s, "count": n} for s, n in GROUPS]}, token=toks["agent"], conn=conn)
    assert r.status == 201, r
    d = r.json
    steps = [time.monotonic()]
    for who in ("admin", "staff2"):
        body = signed(srv, keys, who, "ggzy-draw-cosign-v1", {"draw_id": d["id"], "seed_commit": d["seed_commit"]})
        r = srv.request("POST", "/api/v1/draws/%d/cosign" % d["id"], body,
                        token=toks["admin" if who == "admin" else "staff2"], conn=conn)
        assert r.status == 200, r
        steps.append(time.monotonic())
    pool = r.json
    body = signed(srv, keys, "sup", "ggzy-draw-entropy-v1", {
        "draw_id": d["id"], "seed_commit": d["seed_commit"], "pool_sha256": pool["pool_sha256"], "value": "bench"})
    body["value"] = "bench"
    r = srv.request("POST", "/api/v1/draws/%d/entropy" % d["id"], body, token=toks["sup"], conn=conn)
    dt = time.monotonic() - t0
    steps.append(time.monotonic())
    print("    request %.0f ms, first cosignature %.0f ms, the pool %.0f ms, the seed and invitations %.0f ms"
          % tuple(1000 * (b - a) for a, b in zip([t0] + steps, steps)))
    assert r.status == 200 and r.json["state"] == "drawn", r
    conn.close()
    srv.request("POST", "/api/v1/draws/%d/cancel" % d["id"], {"reason": "bench"}, token=toks["agent"])
    return dt, pool["pool_size"], d["id"]


def plain_query(srv, c, repeat):
    """The same eligible pool by one indexed statement, R times in one session (startup excluded)."""
    q = ("SELECT p.user_id, s.code FROM expert_profiles p JOIN users u ON u.id = p.user_id "
         "JOIN expert_specialties s ON s.user_id = p.user_id WHERE s.code IN (%s) AND p.state = 'active' "
         "AND u.disabled = 0 AND p.region IN ('110000') AND u.org_id NOT IN (%s) "
         "AND NOT EXISTS (SELECT 1 FROM expert_relations r WHERE r.user_id = p.user_id AND r.credit_code IN (%s) "
         "AND (r.ends_us IS NULL OR r.ends_us > 0)) "
         "AND NOT EXISTS (SELECT 1 FROM expert_leaves l WHERE l.user_id = p.user_id AND l.start_us < %d "
         "AND l.end_us > %d) "
         "AND NOT EXISTS (SELECT 1 FROM draw_pool q JOIN draws d ON d.id = q.draw_id WHERE q.user_id = p.user_id "
         "AND q.state IN ('invited', 'confirmed') AND d.session_start_us < %d AND d.session_end_us > %d) "
         "AND NOT EXISTS (SELECT 1 FROM draw_pool q JOIN draws d ON d.id = q.draw_id WHERE q.user_id = p.user_id "
         "AND q.state = 'confirmed' AND d.tenderer_org_id = %d AND d.session_start_us > 0)"
         % (",".join("'%s'" % g for g, _ in GROUPS), ",".join(map(str, c["ids"])),
            ",".join("'%s'" % x for x in c["codes"]), c["end"], c["start"], c["end"], c["start"],
            c["tenderer"]))

    def session(sql, n):
        cmd = ["mariadb", "--no-defaults", "-S", srv.db_socket, "-u", "ggzy_admin", "-N", "-B", srv.db]
        env = dict(os.environ, MYSQL_PWD=srv.admin_password or harness._read(os.path.join(harness.VAR, "mariadb", "admin.password")))
        t0 = time.monotonic()
        out = subprocess.run(cmd, input=(sql + ";\n") * n, capture_output=True, text=True, env=env, check=True)
        return time.monotonic() - t0, out.stdout

    empty, _ = session("SELECT 1", 1)
    total, out = session(q, repeat)
    rows = out.count("\n") // repeat
    return (total - empty) / repeat, rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--experts", type=int, default=100000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--repeat", type=int, default=5)
    a = ap.parse_args()
    print("== the committee draw: %d experts, %d bidders, a committee of %d (%s), %d runs"
          % (a.experts, BIDDERS, sum(n for _, n in GROUPS), " + ".join("%s %d" % g for g in GROUPS), a.runs))
    srv = harness.Server(conf={"log.access": "off"})
    try:
        t0 = time.monotonic()
        pid, booking, toks, keys, conflict = setup(srv, a.experts)
        print("  library written in %.1f s" % (time.monotonic() - t0))
        ours, base, ratios = [], [], []
        for run in range(a.runs):
            dt, pool, did = draw(srv, pid, booking, toks, keys)
            plain, rows = plain_query(srv, conflict, a.repeat)
            ours.append(dt)
            base.append(plain)
            ratios.append(dt / plain)
            print("  run %d: draw %d: %.1f ms (pool of %d); the plain query %.1f ms (%d rows); ratio %.2f"
                  % (run + 1, did, dt * 1000, pool, plain * 1000, rows, dt / plain))
    finally:
        srv.close()
    print("median: draw %.1f ms, plain query %.1f ms, ratio %.2f (goal ≤ 2)"
          % (statistics.median(ours) * 1000, statistics.median(base) * 1000, statistics.median(ratios)))


if __name__ == "__main__":
    main()
