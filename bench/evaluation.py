#!/usr/bin/env python3
"""bench/evaluation.py — the live stream (docs/evaluation.md §6): W watchers (default 2,000) of
one evaluation session over HTTPS, each a thread of bench_sse_watch (bench/sse_watch.c), while
E events are published (a supervisor's pause and resume, each a committed transaction with its
audit entry). Our figure: the time from each event's commit (its at_us) to its arrival at each
watcher, p50 and p99 over every delivery, and the server's memory per watcher (its RSS with the
watchers connected, less before, over W). The baseline, in the same run: a bare libmicrohttpd SSE
server (bench_bare --sse: the same TLS, threads and suspend/resume, nothing else) pushing the same
number of events to the same number of watchers. Goals (issue 26): p99 <= bare p99 + 10 ms;
memory per watcher <= 2x bare.

usage: scripts/dev bench evaluation [--watchers W] [--events E] [--runs N]
"""
import argparse
import http.client
import os
import ssl
import statistics
import subprocess
import sys
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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--watchers", type=int, default=2000)
    ap.add_argument("--events", type=int, default=20)
    ap.add_argument("--runs", type=int, default=1)
    a = ap.parse_args()
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
