#!/usr/bin/env python3
"""bench/bids.py — sealed bids at their two peaks, each next to a baseline measured in the same
run on the same machine:

1. The deadline rush: N bidders (default 200) each upload a 1 MiB envelope at once over HTTPS
   to a release ggzyd (streamed, checked, spooled, fsynced, renamed, committed with its audit
   entry, signed receipt). Throughput in MB/s and per-upload latency (p50, p99), next to the raw
   write-and-fsync bandwidth of the same bytes (one file per envelope, write + fsync, in the
   same directory as the store), measured just before and just after the rush.
2. The opening: M envelopes (default 500) of 1 MiB opened by the k-th custodian share (rebuild
   the key, read and hash every stored envelope, HPKE-unwrap, decrypt every chunk, parse the
   container, commit the outcomes with their audit entries, publish the key), timed by the
   server's own record (completed_us − the last share's submitted_us), next to the raw
   AES-256-GCM decryption time of the same bytes (openssl speed -evp aes-256-gcm, 1 MiB blocks).
   After each run, bench_opener (bench/opener.c) opens the same stored files again with the
   published key, without the server, on one thread per CPU, and times the same bytes hashed and
   decrypted from memory: the floor no opener can go below on this machine.

Each figure is the median of --runs runs (a fresh server and database per run); each ratio is the
median of the runs' own ratios.
usage: scripts/dev bench bids [--bidders N] [--envelopes M] [--runs R] [--only rush|opening]
                              [--opening-batch N]
"""
import argparse
import concurrent.futures
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("GGZYD", os.path.join(ROOT, "build", "release", "ggzyd"))
CLI = os.path.join(ROOT, "build", "release", "ggzy")
sys.path.insert(0, os.path.join(ROOT, "tests", "api"))
sys.path.insert(0, os.path.join(ROOT, "docs", "tools"))
import harness  # noqa: E402
import seal_envelope  # noqa: E402
from test_opening import container, SUITE, DAY, us  # noqa: E402
from cryptography.hazmat.primitives import serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402

MIB = 1 << 20


class Lot:
    """One project, its opening key and tender announcement, and n bidders with keys."""

    def __init__(self, srv, n):
        self.srv, self.tmp = srv, tempfile.mkdtemp(prefix="ggzy-bench-bids-")
        self.now = us(2026, 3, 2)
        srv.request("POST", "/api/v1/test/clock", {"set_us": self.now})
        t = harness.ApiTest()
        t.srv = srv
        self.t = t
        self.admin = srv.admin_token()
        me = srv.request("GET", "/api/v1/me", token=self.admin).json
        agency, tenderer = t.make_org(self.admin, "agency"), t.make_org(self.admin, "tenderer")
        agent, self.agent_tok = t.make_user(self.admin, agency["id"], "agent")
        sup_org = t.make_org(self.admin, "supervision")
        sup, self.sup_tok = t.make_user(self.admin, sup_org["id"], "supervisor")
        r = srv.request("POST", "/api/v1/projects", {
            "name": "某学校教学楼工程", "category": "engineering", "method": "open_tender", "region": "110000",
            "tenderer_org_id": tenderer["id"], "budget_fen": 800000000, "funding_source": "财政资金",
            "legally_required": True, "lots": [{"name": "施工标段", "estimate_fen": 500000000}]}, token=self.agent_tok)
        self.pid = r.json["id"]
        srv.request("POST", "/api/v1/projects/%d/transitions" % self.pid, {"to": "submitted"}, token=self.agent_tok)
        srv.request("POST", "/api/v1/projects/%d/transitions" % self.pid, {"to": "accepted"}, token=self.admin)
        self.cust = [self.custodian("agent", agent["id"], self.agent_tok),
                     self.custodian("supervisor", sup["id"], self.sup_tok),
                     self.custodian("center", me["id"], self.admin)]
        r = srv.request("POST", "/api/v1/projects/%d/lots/1/opening-key" % self.pid,
                        {"custodians": [{"user_id": c["user_id"], "key_id": c["key_id"]} for c in self.cust]},
                        token=self.admin)
        assert r.status == 201, r
        self.deadline = self.now + 20 * DAY
        r = srv.request("POST", "/api/v1/projects/%d/announcements" % self.pid,
                        {"type": "tender", "title": "招标公告", "body": "……", "docs_from_us": self.now,
                         "docs_until_us": self.now + 5 * DAY, "bid_deadline_us": self.deadline,
                         "opening_us": self.deadline}, token=self.agent_tok)
        aid = r.json["id"]
        t.book_opening(self.pid, self.deadline, self.agent_tok)  # the opening's room (docs/venues.md)
        r = srv.request("POST", "/api/v1/announcements/%d/publish" % aid, token=self.agent_tok)
        assert r.status == 200, r
        self.bidders = []
        for _ in range(n):
            org = t.make_org(self.admin, "bidder")
            _, tok = t.make_user(self.admin, org["id"], "bidder")
            key = ec.generate_private_key(ec.SECP256R1())
            self.bidders.append({"org": org["id"], "tok": tok, "key": key, "kid": self.register(key, tok)})

    def register(self, key, token):
        """A certified key (a development CA certificate of the caller's side, with its proof)."""
        _, r = self.t.register_key(token, key)
        return r.json["key_id"]

    def custodian(self, name, user_id, token):
        key = ec.generate_private_key(ec.SECP256R1())
        path = os.path.join(self.tmp, name + ".pem")
        with open(path, "wb") as f:
            f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))
        return {"user_id": user_id, "key_id": self.register(key, token), "token": token, "pem": path,
                "key": key}

    def start(self):
        """The center starts the opening, signed (docs/envelope.md §9.1)."""
        c = self.cust[2]
        k = self.srv.request("GET", "/api/v1/projects/%d/lots/1/opening-key" % self.pid, token=c["token"]).json
        f = {"lot": 1, "opening_key_id": k["key_id"], "platform": k["platform"], "project_code": k["project_code"],
             "signed_us": self.srv.request("GET", "/healthz").json["now_us"]}
        return self.srv.request("POST", "/api/v1/projects/%d/lots/1/opening" % self.pid, {
            "key_id": c["key_id"], "signed_us": f["signed_us"],
            "signature": harness.sign_act(c["key"], "ggzy-opening-start-v1", f)}, token=c["token"])

    def seal(self, b, size):
        bd = self.srv.request("GET", "/api/v1/projects/%d/lots/1/bids/binding" % self.pid, token=b["tok"]).json
        header = {"v": 1, "suite": SUITE, "chunk_size": 65536, "signer_key_id": b["kid"]}
        for k in ("platform", "project_code", "lot", "bidder_org_id", "revision", "bid_deadline_us", "opening_key_id"):
            header[k] = bd[k]
        pt = container({"price_fen": 100000000}, [("bid.pdf", b"%PDF-1.7 " + os.urandom(size))])
        return seal_envelope.seal(header, bytes.fromhex(bd["opening_pk"]), b["key"], pt)

    def upload(self, b, env):
        t0 = time.perf_counter()
        c = self.srv.connection(timeout=300)
        try:
            c.request("POST", "/api/v1/projects/%d/lots/1/bids" % self.pid, body=env,
                      headers={"Authorization": "Bearer " + b["tok"], "Content-Type": "application/octet-stream"})
            r = c.getresponse()
            r.read()
            assert r.status == 201, r.status
        finally:
            c.close()
        return time.perf_counter() - t0

    def share(self, i):
        c = self.cust[i]
        env = dict(os.environ, GGZY_SERVER="https://localhost:%d" % self.srv.port, GGZY_CA=harness.CA,
                   GGZY_TOKEN=c["token"])
        p = subprocess.run([CLI, "custodian", "share", "--project", str(self.pid), "--lot", "1", "--key", c["pem"]],
                           capture_output=True, text=True, env=env, timeout=3600)
        assert p.returncode == 0, p.stdout + p.stderr


OPENING_BATCH = None  # --opening-batch: bids.opening_batch for the opening's server


def server():
    conf = {"auth.session_ttl_s": "2592000", "http.threads": "16", "db.pool_size": "32",
            "http.connection_limit": "1024", "log.access": "off"}
    if OPENING_BATCH:
        conf["bids.opening_batch"] = str(OPENING_BATCH)
    return harness.Server(conf=conf)


def profiled(pid, what):
    """With GGZY_BENCH_PERF=DIR, record a profile of ggzyd (perf record) while `what` runs:
    DIR/<what>.data, for `perf report -i`. Returns the recorder to stop, or None."""
    out = os.environ.get("GGZY_BENCH_PERF")
    if not out:
        return None
    os.makedirs(out, exist_ok=True)
    p = subprocess.Popen(["perf", "record", "-g", "-F", "999", "-p", str(pid), "-o",
                          os.path.join(out, what + ".data")],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1)  # perf attaches to every thread before it samples: the rush lasts about a second
    return p


def stop_profile(p):
    if p:
        p.send_signal(2)
        p.wait()


def proc_cpu(pid):
    """CPU seconds (user + system) a process has used so far."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def raw_fsync_mbs(directory, n, size):
    os.makedirs(directory, exist_ok=True)
    buf = os.urandom(size)
    t0 = time.perf_counter()
    for i in range(n):
        fd = os.open(os.path.join(directory, "raw-%d" % i), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.write(fd, buf)
        os.fsync(fd)
        os.close(fd)
    dfd = os.open(directory, os.O_RDONLY)
    os.fsync(dfd)
    os.close(dfd)
    secs = time.perf_counter() - t0
    shutil.rmtree(directory)
    return n * size / MIB / secs


def raw_gcm_seconds(total_bytes):
    out = subprocess.run(["openssl", "speed", "-elapsed", "-seconds", "2", "-bytes", str(MIB), "-evp", "aes-256-gcm"],
                         capture_output=True, text=True).stdout
    kbs = float(re.findall(r"^AES-256-GCM\s+([0-9.]+)k", out, re.M)[-1])
    return total_bytes / (kbs * 1000)


def sink_mbs(directory, envs):
    """The second baseline: the same uploads, over HTTPS with the same client, to a bare
    libmicrohttpd sink that hashes each body and writes it to its own file, fsyncs and answers
    (bench/bare_mhd.c --sink): what any server taking sealed bids must do at the least."""
    import http.client
    import socket
    import ssl
    os.makedirs(directory, exist_ok=True)
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    certs = os.path.join(ROOT, "var", "certs")
    bare = subprocess.Popen([os.path.join(ROOT, "build", "release", "bench_bare"), str(port), "16",
                             os.path.join(certs, "server.crt"), os.path.join(certs, "server.key"),
                             "--sink", directory], stderr=subprocess.DEVNULL)
    try:
        time.sleep(0.3)
        ctx = ssl.create_default_context(cafile=harness.CA)

        def one(env):
            c = http.client.HTTPSConnection("localhost", port, context=ctx, timeout=300)
            try:
                c.request("POST", "/sink", body=env, headers={"Content-Type": "application/octet-stream"})
                r = c.getresponse()
                r.read()
                assert r.status == 201, r.status
            finally:
                c.close()

        total = sum(len(e) for _, e in envs)
        c0 = proc_cpu(bare.pid)
        t0 = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(max_workers=len(envs)) as ex:
            list(ex.map(lambda e: one(e[1]), envs))
        secs = time.perf_counter() - t0
        print("  cpu: sink %.2f s, wall %.2f s" % (proc_cpu(bare.pid) - c0, secs))
    finally:
        bare.terminate()
        bare.wait()
        shutil.rmtree(directory, ignore_errors=True)
    return total / MIB / secs


def rush(n, runs):
    mbs, p50, p99, raw, sink = [], [], [], [], []
    for run in range(runs):
        srv = server()
        try:
            lot = Lot(srv, n)
            envs = [(b, lot.seal(b, MIB - 200)) for b in lot.bidders]
            total = sum(len(e) for _, e in envs)
            rawdir = os.path.join(srv.dir, "envelopes", "rawtest")
            before = raw_fsync_mbs(rawdir, n, len(envs[0][1]))
            c0, p0 = proc_cpu(srv.proc.pid), os.times()
            prof = profiled(srv.proc.pid, "rush")
            t0 = time.perf_counter()
            with concurrent.futures.ThreadPoolExecutor(max_workers=n) as ex:
                lat = sorted(ex.map(lambda e: lot.upload(*e), envs))
            secs = time.perf_counter() - t0
            stop_profile(prof)
            c1, p1 = proc_cpu(srv.proc.pid), os.times()
            print("  cpu: ggzyd %.2f s, client %.2f s, wall %.2f s" %
                  (c1 - c0, (p1.user + p1.system) - (p0.user + p0.system), secs))
            # the disk's speed drifts: the baseline is measured just before and just after
            raw.append((before + raw_fsync_mbs(rawdir, n, len(envs[0][1]))) / 2)
            sink.append(sink_mbs(os.path.join(srv.dir, "envelopes", "sinktest"), envs))
            mbs.append(total / MIB / secs)
            p50.append(lat[len(lat) // 2] * 1000)
            p99.append(lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000)
            print("  rush run %d: %d uploads, %.1f MiB in %.2f s = %.1f MiB/s (p50 %.0f ms, p99 %.0f ms); "
                  "raw write+fsync %.1f MiB/s; bare HTTPS hash+fsync sink %.1f MiB/s"
                  % (run + 1, n, total / MIB, secs, mbs[-1], p50[-1], p99[-1], raw[-1], sink[-1]))
        finally:
            srv.close()
    m, r = statistics.median(mbs), statistics.median(raw)
    ratio = statistics.median(a / b for a, b in zip(mbs, raw))
    sratio = statistics.median(a / b for a, b in zip(mbs, sink))
    print("deadline rush: %.1f MiB/s vs raw write+fsync %.1f MiB/s: ratio %.2f (median of the runs' "
          "ratios; goal >= 0.5); latency p50 %.0f ms, p99 %.0f ms"
          % (m, r, ratio, statistics.median(p50), statistics.median(p99)))
    print("deadline rush vs a bare libmicrohttpd HTTPS sink that hashes and fsyncs the same uploads: "
          "%.1f vs %.1f MiB/s: ratio %.2f (goal >= 0.7)" % (m, statistics.median(sink), sratio))


def opening(m, runs):
    ours, raw, floors = [], [], []
    for run in range(runs):
        srv = server()
        try:
            lot = Lot(srv, m)
            total = 0
            with concurrent.futures.ThreadPoolExecutor(max_workers=8) as ex:
                def one(b):
                    env = lot.seal(b, MIB - 200)
                    lot.upload(b, env)
                    return len(env)
                total = sum(ex.map(one, lot.bidders))
            srv.request("POST", "/api/v1/test/clock", {"set_us": lot.deadline})
            r = lot.start()
            assert r.status == 200 and r.json["bids"] == m, r
            lot.share(0)
            prof = profiled(srv.proc.pid, "opening")
            lot.share(1)
            stop_profile(prof)
            rec = srv.request("GET", "/api/v1/projects/%d/lots/1/opening" % lot.pid).json
            assert rec["state"] == "opened" and len(rec["records"]) == m, rec["state"]
            assert all(x["opening"]["status"] == "opened" for x in rec["records"])
            secs = (rec["completed_us"] - max(s["submitted_us"] for s in rec["shares"])) / 1e6
            ours.append(secs)
            raw.append(raw_gcm_seconds(total))
            print("  opening run %d: %d envelopes, %.1f MiB opened in %.2f s; raw AES-256-GCM %.3f s" %
                  (run + 1, m, total / MIB, secs, raw[-1]))
            floors.append(opener_floor(os.path.join(srv.dir, "envelopes"), rec["private_key"], m))
        finally:
            srv.close()
    o, r = statistics.median(ours), statistics.median(raw)
    ratio = statistics.median(a / b for a, b in zip(ours, raw))
    print("opening: %.2f s vs raw AES-256-GCM %.3f s: %.1fx (median of the runs' ratios; goal "
          "within 2x)" % (o, r, ratio))
    f = {k: statistics.median(x[k] / x["gcm1"] for x in floors) for k in ("opener", "inmem")}
    print("opening's floor (bench_opener, the same files and key, no server, %d threads): the "
          "opener's own steps %.1fx, SHA-256 + AES-GCM from memory %.1fx, of AES-256-GCM on one "
          "thread (%.3f s)" % (floors[0]["threads"], f["opener"], f["inmem"],
                               statistics.median(x["gcm1"] for x in floors)))


def opener_floor(store, key_hex, m):
    """The opening's floor on this machine: bench_opener opens the run's stored envelopes again
    with the published key, without the server, and times the same bytes hashed and decrypted
    from memory and AES-GCM alone on one thread (bench/opener.c)."""
    out = subprocess.run([os.path.join(ROOT, "build", "release", "bench_opener"), store, key_hex],
                         check=True, capture_output=True, text=True).stdout.split()
    x = {out[i]: float(out[i + 1]) for i in range(0, len(out), 2)}
    assert x["envelopes"] == m, x
    print("    floor: opener %.3f s, SHA-256 + AES-GCM from memory %.3f s on %d threads; AES-GCM on "
          "one thread %.3f s" % (x["opener"], x["inmem"], x["threads"], x["gcm1"]))
    return x


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--bidders", type=int, default=200)
    ap.add_argument("--envelopes", type=int, default=500)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--only", choices=("rush", "opening"))
    ap.add_argument("--opening-batch", type=int, help="bids.opening_batch (default: ggzyd's)")
    a = ap.parse_args()
    OPENING_BATCH = a.opening_batch
    if a.only != "opening":
        rush(a.bidders, a.runs)
    if a.only != "rush":
        opening(a.envelopes, a.runs)
