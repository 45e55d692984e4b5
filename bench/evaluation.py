#!/usr/bin/env python3
"""bench/evaluation.py — two figures of the evaluation (docs/evaluation.md).

The live stream (docs/evaluation.md §6): W watchers (default 2,000) of
one evaluation session over HTTPS, each a thread of bench_sse_watch (bench/sse_watch.c), while
E events are published (a supervisor's pause and resume, each a committed transaction with its
audit entry). Our figure: the time from each event's commit (its at_us) to its arrival at each
watcher, p50 and p99 over every delivery, and the server's memory per watcher (its RSS with the
watchers connected, less before, over W). The baseline, in the same run: a bare libmicrohttpd SSE
server (bench_bare --sse: the same TLS, threads and suspend/resume, nothing else) pushing the same
number of events to the same number of watchers. Goals (issue 26): p99 <= bare p99 + 10 ms;
memory per watcher <= 2x bare.

The scoring burst: the 9 members of a committee submit their detailed scores at once, each 50 bids
x 20 criteria in one signed act (what the platform stores: one row per member, with its audit
entry; the last completes the step, computing the result and the indicators). Our figure: the wall
time from the first request to the last answer. The baseline, on the same database in the same
run: 9 writers each committing the same row (a payload of the same size) in its own durable
transaction (bench_plain_rows, bench/plain_rows.c); and, for scale, 9,000 commits of one score
each. Goal (issue 26): plain time / our time >= 0.5.

usage: scripts/dev bench evaluation [--watchers W] [--events E] [--runs N] [--only stream|burst]
"""
import argparse
import http.client
import os
import ssl
import statistics
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("GGZYD", os.path.join(ROOT, "build", "release", "ggzyd"))
BUILD = os.path.dirname(os.environ["GGZYD"])
sys.path.insert(0, os.path.join(ROOT, "tests", "api"))
import harness  # noqa: E402
import test_evaluation  # noqa: E402

THREADS = 4


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def watch(port, path, token, watchers, events, publish, pid):
    """Start the watchers, wait until all are connected, publish the events, return the figures."""
    before = rss_kib(pid)
    p = subprocess.Popen([os.path.join(BUILD, "bench_sse_watch"), "127.0.0.1", str(port), path, token,
                          str(watchers), str(events), "60"], stdout=subprocess.PIPE, text=True)
    ready = p.stdout.readline().split()
    if len(ready) < 3 or ready[0] != "READY" or int(ready[2]):
        p.kill()
        raise SystemExit("the watchers did not all connect: %s" % ready)
    time.sleep(0.5)
    during = rss_kib(pid)
    for i in range(events):
        publish(i)
        time.sleep(0.05)
    out = p.communicate(timeout=120)[0].split()
    figs = dict(x.split("=") for x in out if "=" in x)
    if int(figs["failed"]) or int(figs["deliveries"]) != watchers * events:
        raise SystemExit("lost deliveries: %s" % out)
    return int(figs["p50_us"]), int(figs["p99_us"]), (during - before) / watchers


class Fixture(test_evaluation.EvaluationFixture):
    server_args = {"conf": {"http.per_ip_connections": "0", "http.connection_limit": "20000",
                            "http.threads": str(THREADS)}}

    def runTest(self):
        pass


def ours(watchers, events):
    fx = Fixture()
    fx.setUp()
    try:
        fx.evaluated_lot()
        for e in fx.members:
            fx.sign_in(e)
        ev = fx.open().json["id"]
        fx.clock(int(time.time() * 10**6))  # the events' at_us on the real clock, as the bare's
        tok = fx.sup_tok

        def publish(i):
            r = fx.srv.request("POST", "/api/v1/evaluations/%d/%s" % (ev, "pause" if i % 2 == 0 else "resume"),
                               {"reason": "基准 %d" % i}, token=tok)
            assert r.status == 200, r
        return watch(fx.srv.port, "/api/v1/evaluations/%d/stream" % ev, tok, watchers, events, publish,
                     fx.srv.proc.pid)
    finally:
        fx.doCleanups()


def bare(watchers, events):
    port = harness.free_port()
    certs = os.path.join(ROOT, "var", "certs")
    p = subprocess.Popen([os.path.join(BUILD, "bench_bare"), str(port), str(THREADS),
                          os.path.join(certs, "server.crt"), os.path.join(certs, "server.key"), "--sse"])
    try:
        time.sleep(0.5)
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        conn = http.client.HTTPSConnection("127.0.0.1", port, context=ctx)

        def publish(i):
            conn.request("POST", "/publish", body=b"x")
            r = conn.getresponse()
            r.read()
            assert r.status == 200, r.status
        return watch(port, "/stream", "-", watchers, events, publish, p.pid)
    finally:
        p.terminate()
        p.wait(timeout=30)


class BurstFixture(test_evaluation.EvaluationFixture):
    def runTest(self):
        pass


BIDS, CRITERIA, MEMBERS = 50, 20, 9


def burst():
    """One burst: (our seconds, plain seconds for the same 9 rows, plain seconds for 9,000
    one-score rows, the payload's bytes)."""
    fx = BurstFixture()
    fx.setUp()
    try:
        method = {"method": "comprehensive", "object": "works", "decimals": 2, "price_points": 3000,
                  "criteria": [{"code": "C%02d" % i, "name": "评审因素 %d" % i, "max_points": 350}
                               for i in range(CRITERIA)]}
        prices = [100000000 + 1000 * i * i for i in range(BIDS)]
        fx.evaluated_lot(prices=prices, method=method, experts=20, groups=(("A0101", MEMBERS),), owner_reps=0)
        assert len(fx.members) == MEMBERS, len(fx.members)
        for e in fx.members:
            fx.sign_in(e)
        ev = fx.open().json["id"]
        ids = sorted(fx.bids.values())
        for e in fx.members:
            fx.act(e, ev, "pledge", {"conflict": False})
        for e in fx.members:
            fx.act(e, ev, "chair", {"chair": fx.members[0]["pseudonym"]})
        for kind in ("qualification", "preliminary"):
            for e in fx.members:
                r = fx.act(e, ev, kind, {"bids": [{"bid_id": b, "pass": True} for b in ids]})
                assert r.status == 201, r
        bodies = []
        for n, e in enumerate(fx.members):
            payload = {"scores": [{"bid_id": b, "points": {"C%02d" % c: "%d.%02d" % ((b + c + n) % 3, (b * c) % 100)
                                                            for c in range(CRITERIA)}} for b in ids]}
            me = fx.srv.request("GET", "/api/v1/me", token=e["tok"]).json
            k, kid = fx._keys[me["id"]]
            f = {"evaluation_id": ev, "kind": "detailed", "payload": payload, "platform": "ggzy.test",
                 "signed_us": fx.server_now(), "user_id": me["id"]}
            bodies.append((e["tok"], {"kind": "detailed", "payload": payload, "key_id": kid,
                                      "signed_us": f["signed_us"],
                                      "signature": harness.sign_act(k, "ggzy-evaluation-act-v1", f)}))
        size = len(harness.canonical(bodies[0][1]["payload"]))
        conns = [fx.srv.connection() for _ in bodies]
        results = [None] * len(bodies)

        def post(i):
            tok, body = bodies[i]
            results[i] = fx.srv.request("POST", "/api/v1/evaluations/%d/acts" % ev, body, token=tok, conn=conns[i])
        threads = [threading.Thread(target=post, args=(i,)) for i in range(len(bodies))]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        ours = time.perf_counter() - t0
        assert all(r.status == 201 for r in results), [r.status for r in results]
        assert fx.srv.request("GET", "/api/v1/evaluations/%d" % ev, token=fx.sup_tok).json["step"] == "report"
        conf = os.path.join(fx.srv.dir, "plain.conf")
        with open(fx.srv.conf_path) as f, open(conf, "w") as g:
            for line in f:
                if line.split("=")[0].strip() in ("db.socket", "db.user", "db.password", "db.name", "audit.key"):
                    g.write(line)

        def plain(rows, nbytes, writers=MEMBERS):
            out = subprocess.run([os.path.join(BUILD, "bench_plain_rows"), conf, str(writers), str(rows), str(nbytes)],
                                 capture_output=True, text=True, check=True).stdout
            return float(out.split(" in ")[1].split()[0])
        # the serial floor: the step completes only when one act sees all the others, so the acts of
        # one session commit one after another — as 9 plain commits by one writer do
        return ours, plain(1, size), plain(BIDS * CRITERIA, 40), size, plain(MEMBERS, size, writers=1)
    finally:
        fx.doCleanups()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--watchers", type=int, default=2000)
    ap.add_argument("--events", type=int, default=20)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--only", choices=("stream", "burst"))
    a = ap.parse_args()
    if a.only != "stream":
        bursts = []
        for _ in range(a.runs):
            b = burst()
            bursts.append(b)
            print("run: burst %.3f s; plain: the same 9 rows (%d bytes each) %.4f s, one after another %.4f s, "
                  "9,000 one-score rows %.3f s" % (b[0], b[3], b[1], b[4], b[2]))
        ours_s = statistics.median(b[0] for b in bursts)
        rows_s = statistics.median(b[1] for b in bursts)
        each_s = statistics.median(b[2] for b in bursts)
        print("scoring burst: %d members x %d bids x %d criteria at once, medians of %d run(s):"
              % (MEMBERS, BIDS, CRITERIA, a.runs))
        print("  ggzyd %.3f s; plain commits of the same 9 rows %.4f s: ratio %.3f (goal >= 0.5)"
              % (ours_s, rows_s, rows_s / ours_s))
        serial_s = statistics.median(b[4] for b in bursts)
        print("  the serial floor: the same 9 rows committed one after another %.4f s: ratio %.3f"
              % (serial_s, serial_s / ours_s))
        print("  for scale: 9,000 commits of one score each %.3f s: ratio %.2f" % (each_s, each_s / ours_s))
    if a.only == "burst":
        return
    rows = []
    for _ in range(a.runs):
        b = bare(a.watchers, a.events)
        o = ours(a.watchers, a.events)
        rows.append((o, b))
        print("run: ggzyd p50 %.1f ms p99 %.1f ms %.1f KiB/watcher | bare p50 %.1f ms p99 %.1f ms %.1f KiB/watcher"
              % (o[0] / 1000, o[1] / 1000, o[2], b[0] / 1000, b[1] / 1000, b[2]))
    med = lambda k, i: statistics.median(r[k][i] for r in rows)
    op50, op99, omem = med(0, 0), med(0, 1), med(0, 2)
    bp50, bp99, bmem = med(1, 0), med(1, 1), med(1, 2)
    print("%d watchers of one session, %d events, medians of %d run(s):" % (a.watchers, a.events, a.runs))
    print("  delivery p50   ggzyd %8.1f ms   bare %8.1f ms" % (op50 / 1000, bp50 / 1000))
    print("  delivery p99   ggzyd %8.1f ms   bare %8.1f ms   difference %+.1f ms (goal <= +10 ms)"
          % (op99 / 1000, bp99 / 1000, (op99 - bp99) / 1000))
    print("  memory/watcher ggzyd %8.1f KiB  bare %8.1f KiB  ratio %.2f (goal <= 2)"
          % (omem, bmem, omem / bmem if bmem > 0 else float("inf")))


if __name__ == "__main__":
    main()
