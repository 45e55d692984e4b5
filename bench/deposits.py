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
import os
import random
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
            c0, p0 = proc_cpu(srv.proc.pid), os.times()
            prof = profiled(srv.proc.pid, "deposits-rush-%d" % (run + 1))
            booked, dups, dt = rush(srv, bodies, a.clients)
            stop_profile(prof)
            c1, p1 = proc_cpu(srv.proc.pid), os.times()
            cpu = (c1 - c0, (p1.user + p1.system) - (p0.user + p0.system))
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
        print("  cpu: ggzyd %.2f s (%.0f µs a notice), the client %.2f s, wall %.2f s"
              % (cpu[0], cpu[0] * 1e6 / (booked + dups), cpu[1], dt))
    print("median: %.0f notices/s, plain commits %.0f/s, ratio %.3f; nothing booked twice, the ledger balanced"
          % (statistics.median(ours), statistics.median(base), statistics.median(ratios)))


if __name__ == "__main__":
    main()
