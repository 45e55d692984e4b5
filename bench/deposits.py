#!/usr/bin/env python3
"""bench/deposits.py — the deposit rush: in the last minutes before a deadline the bank posts N
signed notices (default 2,000) of deposits arriving into B bidders' sub-accounts (default 250),
from C concurrent connections (default 32), with duplicates mixed in (default 20 %: the bank
retrying). Each answer must be a booking (201) or a duplicate (200); anything else fails the
bench. The figure is notices booked per second (duplicates answered included); the baseline,
measured in the same run against the same private MariaDB, is plain single-row commits by as
many writers (bench/audit_append.c's plain round). Then the proof: the ledger balances, every
bank transaction is booked exactly once, and every sub-account holds what was paid into it.

usage: scripts/dev bench deposits [--notices N] [--bidders B] [--clients C] [--dup-percent P]
                                  [--runs R]
With GGZY_BENCH_PERF=DIR, ggzyd is profiled during each rush (DIR/deposits-rush-N.data).
"""
import argparse
import concurrent.futures
import json
import os
import random
import re
import subprocess
import secrets
import statistics
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("GGZYD", os.path.join(ROOT, "build", "release", "ggzyd"))
sys.path.insert(0, os.path.join(ROOT, "tests", "api"))
sys.path.insert(0, os.path.join(ROOT, "bench"))
import harness  # noqa: E402
from venues import plain_commits  # noqa: E402
from bids import proc_cpu, profiled, stop_profile  # noqa: E402
from cryptography.hazmat.primitives import serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402

DAY = 86400 * 10**6
DEPOSIT = 1000000


def bank():
    d = tempfile.mkdtemp(prefix="ggzy-bench-bank-")
    key = ec.generate_private_key(ec.SECP256R1())
    code = harness.credit_code("91110000BK")
    cert = os.path.join(d, "bank.crt")
    with open(cert, "w") as f:
        f.write(harness.issue_cert(key.public_key(), code, "finance", name="基准银行"))
    return key, code, cert


def setup(srv, bidders):
    t = harness.ApiTest()
    t.srv = srv
    admin = srv.admin_token()
    agency, tenderer = t.make_org(admin, "agency"), t.make_org(admin, "tenderer")
    _, agent = t.make_user(admin, agency["id"], "agent")
    r = srv.request("POST", "/api/v1/projects", {
        "name": "基准工程", "category": "engineering", "method": "open_tender", "region": "110000",
        "tenderer_org_id": tenderer["id"], "budget_fen": 500000000, "funding_source": "财政资金",
        "legally_required": True, "lots": [{"name": "一标段", "estimate_fen": 500000000}]}, token=agent)
    assert r.status == 201, r
    pid = r.json["id"]
    srv.request("POST", "/api/v1/projects/%d/transitions" % pid, {"to": "submitted"}, token=agent)
    assert srv.request("POST", "/api/v1/projects/%d/transitions" % pid, {"to": "accepted"},
                       token=admin).status == 200
    t.make_opening_keys(pid, 1, agent)
    now = srv.request("GET", "/healthz").json["now_us"]
    deadline = (now // DAY + 21) * DAY + 2 * 3600 * 10**6  # 10:00 CST, three weeks on
    r = srv.request("POST", "/api/v1/projects/%d/announcements" % pid, {
        "type": "tender", "title": "招标公告", "body": "……", "docs_from_us": now,
        "docs_until_us": now + 6 * DAY, "bid_deadline_us": deadline, "opening_us": deadline,
        "deposits": [{"lot": 1, "deposit_fen": DEPOSIT}]}, token=agent)
    assert r.status == 201, r
    b = t.book_opening(pid, deadline, agent)
    assert isinstance(b, dict), b
    r = srv.request("POST", "/api/v1/announcements/%d/publish" % r.json["id"], token=agent)
    assert r.status == 200, r
    subs = []
    for i in range(bidders):
        org = t.make_org(admin, "bidder")
        _, tok = t.make_user(admin, org["id"], "bidder")
        key, reg = t.register_key(tok)
        account = "6222%012d" % i
        f = {"account_no": account, "bank_name": "某银行", "holder_name": org["name"], "org_id": org["id"],
             "platform": "ggzy.test", "signed_us": srv.request("GET", "/healthz").json["now_us"]}
        r = srv.request("POST", "/api/v1/deposits/basic-accounts", {
            "account_no": account, "bank_name": "某银行", "holder_name": org["name"], "key_id": reg.json["key_id"],
            "signed_us": f["signed_us"], "signature": harness.sign_act(key, "ggzy-basic-account-v1", f)}, token=tok)
        assert r.status == 201, r
        assert srv.request("POST", "/api/v1/deposits/basic-accounts/%d/decision" % r.json["id"],
                           {"approve": True}, token=admin).status == 200
        r = srv.request("POST", "/api/v1/projects/%d/lots/1/deposit" % pid, token=tok)
        assert r.status == 201, r
        subs.append((r.json["number"], account, org["name"]))
    return subs


def notices(srv, key, subs, n, dup_percent, seed):
    """n signed notices (distinct ones and resends of them), in a shuffled order."""
    rng = random.Random(seed)
    now = srv.request("GET", "/healthz").json["now_us"]
    distinct = n - n * dup_percent // 100
    out = []
    for i in range(distinct):
        number, account, name = subs[i % len(subs)]
        note = {"platform": "ggzy.test", "bank_txn": "RUSH%d-%s-%06d" % (seed, secrets.token_hex(2), i),
                "kind": "arrival", "account": number, "amount_fen": DEPOSIT // 4 + i % 7,
                "payer_account": account, "payer_name": name, "instrument": "transfer",
                "value_us": now, "signed_us": now}
        out.append({"notice": note, "signature": harness.sign_act(key, "ggzy-bank-notice-v1", note)})
    out += [rng.choice(out[:distinct]) for _ in range(n - distinct)]
    rng.shuffle(out)
    return out, distinct


def rush(srv, bodies, clients):
    chunks = [bodies[i::clients] for i in range(clients)]

    def client(chunk):
        conn = srv.connection()
        got = {201: 0, 200: 0, "other": []}
        try:
            for b in chunk:
                r = srv.request("POST", "/api/v1/deposits/bank/notices", b, conn=conn)
                if r.status in (200, 201):
                    got[r.status] += 1
                else:
                    got["other"].append(r)
        finally:
            conn.close()
        return got

    t0 = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=clients) as ex:
        res = list(ex.map(client, chunks))
    dt = time.monotonic() - t0
    other = [r for x in res for r in x["other"]]
    if other:
        sys.exit("bench: unexpected answers: %r" % other[:3])
    return sum(x[201] for x in res), sum(x[200] for x in res), dt


WRK_SCRIPT = r"""
-- bench/deposits.py's client: each body of BODIES once, the bodies split among wrk's threads; a
-- body is done when an answer (200 or 201) names its bank_txn, and one whose answer never came
-- (wrk drops a request when it reconnects) is sent again, as a bank resends; a thread stops once
-- all of its bodies are done
local bodies_path, nthreads = os.getenv("GGZY_BODIES"), tonumber(os.getenv("GGZY_THREADS"))
local made, threads = 0, {}
function setup(thread)
  thread:set("id", made)
  made = made + 1
  threads[#threads + 1] = thread
end
function init(args)
  mine, byid, pending, sent, left, bad, again = {}, {}, {}, 0, 0, 0, 0
  local i = 0
  for line in io.lines(bodies_path) do
    if i % nthreads == id then
      mine[#mine + 1] = line
      local txn = string.match(line, '"bank_txn":"([^"]+)"')
      byid[txn] = line
      pending[txn] = (pending[txn] or 0) + 1
      left = left + 1
    end
    i = i + 1
  end
  headers = {["Content-Type"] = "application/json"}
end
function request()
  sent = sent + 1
  if sent <= #mine then
    return wrk.format("POST", "/api/v1/deposits/bank/notices", headers, mine[sent])
  end
  for txn, n in pairs(pending) do
    if n > 0 then
      again = again + 1
      return wrk.format("POST", "/api/v1/deposits/bank/notices", headers, byid[txn])
    end
  end
  return wrk.format("GET", "/healthz") -- a connection's last turns, while the others finish
end
function response(status, hdrs, body)
  local txn = string.match(body, '"bank_txn":"([^"]+)"')
  if not txn then
    if not string.find(body, '"now_us"', 1, true) then bad = bad + 1 end
    return
  end
  if status ~= 200 and status ~= 201 then bad = bad + 1 end
  if pending[txn] and pending[txn] > 0 then
    pending[txn] = pending[txn] - 1
    left = left - 1
  end
  if left <= 0 and not finished then
    -- when this thread's last body was answered, for the bench (wrk itself runs on to -d)
    finished = true
    local clock = io.popen("date +%s%N")
    local now = clock:read("*l")
    clock:close()
    local f = io.open(os.getenv("GGZY_DONE_DIR") .. "/" .. id .. ".tmp", "w")
    f:write(string.format("%s %d %d\n", now, bad, again))
    f:close()
    os.rename(os.getenv("GGZY_DONE_DIR") .. "/" .. id .. ".tmp", os.getenv("GGZY_DONE_DIR") .. "/" .. id)
    wrk.thread:stop()
  end
end
"""


def rush_wrk(srv, bodies, clients, threads=2):
    """The rush from wrk (a C client over the same HTTPS): each body once, every answer 200 or
    201. Returns (seconds, the answers wrk counted)."""
    d = tempfile.mkdtemp(prefix="ggzy-bench-rush-")
    path, script = os.path.join(d, "bodies.jsonl"), os.path.join(d, "rush.lua")
    with open(path, "w") as f:
        for b in bodies:
            f.write(json.dumps(b, ensure_ascii=False, separators=(",", ":")) + "\n")
    with open(script, "w") as f:
        f.write(WRK_SCRIPT)
    done = os.path.join(d, "done")
    os.makedirs(done)
    env = dict(os.environ, GGZY_BODIES=path, GGZY_THREADS=str(threads), GGZY_DONE_DIR=done)
    t0 = time.time_ns()
    p = subprocess.Popen(["wrk", "-t%d" % threads, "-c%d" % clients, "-d300s", "-s", script,
                          "https://localhost:%d/" % srv.port], stdout=subprocess.DEVNULL, env=env)
    try:
        while len([f for f in os.listdir(done) if not f.endswith(".tmp")]) < threads:
            if p.poll() is not None or time.time_ns() - t0 > 290 * 10**9:
                sys.exit("bench: wrk did not finish the rush")
            time.sleep(0.01)
    finally:
        p.terminate()
        p.wait()
    ends, bad, again = [], 0, 0
    for f in os.listdir(done):
        with open(os.path.join(done, f)) as fh:
            e, b, a = fh.read().split()
        ends.append(int(e))
        bad += int(b)
        again += int(a)
    if bad:
        sys.exit("bench: %d answers were neither 201 nor 200" % bad)
    return (max(ends) - t0) / 1e9, again


def db_counters(srv):
    """MariaDB's global statement counters (what the server executed, all sessions)."""
    rows = srv.admin("SHOW GLOBAL STATUS WHERE Variable_name IN ('Com_stmt_execute', 'Com_commit', "
                     "'Innodb_rows_read', 'Innodb_rows_inserted', 'Innodb_rows_updated')")
    return {k: int(v) for k, v in rows}


def mariadb_pid():
    with open(os.path.join(ROOT, "var", "mariadb", "mysqld.pid")) as f:
        return int(f.read().strip())


def proof(srv, bodies, distinct):
    booked = int(srv.sql("SELECT COUNT(*) FROM deposit_notices")[0][0])
    txns = int(srv.sql("SELECT COUNT(DISTINCT bank_txn) FROM deposit_notices")[0][0])
    total = int(srv.sql("SELECT COALESCE(SUM(fen), 0) FROM deposit_postings")[0][0])
    bad = srv.sql("SELECT COUNT(*) FROM (SELECT entry_id FROM deposit_postings GROUP BY entry_id "
                  "HAVING SUM(fen) <> 0) x")[0][0]
    paid = sum({b["notice"]["bank_txn"]: b["notice"]["amount_fen"] for b in bodies}.values())
    subs = -int(srv.sql("SELECT COALESCE(SUM(fen), 0) FROM deposit_postings WHERE account = 'sub'")[0][0])
    if booked != distinct or txns != distinct or total != 0 or int(bad) or subs != paid:
        sys.exit("bench: %d notices booked for %d distinct (%d transaction ids), ledger total %d, %s "
                 "unbalanced entries, sub-accounts hold %d of %d paid"
                 % (booked, distinct, txns, total, bad, subs, paid))
    return booked


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--notices", type=int, default=2000)
    ap.add_argument("--bidders", type=int, default=250)
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--dup-percent", type=int, default=20)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--client", choices=("wrk", "python"), default="wrk",
                    help="wrk (C, default: the client takes least of the machine) or Python threads")
    a = ap.parse_args()
    key, code, cert = bank()
    print("== the deposit rush: %d notices (%d %% resent) into %d sub-accounts from %d connections, %d runs"
          % (a.notices, a.dup_percent, a.bidders, a.clients, a.runs))
    ours, base, ratios = [], [], []
    for run in range(a.runs):
        srv = harness.Server(conf={"log.access": "off", "deposits.bank_cert": cert,
                                   "deposits.bank_credit_code": code, "http.threads": "16",
                                   "db.pool_size": "24", "auth.session_ttl_s": "86400"})
        try:
            subs = setup(srv, a.bidders)
            bodies, distinct = notices(srv, key, subs, a.notices, a.dup_percent, run)
            k0 = db_counters(srv)
            c0, p0, m0 = proc_cpu(srv.proc.pid), os.times(), proc_cpu(mariadb_pid())
            prof = profiled(srv.proc.pid, "deposits-rush-%d" % (run + 1))
            if a.client == "wrk":
                dt, again = rush_wrk(srv, bodies, a.clients)
                booked = int(srv.sql("SELECT COUNT(*) FROM deposit_notices")[0][0])
                dups = len(bodies) - booked + again  # a body wrk dropped, sent again
            else:
                booked, dups, dt = rush(srv, bodies, a.clients)
            stop_profile(prof)
            c1, p1, m1 = proc_cpu(srv.proc.pid), os.times(), proc_cpu(mariadb_pid())
            k1 = db_counters(srv)
            cpu = (c1 - c0, (p1.user + p1.system + p1.children_user + p1.children_system)
                   - (p0.user + p0.system + p0.children_user + p0.children_system), m1 - m0)
            rate = (booked + dups) / dt
            proof(srv, bodies, distinct)
            plain = plain_commits(srv, a.clients, 3)
        finally:
            srv.close()
        ours.append(rate)
        base.append(plain)
        ratios.append(rate / plain)
        print("  run %d: %d booked, %d duplicates answered in %.2f s: %.0f notices/s; plain commits %.0f/s; "
              "ratio %.3f; each transaction booked once, the ledger balanced"
              % (run + 1, booked, dups, dt, rate, plain, rate / plain))
        # on two cores, a client near a whole CPU-second per wall second is the bound, not ggzyd
        n = booked + dups
        print("  the database, per notice: %s" % ", ".join(
            "%s %.1f" % (k, (k1[k] - k0[k]) / (booked + dups)) for k in sorted(k0)))
        print("  cpu: ggzyd %.2f s (%.0f µs a notice), MariaDB %.2f s (%.0f µs), the client (%s) "
              "%.2f s (%.0f µs), wall %.2f s on %d cores"
              % (cpu[0], cpu[0] * 1e6 / n, cpu[2], cpu[2] * 1e6 / n, a.client, cpu[1],
                 cpu[1] * 1e6 / n, dt, os.cpu_count()))
    print("median: %.0f notices/s, plain commits %.0f/s, ratio %.3f; nothing booked twice, the ledger balanced"
          % (statistics.median(ours), statistics.median(base), statistics.median(ratios)))


if __name__ == "__main__":
    main()
