#!/usr/bin/env python3
"""bench/venues.py — the booking race: C clients (default 64) race for the same 10 rooms' hours
through the API (HTTPS, a release ggzyd, one persistent connection per client), each request a
booking of one hour of a random room at a random hour of one day. Each answer is a booking (201)
or a clean refusal (409 VENUE-OVERLAP naming the holder's span); anything else fails the bench.
The figure is answers per second; the baseline, measured in the same run against the same
private MariaDB, is plain single-row commits by as many writers (bench/audit_append.c's plain
round). Then the proof: the database holds no two live bookings of a room that overlap, and
exactly one slot row per booked minute.

usage: scripts/dev bench venues [--clients C] [--requests R] [--runs N]
"""
import argparse
import concurrent.futures
import os
import random
import re
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
ROOMS = 10


def setup(srv, clients):
    t = harness.ApiTest()
    t.srv = srv
    admin = srv.admin_token()
    site = srv.request("POST", "/api/v1/venues/sites", {"name": "基准交易中心", "address": "基准路 1 号",
                                                        "region": "110000"}, token=admin).json
    rooms = []
    for i in range(ROOMS):
        r = srv.request("POST", "/api/v1/venues/sites/%d/rooms" % site["id"], {
            "name": "谈判室 %d" % (i + 1), "kind": "negotiation", "capacity": 20, "opens": "00:00",
            "closes": "24:00"}, token=admin)
        assert r.status == 201, r
        rooms.append(r.json["id"])
    agency, tenderer = t.make_org(admin, "agency"), t.make_org(admin, "tenderer")
    agents = []
    for _ in range(clients):
        _, tok = t.make_user(admin, agency["id"], "agent")
        r = srv.request("POST", "/api/v1/projects", {
            "name": "基准项目", "category": "procurement", "method": "competitive_negotiation",
            "region": "110000", "tenderer_org_id": tenderer["id"], "budget_fen": 100000000,
            "funding_source": "财政资金", "legally_required": False,
            "lots": [{"name": "一包", "estimate_fen": 100000000}]}, token=tok)
        assert r.status == 201, r
        pid = r.json["id"]
        srv.request("POST", "/api/v1/projects/%d/transitions" % pid, {"to": "submitted"}, token=tok)
        r = srv.request("POST", "/api/v1/projects/%d/transitions" % pid, {"to": "accepted"}, token=admin)
        assert r.status == 200, r
        agents.append((tok, pid))
    now = srv.request("GET", "/healthz").json["now_us"]
    day0 = ((now + UTC8) // DAY + 2) * DAY - UTC8  # local midnight, the day after tomorrow
    return rooms, agents, day0


def race(srv, rooms, agents, day0, requests, seed):
    rng = random.Random(seed)
    plans = [[(rng.choice(rooms), rng.randrange(24)) for _ in range(requests)] for _ in agents]

    def client(i):
        tok, pid = agents[i]
        conn = srv.connection()
        out = {"ok": 0, "conflict": 0, "other": []}
        try:
            for room, hour in plans[i]:
                start = day0 + hour * HOUR
                r = srv.request("POST", "/api/v1/venues/bookings", {
                    "room_id": room, "project_id": pid, "purpose": "negotiation", "lots": [1],
                    "start_us": start, "end_us": start + HOUR, "people": 5}, token=tok, conn=conn)
                if r.status == 201:
                    out["ok"] += 1
                elif r.status == 409 and r.json["error"].get("rule") == "VENUE-OVERLAP":
                    out["conflict"] += 1
                else:
                    out["other"].append(r)
        finally:
            conn.close()
        return out

    t0 = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(agents)) as ex:
        results = list(ex.map(client, range(len(agents))))
    dt = time.monotonic() - t0
    other = [r for x in results for r in x["other"]]
    if other:
        sys.exit("bench: unexpected answers: %r" % other[:3])
    return sum(x["ok"] for x in results), sum(x["conflict"] for x in results), dt


def proof(srv):
    """No two live bookings of a room overlap (buffers included), and the slots are exactly
    the live bookings' minutes."""
    overlaps = srv.sql(
        "SELECT COUNT(*) FROM venue_bookings a JOIN venue_bookings b ON a.room_id = b.room_id "
        "AND a.id < b.id AND a.start_us < b.end_us + b.buffer_us AND b.start_us < a.end_us + a.buffer_us "
        "WHERE a.state IN ('requested','approved') AND b.state IN ('requested','approved')")[0][0]
    minutes = srv.sql("SELECT COALESCE(SUM(CEIL((end_us + buffer_us - start_us) / 60000000)), 0) FROM "
                      "venue_bookings WHERE state IN ('requested','approved')")[0][0]
    slots = srv.sql("SELECT COUNT(*) FROM venue_slots")[0][0]
    return int(overlaps), int(float(minutes)), int(slots)


def plain_commits(srv, writers, seconds):
    """The plain commit rate of the same MariaDB: bench_audit_append's plain round, on the server's
    database (its configuration holds the core's keys only)."""
    conf = os.path.join(srv.dir, "plain.conf")
    with open(srv.conf_path) as f, open(conf, "w") as g:
        for line in f:
            if line.split("=")[0].strip() in ("db.socket", "db.user", "db.password", "db.name", "audit.key"):
                g.write(line)
    out = subprocess.run([os.path.join(ROOT, "build", "release", "bench_audit_append"), conf,
                          str(writers), str(seconds), "1"], capture_output=True, text=True, check=True).stdout
    m = re.search(r"median: plain (\d+) commits/s", out)
    assert m, out
    return float(m.group(1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=64)
    ap.add_argument("--requests", type=int, default=30)
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    print("== the booking race: %d clients, %d requests each, %d rooms x 24 hours, %d runs"
          % (a.clients, a.requests, ROOMS, a.runs))
    ours, base, ratios = [], [], []
    for run in range(a.runs):
        srv = harness.Server(conf={"venues.buffer_minutes": "0", "venues.approval": "auto",
                                   "log.access": "off"})
        try:
            rooms, agents, day0 = setup(srv, a.clients)
            ok, conflict, dt = race(srv, rooms, agents, day0, a.requests, seed=run)
            rate = (ok + conflict) / dt
            overlaps, minutes, slots = proof(srv)
            if overlaps or minutes != slots:
                sys.exit("bench: the database holds %d overlaps, %d booked minutes and %d slots"
                         % (overlaps, minutes, slots))
            plain = plain_commits(srv, a.clients, 3)
        finally:
            srv.close()
        ours.append(rate)
        base.append(plain)
        ratios.append(rate / plain)
        print("  run %d: %d booked, %d refused (409) in %.2f s: %.0f answers/s; plain commits %.0f/s; "
              "ratio %.3f; overlaps stored: %d; slots %d = booked minutes %d"
              % (run + 1, ok, conflict, dt, rate, plain, rate / plain, overlaps, slots, minutes))
    print("median: %.0f bookings-or-refusals/s, plain commits %.0f/s, ratio %.3f; no overlap stored"
          % (statistics.median(ours), statistics.median(base), statistics.median(ratios)))


if __name__ == "__main__":
    main()
