"""Sealed bids end to end through the real API: bidders seal on their own side (docs/tools/
seal_envelope.py, standard Python cryptography only) and submit; the platform stores each
envelope durably and answers with a signed receipt that `ggzy receipt verify` checks down to
the audit log; nothing opens before the opening time, whoever asks; at the opening custodians
hand in their shares with `ggzy custodian share`, the rebuilt key opens every current envelope,
the key is published and `ggzy opening verify` re-derives every decryption."""
import calendar
import concurrent.futures
import datetime
import glob
import hashlib
import json
import os
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time

from harness import ApiTest, ROOT, CA, parse_json, sign_act

sys.path.insert(0, os.path.join(ROOT, "docs", "tools"))
import seal_envelope  # noqa: E402
from cryptography.hazmat.primitives import serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec, ed25519  # noqa: E402

GGZY = os.environ.get("GGZY_CLI") or os.path.join(os.path.dirname(os.environ.get("GGZYD", os.path.join(ROOT, "build", "debug", "ggzyd"))), "ggzy")
DAY = 86400 * 10**6
SUITE = "HPKE(DHKEM-P256-HKDF-SHA256,HKDF-SHA256,AES-256-GCM)+AES-256-GCM-64KiB+ECDSA-P256-SHA256"


def us(y, m, d, hh=2):
    return calendar.timegm(datetime.datetime(y, m, d, hh).timetuple()) * 10**6


def container(summary, docs=()):
    """The bid container of docs/envelope.md §4.1."""
    s = json.dumps(summary, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    out = b"GGZYBID1" + struct.pack(">I", len(s)) + s + struct.pack(">I", len(docs))
    for name, data in docs:
        n = name.encode()
        out += struct.pack(">H", len(n)) + n + struct.pack(">Q", len(data)) + data
    return out


class Ceremony(ApiTest):
    """A project with two lots, their opening keys (agent, supervisor, center; any two open), a
    published tender announcement, and bidders with registered keys. Sessions last 30 days, so
    the test clock can move past the deadline without logging in again."""

    # batches of 32 envelopes, so a test of 40 bids sees the record grow in two (the default is 128)
    server_args = {"conf": {"auth.session_ttl_s": "2592000", "bids.opening_batch": "32"}}
    deposits = None  # the tender's deposits: [{"lot", "deposit_fen"}] (test_deposits.py)
    category = "engineering"
    start = (2026, 3, 2)  # the day the tender is published (10:00 CST)
    docs_days = 5  # the tender documents are available this many days

    def setUp(self):
        super().setUp()
        self.tmp = tempfile.mkdtemp(prefix="ggzy-opening-")
        self.now = us(*self.start)
        self.clock(self.now)
        self.admin = self.srv.admin_token()
        self.admin_user = self.srv.request("GET", "/api/v1/me", token=self.admin).json
        agency = self.make_org(self.admin, "agency")
        tenderer = self.make_org(self.admin, "tenderer")
        self.agent, self.agent_tok = self.make_user(self.admin, agency["id"], "agent")
        sup_org = self.make_org(self.admin, "supervision")
        self.sup, self.sup_tok = self.make_user(self.admin, sup_org["id"], "supervisor")
        body = {"name": "某某学校教学楼工程", "category": self.category, "method": "open_tender",
                "region": "110000", "tenderer_org_id": tenderer["id"], "budget_fen": 800000000,
                "funding_source": "财政资金", "legally_required": True,
                "lots": [{"name": "施工一标段", "estimate_fen": 500000000},
                         {"name": "施工二标段", "estimate_fen": 300000000}]}
        r = self.srv.request("POST", "/api/v1/projects", body, token=self.agent_tok)
        self.assertEqual(r.status, 201, r)
        self.pid = r.json["id"]
        self.srv.request("POST", "/api/v1/projects/%d/transitions" % self.pid, {"to": "submitted"}, token=self.agent_tok)
        r = self.srv.request("POST", "/api/v1/projects/%d/transitions" % self.pid, {"to": "accepted"}, token=self.admin)
        self.assertEqual(r.status, 200, r)
        self.code = r.json["code"]
        self.cust = [self.custodian("agent", self.agent["id"], self.agent_tok),
                     self.custodian("supervisor", self.sup["id"], self.sup_tok),
                     self.custodian("center", self.admin_user["id"], self.admin)]
        for lot in (1, 2):
            r = self.srv.request("POST", "/api/v1/projects/%d/lots/%d/opening-key" % (self.pid, lot),
                                 {"custodians": [{"user_id": c["user_id"], "key_id": c["key_id"]} for c in self.cust]},
                                 token=self.admin)
            self.assertEqual(r.status, 201, r)
            if lot == 1:
                self.okey = r.json
        self.deadline = self.now + 20 * DAY
        tender = {"type": "tender", "title": "招标公告", "body": "……", "docs_from_us": self.now,
                  "docs_until_us": self.now + self.docs_days * DAY, "bid_deadline_us": self.deadline,
                  "opening_us": self.deadline}
        if self.deposits:
            tender["deposits"] = self.deposits
        if getattr(self, "evaluation", None):  # the evaluation method (test_tender_flow.py)
            tender["evaluation"] = self.evaluation
        r = self.srv.request("POST", "/api/v1/projects/%d/announcements" % self.pid, tender, token=self.agent_tok)
        self.assertEqual(r.status, 201, r)
        self.ann = r.json["id"]
        self.book_opening(self.pid, self.deadline, self.agent_tok)
        r = self.srv.request("POST", "/api/v1/announcements/%d/publish" % self.ann, token=self.agent_tok)
        self.assertEqual(r.status, 200, r)
        self.bidders = [self.bidder() for _ in range(4)]

    # -- helpers --

    def clock(self, t):
        r = self.srv.request("POST", "/api/v1/test/clock", {"set_us": t})
        self.assertEqual(r.status, 200, r)

    def custodian(self, name, user_id, token):
        key = ec.generate_private_key(ec.SECP256R1())
        path = os.path.join(self.tmp, name + ".pem")
        with open(path, "wb") as f:
            f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))
        kid = self.register(key, token)
        return {"user_id": user_id, "key_id": kid, "token": token, "pem": path, "key": key}

    def register(self, key, token):
        """A certified key (harness.register_key: a development CA certificate of the caller's
        side naming its organization, with the proof of possession)."""
        _, r = self.register_key(token, key)
        return r.json["key_id"]

    def bidder(self):
        org = self.make_org(self.admin, "bidder")
        user, tok = self.make_user(self.admin, org["id"], "bidder")
        key = ec.generate_private_key(ec.SECP256R1())
        pem = os.path.join(self.tmp, "bidder-%d.pem" % org["id"])
        with open(pem, "wb") as f:
            f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))
        return {"org": org["id"], "tok": tok, "key": key, "kid": self.register(key, tok),
                "username": user["username"], "pem": pem}

    def signer_of(self, token):
        """The certified key of a custodian's token (agent, supervisor, center), or None."""
        return next((c for c in self.cust if c["token"] == token), None)

    def step_fields(self, lot, **extra):
        k = self.srv.request("GET", "/api/v1/projects/%d/lots/%d/opening-key" % (self.pid, lot)).json
        f = {"lot": lot, "opening_key_id": k["key_id"], "platform": k["platform"],
             "project_code": k["project_code"], "signed_us": self.server_now()}
        f.update(extra)
        return f

    def start_req(self, token, lot=1, signer=None, signed_us=None):
        """POST …/opening, signed (docs/envelope.md §9.1) with the token's certified key; a token
        with none sends a well-formed body signed by nobody's key."""
        c = signer or self.signer_of(token)
        f = self.step_fields(lot)
        if signed_us is not None:
            f["signed_us"] = signed_us
        key = c["key"] if c else ec.generate_private_key(ec.SECP256R1())
        body = {"key_id": c["key_id"] if c else "00" * 32, "signed_us": f["signed_us"],
                "signature": sign_act(key, "ggzy-opening-start-v1", f)}
        return self.srv.request("POST", "/api/v1/projects/%d/lots/%d/opening" % (self.pid, lot), body, token=token)

    def share_req(self, token, x, share_hex, lot=1, signer=None):
        """POST …/opening/shares, the hand-in signed with the token's certified key."""
        import hashlib
        c = signer or self.signer_of(token)
        f = self.step_fields(lot, x=x, share_sha256=hashlib.sha256(bytes.fromhex(share_hex)).hexdigest())
        key = c["key"] if c else ec.generate_private_key(ec.SECP256R1())
        body = {"x": x, "share": share_hex, "key_id": c["key_id"] if c else "00" * 32,
                "signed_us": f["signed_us"], "signature": sign_act(key, "ggzy-share-handin-v1", f)}
        return self.srv.request("POST", "/api/v1/projects/%d/lots/%d/opening/shares" % (self.pid, lot), body,
                                token=token)

    def withdraw_req(self, b, lot=1, key=None):
        """POST …/bids/withdrawal for the organization's current bid, signed with its key."""
        mine = self.srv.request("GET", "/api/v1/projects/%d/lots/%d/bids/mine" % (self.pid, lot), token=b["tok"]).json
        cur = next((x for x in mine["items"] if x["state"] == "current"), None) or mine["items"][-1]
        bd = self.binding(b, lot)
        f = {"bid_id": cur["id"], "bidder_org_id": cur["bidder_org_id"], "envelope_sha256": cur["envelope_sha256"],
             "lot": lot, "platform": bd["platform"], "project_code": bd["project_code"], "revision": cur["revision"]}
        body = {"bid_id": cur["id"], "key_id": b["kid"], "signature": sign_act(key or b["key"], "ggzy-bid-withdraw-v1", f)}
        return self.srv.request("POST", "/api/v1/projects/%d/lots/%d/bids/withdrawal" % (self.pid, lot), body,
                                token=b["tok"])

    def sign_in(self, b, mode="online"):
        """Sign in to the project's opening session with the bidder's certified key
        (docs/venues.md §5)."""
        me = self.srv.request("GET", "/api/v1/me", token=b["tok"]).json
        booking = next(x for x in self.srv.request("GET", "/api/v1/venues/bookings?project=%d" % self.pid,
                                                   token=self.admin).json["items"]
                       if x["purpose"] == "opening" and x["state"] == "approved")
        f = {"booking_id": booking["id"], "mode": mode, "platform": me["platform"],
             "signed_us": self.server_now(), "user_id": me["id"]}
        return self.srv.request("POST", "/api/v1/venues/bookings/%d/attendance" % booking["id"], {
            "mode": mode, "key_id": b["kid"], "signed_us": f["signed_us"],
            "signature": sign_act(b["key"], "ggzy-attendance-v1", f)}, token=b["tok"])

    def binding(self, b, lot=1):
        r = self.srv.request("GET", "/api/v1/projects/%d/lots/%d/bids/binding" % (self.pid, lot), token=b["tok"])
        self.assertEqual(r.status, 200, r)
        return r.json

    def seal(self, b, price=100000000, lot=1, size=0, opening_pk=None, key=None, remarks=None, **override):
        bd = self.binding(b, lot)
        header = {"v": 1, "suite": SUITE, "chunk_size": 65536, "signer_key_id": b["kid"]}
        for k in ("platform", "project_code", "lot", "bidder_org_id", "revision", "bid_deadline_us",
                  "opening_key_id"):
            header[k] = bd[k]
        header.update(override)
        summary = {"duration_days": 365, "price_fen": price}
        if remarks:
            summary["remarks"] = remarks
        pt = container(summary,
                       [("报价单.pdf", b"%PDF-1.7 " + os.urandom(size))])
        pk = opening_pk or bytes.fromhex(bd["opening_pk"])
        return seal_envelope.seal(header, pk, key or b["key"], pt)

    def submit(self, b, env, lot=1, token=None):
        c = self.srv.connection()
        try:
            c.request("POST", "/api/v1/projects/%d/lots/%d/bids" % (self.pid, lot), body=env,
                      headers={"Authorization": "Bearer " + (token or b["tok"]),
                               "Content-Type": "application/octet-stream"})
            r = c.getresponse()
            return r.status, parse_json(r.read() or b"{}")
        finally:
            c.close()

    def early_answer(self, b, lot, length):
        """Send only the headers of an upload: the answer must come before any body byte."""
        c = self.srv.connection(timeout=10)
        try:
            c.putrequest("POST", "/api/v1/projects/%d/lots/%d/bids" % (self.pid, lot))
            for k, v in {"Content-Length": str(length), "Authorization": "Bearer " + b["tok"],
                         "Content-Type": "application/octet-stream"}.items():
                c.putheader(k, v)
            c.endheaders()
            r = c.getresponse()
            return r.status, parse_json(r.read() or b"{}")
        finally:
            c.close()

    def ggzy(self, *args, token=None):
        env = dict(os.environ, GGZY_SERVER="https://localhost:%d" % self.srv.port, GGZY_CA=CA)
        if token:
            env["GGZY_TOKEN"] = token
        return subprocess.run([GGZY] + list(args), capture_output=True, text=True, env=env, timeout=120)

    def stored(self):
        d = os.path.join(self.srv.dir, "envelopes")
        return sorted(os.path.basename(p) for p in glob.glob(os.path.join(d, "*.env"))), os.listdir(os.path.join(d, "tmp"))

    def count(self, sql):
        return int(self.srv.sql(sql)[0][0])

    def share(self, i, lot=1):
        c = self.cust[i]
        return self.ggzy("custodian", "share", "--project", str(self.pid), "--lot", str(lot), "--key", c["pem"],
                         token=c["token"])

    def open_lot(self):
        """Start lot 1's opening at its deadline and hand in shares 1 and 2; the bid.decrypt
        batches it committed, in log order (each a list of bids)."""
        self.clock(self.deadline)
        self.assertEqual(self.start_req(self.admin, lot=1).status, 200)
        for i in (1, 2):
            p = self.share(i)
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.srv.wait_sequenced()
        return [json.loads(e[0])["payload"]["bids"] for e in
                self.srv.sql("SELECT entry FROM audit_entries WHERE action = 'bid.decrypt' ORDER BY idx")]

    def vkey(self):
        return self.srv.request("GET", "/api/v1/audit/vkey").json["vkey"]

    def receipt_verifies(self, b, answer, env):
        """Save the submission's answer and the envelope, sign a checkpoint, and check that
        `ggzy receipt verify` (pinned key) accepts them down to the audit log. Returns the paths."""
        envp, rp = os.path.join(self.tmp, "bid.env"), os.path.join(self.tmp, "receipt.json")
        with open(envp, "wb") as f:
            f.write(env)
        with open(rp, "w") as f:
            json.dump(answer, f)
        self.assertEqual(self.srv.request("POST", "/api/v1/audit/checkpoints", token=self.sup_tok).status, 200)
        p = self.ggzy("receipt", "verify", "--file", rp, "--envelope", envp, "--vkey", self.vkey(), token=b["tok"])
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("in the log under the signed checkpoint", p.stdout)
        return envp, rp


class SubmissionTest(Ceremony):
    def test_a_bid_is_stored_and_its_signed_receipt_verifies_down_to_the_audit_log(self):
        b = self.bidders[0]
        env = self.seal(b, size=200000)
        status, j = self.submit(b, env)
        self.assertEqual(status, 201, j)
        self.assertEqual(j["envelope_sha256"], hashlib.sha256(env).hexdigest())
        rcpt = json.loads(j["receipt"])
        self.assertEqual((rcpt["project_code"], rcpt["lot"], rcpt["bidder_org_id"], rcpt["revision"]),
                         (self.code, 1, b["org"], 1))
        self.assertEqual(rcpt["received_us"], j["received_us"])
        self.assertGreaterEqual(rcpt["audit_index"], 0)
        # the signature is Ed25519 by the log key over the domain and the receipt's bytes
        import base64
        pub = base64.b64decode(self.vkey().split("+", 2)[2])[1:]
        ed25519.Ed25519PublicKey.from_public_bytes(pub).verify(
            base64.b64decode(j["signature"]), b"ggzy-bid-receipt-v1\n" + j["receipt"].encode())
        # the envelope is on disk under its hash, nothing is left in tmp/
        files, tmp = self.stored()
        self.assertEqual(files, [hashlib.sha256(env).hexdigest() + ".env"])
        self.assertEqual(tmp, [])
        # the receipt verifies with the CLI: signature, envelope bytes, and (after a checkpoint)
        # the audit entry under a signed checkpoint
        envp, rp = self.receipt_verifies(b, j, env)
        # a forged receipt (another time of record) does not verify
        forged = dict(j, receipt=j["receipt"].replace(str(rcpt["received_us"]), str(rcpt["received_us"] - 1)))
        with open(rp, "w") as f:
            json.dump(forged, f)
        p = self.ggzy("receipt", "verify", "--file", rp, "--vkey", self.vkey())
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("signature does not verify", p.stdout)
        # another envelope is not the one the receipt names
        with open(rp, "w") as f:
            json.dump(j, f)
        with open(envp, "ab") as f:
            f.write(b"x")
        p = self.ggzy("receipt", "verify", "--file", rp, "--envelope", envp, "--vkey", self.vkey())
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)

    def test_ggzy_bid_submit_streams_the_file_and_keeps_the_receipt(self):
        b = self.bidders[0]
        envp, rp = os.path.join(self.tmp, "bid.env"), os.path.join(self.tmp, "r.json")
        with open(envp, "wb") as f:
            f.write(self.seal(b, size=300000))
        p = self.ggzy("bid", "submit", "--project", str(self.pid), "--lot", "1", "--file", envp,
                      "--receipt-out", rp, token=b["tok"])
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        p = self.ggzy("receipt", "verify", "--file", rp, "--envelope", envp, "--vkey", self.vkey(), token=b["tok"])
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

    def test_a_bidder_seals_with_ggzy_from_the_lots_binding_submits_lists_and_withdraws(self):
        b = self.bidders[0]
        paths = {n: os.path.join(self.tmp, n) for n in ("lot.json", "summary.json", "技术标.pdf", "bidder.pem", "bid.env", "r.json")}
        with open(paths["lot.json"], "w") as f:
            json.dump(self.binding(b), f)
        with open(paths["summary.json"], "w") as f:
            f.write('{"duration_days":300,"price_fen":98765432}\n')
        with open(paths["技术标.pdf"], "wb") as f:
            f.write(b"%PDF-1.7 " + os.urandom(150000))
        with open(paths["bidder.pem"], "wb") as f:
            f.write(b["key"].private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
        p = self.ggzy("bid", "seal", "--binding", paths["lot.json"], "--summary", paths["summary.json"],
                      "--doc", paths["技术标.pdf"], "--key", paths["bidder.pem"], "--out", paths["bid.env"])
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        p = self.ggzy("bid", "submit", "--project", str(self.pid), "--lot", "1", "--file", paths["bid.env"],
                      "--receipt-out", paths["r.json"], token=b["tok"])
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        # submitting the same file again is a replay, refused with its rule
        p = self.ggzy("bid", "submit", "--project", str(self.pid), "--lot", "1", "--file", paths["bid.env"], token=b["tok"])
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("BID-REPLAY", p.stdout)
        # the next revision, sealed with the binding fetched from the platform
        seal = ["bid", "seal", "--project", str(self.pid), "--lot", "1", "--summary", paths["summary.json"],
                "--key", paths["bidder.pem"], "--out", paths["bid.env"], "--vkey", self.vkey()]
        p = self.ggzy(*seal, token=b["tok"])
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("checked: the opening key and the deadline are those the platform signed in "
                      "announcements %d and %d" % (self.ann, self.ann), p.stdout)
        # a platform that hands out another opening key than the one it published is caught
        # before anything is sealed to it
        os.unlink(paths["bid.env"])
        with self.another_opening_key(self.pid, 1):
            p = self.ggzy(*seal, token=b["tok"])
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("is not the one announcement %d published" % self.ann, p.stdout)
        self.assertFalse(os.path.exists(paths["bid.env"]))
        # nor can the published announcement be rewritten: its signature no longer holds
        self.srv.sql("UPDATE announcements SET content = REPLACE(content, '\"lot\":1', '\"lot\":9') "
                     "WHERE id = %d" % self.ann)
        p = self.ggzy(*seal, token=b["tok"])
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("announcement %d is not signed by the platform's key" % self.ann, p.stdout)
        self.srv.sql("UPDATE announcements SET content = REPLACE(content, '\"lot\":9', '\"lot\":1') "
                     "WHERE id = %d" % self.ann)
        p = self.ggzy(*seal, token=b["tok"])
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        p = self.ggzy("bid", "submit", "--project", str(self.pid), "--lot", "1", "--file", paths["bid.env"], token=b["tok"])
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("revision 2", p.stdout)
        # the organization's bids, newest first; withdrawing the current one, once
        lot = ["--project", str(self.pid), "--lot", "1"]
        p = self.ggzy("bid", "list", *lot, token=b["tok"])
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertEqual([ln.split()[:3] for ln in p.stdout.splitlines()],
                         [["revision", "2", "current"], ["revision", "1", "superseded"]])
        p = self.ggzy("bid", "withdraw", *lot, "--key", b["pem"], token=b["tok"])
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("withdrawn: revision 2  withdrawn", p.stdout)
        p = self.ggzy("bid", "withdraw", *lot, "--key", b["pem"], token=b["tok"])
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("no current bid", p.stdout)
        self.clock(self.deadline + 1)
        self.assertEqual(self.withdraw_req(b).json["error"]["rule"], "BID-DEADLINE")
        p = self.ggzy("bid", "list", *lot, token=self.bidders[1]["tok"])  # another organization: none
        self.assertEqual(p.stdout.strip(), "no bid in lot 1", p.stdout + p.stderr)

    def test_a_revision_supersedes_and_a_withdrawal_withdraws_before_the_deadline_only(self):
        b = self.bidders[0]
        s1, j1 = self.submit(b, self.seal(b, price=1))
        s2, j2 = self.submit(b, self.seal(b, price=2))
        self.assertEqual((s1, s2), (201, 201), (j1, j2))
        self.assertEqual((j2["revision"], j2["supersedes"]), (2, j1["bid_id"]))
        mine = self.srv.request("GET", "/api/v1/projects/%d/lots/1/bids/mine" % self.pid, token=b["tok"]).json
        self.assertEqual([(x["revision"], x["state"]) for x in mine["items"]], [(1, "superseded"), (2, "current")])
        r = self.withdraw_req(b)
        self.assertEqual((r.status, r.json["state"]), (200, "withdrawn"), r)
        self.assertError(self.withdraw_req(b),
                         404, "not_found")
        s3, j3 = self.submit(b, self.seal(b, price=3))  # a new revision after a withdrawal
        self.assertEqual((s3, j3.get("revision")), (201, 3), j3)
        self.clock(self.deadline + 1)
        r = self.withdraw_req(b)
        self.assertEqual(r.json["error"]["rule"], "BID-DEADLINE", r)
        actions = [a[0] for a in self.srv.sql("SELECT action FROM audit_entries WHERE action LIKE 'bid.%' ORDER BY qid")]
        self.assertEqual(actions, ["bid.receive", "bid.receive", "bid.withdraw", "bid.receive"])

    def test_bad_envelopes_are_refused_each_with_its_own_error_and_nothing_is_stored(self):
        b, other = self.bidders[0], self.bidders[1]
        good = self.seal(b)
        self.assertEqual(self.submit(b, good)[0], 201)
        files_before = self.stored()[0]
        tampered = bytearray(self.seal(b))
        tampered[len(tampered) // 2] ^= 1
        stranger = ec.generate_private_key(ec.SECP256R1())
        cases = [
            (bytes(tampered), 1, None, 422, "BID-SIGNATURE"),
            (self.seal(b, key=stranger), 1, None, 422, "BID-SIGNATURE"),                    # signed by another key
            (self.seal(b, signer_key_id="ab" * 32, key=stranger), 1, None, 422, "BID-SIGNER-KEY"),  # unregistered
            (self.seal(b, project_code="110000-2026-GC-99999"), 1, None, 422, "BID-BOUND-PROJECT"),
            (self.seal(b, platform="ggzy.other"), 1, None, 422, "BID-BOUND-PROJECT"),
            (self.seal(b, lot=2), 1, None, 422, "BID-BOUND-LOT"),                # sealed for lot 2, sent to lot 1
            (self.seal(b, bidder_org_id=other["org"]), 1, None, 422, "BID-BOUND-BIDDER"),
            (self.seal(b, bid_deadline_us=self.deadline - 1), 1, None, 422, "BID-BOUND-ROUND"),
            (self.seal(b, revision=1), 1, None, 422, "BID-REVISION"),                         # stale revision
            (good, 1, None, 422, "BID-REPLAY"),                                               # the same bytes again
            (good, 1, other["tok"], 422, "BID-SIGNER-KEY"),                                  # another bidder replays it
        ]
        for env, lot, tok, status, rule in cases:
            s, j = self.submit(b, env, lot=lot, token=tok)
            self.assertEqual((s, j["error"].get("rule")), (status, rule), j)
        s, j = self.submit(b, good[:-10])
        self.assertEqual((s, j["error"]["code"]), (422, "invalid_envelope"), j)
        # oversized: refused from the declared length, before the body
        c = self.srv.connection(timeout=10)
        c.putrequest("POST", "/api/v1/projects/%d/lots/1/bids" % self.pid)
        for k, v in {"Content-Length": str(65 << 20), "Authorization": "Bearer " + b["tok"],
                     "Content-Type": "application/octet-stream"}.items():
            c.putheader(k, v)
        c.endheaders()
        r = c.getresponse()
        self.assertEqual(r.status, 413)
        c.close()
        # a truncated upload: the connection dies half-way
        env = self.seal(b, size=400000)
        c = self.srv.connection(timeout=10)
        c.putrequest("POST", "/api/v1/projects/%d/lots/1/bids" % self.pid)
        for k, v in {"Content-Length": str(len(env)), "Authorization": "Bearer " + b["tok"],
                     "Content-Type": "application/octet-stream"}.items():
            c.putheader(k, v)
        c.endheaders()
        c.send(env[:len(env) // 2])
        c.close()
        # a lot that does not exist is refused before the body is read
        status, j = self.early_answer(b, 9, 50 << 20)
        self.assertEqual((status, j["error"]["code"]), (404, "not_found"), j)
        # late: after the deadline everything is refused — a big upload before its first byte
        self.clock(self.deadline + 1)
        s, j = self.submit(b, self.seal(b))
        self.assertEqual(j["error"].get("rule"), "BID-DEADLINE", j)
        status, j = self.early_answer(b, 1, 50 << 20)
        self.assertEqual((status, j["error"].get("rule")), (422, "BID-DEADLINE"), j)
        deadline = time.time() + 10
        while self.stored()[1] and time.time() < deadline:
            time.sleep(0.05)
        self.assertEqual(self.stored(), (files_before, []))
        self.assertEqual(self.count("SELECT COUNT(*) FROM bids"), 1)
        self.assertEqual(self.count("SELECT COUNT(*) FROM audit_entries WHERE action = 'bid.receive'"), 1)

    def test_a_lot_that_stops_taking_bids_refuses_the_next_upload_even_within_the_early_checks_second(self):
        # the early check remembers for a second that the lot takes bids (docs/envelope.md §8);
        # the transaction's own checks refuse what changed meanwhile, after the body
        b, other = self.bidders[0], self.bidders[1]
        sealed = self.seal(other)
        self.assertEqual(self.submit(b, self.seal(b))[0], 201)
        files = self.stored()[0]
        self.srv.sql("UPDATE projects SET state = 'evaluating' WHERE id = %d" % self.pid)  # what a DBA can do
        status, j = self.submit(other, sealed)
        self.assertEqual((status, j["error"].get("rule")), (422, "BID-NOT-OPEN"), j)
        deadline = time.time() + 10  # the spool file goes when the connection's request ends
        while self.stored()[1] and time.time() < deadline:
            time.sleep(0.05)
        self.assertEqual(self.stored(), (files, []))
        self.assertEqual(self.count("SELECT COUNT(*) FROM bids WHERE project_id = %d" % self.pid), 1)
        time.sleep(1.1)  # the remembered yes is gone: refused before the first byte again
        status, j = self.early_answer(other, 1, 50 << 20)
        self.assertEqual((status, j["error"].get("rule")), (422, "BID-NOT-OPEN"), j)

    def test_only_bidders_submit_and_a_bid_is_seen_only_by_its_own_organization(self):
        b = self.bidders[0]
        sealed = self.seal(b)
        status, j = self.submit(b, sealed)
        self.assertEqual(status, 201, j)
        for tok in (self.agent_tok, self.sup_tok, self.admin):
            self.assertEqual(self.submit(b, self.seal(b), token=tok)[0], 403)
        self.assertEqual(self.srv.request("GET", "/api/v1/bids/%d/receipt" % j["bid_id"], token=b["tok"]).status, 200)
        self.assertEqual(self.srv.request("GET", "/api/v1/bids/%d/receipt" % j["bid_id"],
                                          token=self.bidders[1]["tok"]).status, 404)
        env = self.srv.request("GET", "/api/v1/bids/%d/envelope" % j["bid_id"], token=b["tok"])
        self.assertEqual((env.status, env.raw), (200, sealed))  # streamed from the store, whole
        self.assertIn(("Cache-Control", "no-store"), env.headers)
        # a stored file that is not the bytes received is never served
        path = os.path.join(self.srv.dir, "envelopes", hashlib.sha256(sealed).hexdigest() + ".env")
        with open(path, "r+b") as f:
            f.seek(100)
            f.write(b"\xff" if sealed[100:101] != b"\xff" else b"\x00")
        env = self.srv.request("GET", "/api/v1/bids/%d/envelope" % j["bid_id"], token=b["tok"])
        self.assertEqual((env.status, env.json["error"]["code"]), (500, "internal_error"), env)
        with open(path, "r+b") as f:
            f.seek(100)
            f.write(sealed[100:101])
        # before the opening the agent may not even learn that a bid exists (招标投标法 第二十二条)
        for path in ("/api/v1/bids/%d/envelope", "/api/v1/bids/%d/receipt"):
            self.assertEqual(self.srv.request("GET", path % j["bid_id"], token=self.agent_tok).status, 404)
        for tok in (self.sup_tok, self.admin):  # oversight sees receipts; ciphertext stays with its owner
            self.assertEqual(self.srv.request("GET", "/api/v1/bids/%d/receipt" % j["bid_id"], token=tok).status, 200)
            self.assertEqual(self.srv.request("GET", "/api/v1/bids/%d/envelope" % j["bid_id"], token=tok).status, 403)

    def test_a_server_killed_during_uploads_leaves_every_receipt_backed_and_no_partial_envelope(self):
        envs = []
        for i in range(24):
            b = self.bidders[i % 4] if i < 4 else self.bidder()
            envs.append((b, self.seal(b, size=500000)))
        receipts, lock = [], threading.Lock()

        def upload(i, b, env):
            time.sleep(0.04 * i)  # staggered: some finish before the kill, some are mid-way
            c = self.srv.connection(timeout=20)
            try:
                c.putrequest("POST", "/api/v1/projects/%d/lots/1/bids" % self.pid)
                for k, v in {"Content-Length": str(len(env)), "Authorization": "Bearer " + b["tok"],
                             "Content-Type": "application/octet-stream"}.items():
                    c.putheader(k, v)
                c.endheaders()
                for off in range(0, len(env), 32768):
                    c.send(env[off:off + 32768])
                    time.sleep(0.005)
                r = c.getresponse()
                body = r.read()
                if r.status == 201:
                    with lock:
                        receipts.append(parse_json(body))
            except Exception:
                pass  # the server died under this one: no receipt
            finally:
                c.close()

        threads = [threading.Thread(target=upload, args=(i,) + e) for i, e in enumerate(envs)]
        for t in threads:
            t.start()
        deadline = time.time() + 30
        while len(receipts) < 4 and time.time() < deadline:
            time.sleep(0.005)
        self.srv.proc.send_signal(signal.SIGKILL)
        self.srv.proc.wait()
        self.srv.proc = None
        self.srv.log.close()
        for t in threads:
            t.join(30)
        self.srv.start()
        files, tmp = self.stored()
        self.assertEqual(tmp, [], "an unfinished upload survived the restart")
        rows = {r[0]: int(r[1]) for r in self.srv.sql("SELECT LOWER(HEX(envelope_sha256)), size FROM bids")}
        for rc in receipts:
            self.assertIn(rc["envelope_sha256"], rows)
        for sha, size in rows.items():  # every stored bid has its whole envelope on disk
            path = os.path.join(self.srv.dir, "envelopes", sha + ".env")
            with open(path, "rb") as f:
                data = f.read()
            self.assertEqual((len(data), hashlib.sha256(data).hexdigest()), (size, sha))
        for name in files:  # whatever is in the store is whole: its bytes hash to its name
            with open(os.path.join(self.srv.dir, "envelopes", name), "rb") as f:
                self.assertEqual(hashlib.sha256(f.read()).hexdigest() + ".env", name)
        self.assertLess(len(receipts), len(envs), "the kill came too late to test anything")
        # an envelope made durable whose bid never committed is swept at the next start-up once
        # it is ten minutes old (a younger one may be another ggzyd's upload in progress)
        store = os.path.join(self.srv.dir, "envelopes")
        orphans = []
        for age in (11 * 60, 60):
            data = os.urandom(1000)
            orphans.append(os.path.join(store, hashlib.sha256(data).hexdigest() + ".env"))
            with open(orphans[-1], "wb") as f:
                f.write(data)
            os.utime(orphans[-1], (time.time() - age, time.time() - age))
        for sha in rows:  # a bid's envelope stays, however old
            os.utime(os.path.join(store, sha + ".env"), (time.time() - 3600, time.time() - 3600))
        self.srv.stop()
        self.srv.start()
        self.assertFalse(os.path.exists(orphans[0]), "an old orphan survived the start-up sweep")
        self.assertTrue(os.path.exists(orphans[1]), "a young file was swept")
        for sha in rows:
            self.assertTrue(os.path.exists(os.path.join(store, sha + ".env")))


class OpeningTest(Ceremony):
    def bid_all(self, n=4, bad=None, remarks=None):
        self.sent = []
        for i, b in enumerate(self.bidders[:n]):
            pk = None
            if i == bad:  # sealed to another key under the right key id: the bidder's own fault
                pk = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
                    serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
            status, j = self.submit(b, self.seal(b, price=100000000 + i, size=70000, opening_pk=pk, remarks=remarks))
            self.assertEqual(status, 201, j)
            self.sent.append(j)

    def test_nothing_opens_before_the_opening_time_whoever_asks(self):
        self.bid_all(3)
        self.clock(self.deadline - 60 * 10**6)  # a minute before the opening
        _, expert_tok = self.make_user(self.admin, self.make_org(self.admin, "bidder")["id"], "expert")
        everyone = [self.agent_tok, self.sup_tok, self.admin, expert_tok] + [b["tok"] for b in self.bidders]
        for tok in everyone:
            r = self.start_req(tok, lot=1)
            self.assertIn(r.status, (403, 422), r)
            if r.status == 422:
                self.assertEqual(r.json["error"]["rule"], "BID-OPENING-TIME", r)
        for i in range(3):  # custodians: each share refused before the opening time
            p = self.share(i)
            self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
            self.assertIn("BID-OPENING-TIME", p.stdout)
        r = self.share_req(self.bidders[0]["tok"], 1, "00" * 32)
        self.assertEqual(r.status, 403)
        self.assertEqual(self.srv.request("GET", "/api/v1/projects/%d/lots/1/opening" % self.pid).status, 404)
        for tok in (self.sup_tok, self.admin):
            self.assertEqual(self.srv.request("GET", "/api/v1/bids/%d/envelope" % self.sent[0]["bid_id"],
                                              token=tok).status, 403)
        for tok in (expert_tok, self.bidders[1]["tok"], self.agent_tok):  # not theirs: not even its existence
            self.assertEqual(self.srv.request("GET", "/api/v1/bids/%d/envelope" % self.sent[0]["bid_id"],
                                              token=tok).status, 404)
        self.assertNotIn("private_key", self.srv.request("GET", "/api/v1/projects/%d/lots/1/opening-key" % self.pid).json)
        self.assertEqual(self.count("SELECT COUNT(*) FROM opening_share_subs"), 0)
        self.assertEqual(self.count("SELECT COUNT(*) FROM openings"), 0)

    def test_the_full_ceremony_opens_every_bid_publishes_the_key_and_verifies(self):
        # the tender announcement published (and signed) every lot's opening public key
        sig = self.srv.request("GET", "/api/v1/public/announcements/%d/signature" % self.ann).json
        content = json.loads(sig["content"]) if isinstance(sig["content"], str) else sig["content"]
        self.assertEqual([(k["lot"], k["public_key"]) for k in content["opening_keys"]][0],
                         (1, self.okey["public_key"]))
        self.bid_all(4, bad=2)
        # 不见面开标: the bidders of the lot sign in online; an organization without a bid is no party
        self.clock(self.deadline - 30 * 60 * 10**6)
        self.assertEqual(self.sign_in(self.bidders[0]).status, 201)
        self.assertEqual(self.sign_in(self.bidders[1], mode="in_room").status, 201)
        r = self.sign_in(self.bidder())
        self.assertEqual((r.status, r.json["error"].get("rule")), (403, "VENUE-ATTENDEE"), r)
        self.clock(self.deadline)
        r = self.start_req(self.admin, lot=1)
        self.assertEqual((r.status, r.json.get("state")), (200, "awaiting_shares"), r)
        self.assertEqual(r.json["bids"], 4)
        att = r.json["attendance"]
        self.assertEqual(sorted((a["org_id"], a["mode"]) for a in att),
                         sorted([(self.bidders[0]["org"], "online"), (self.bidders[1]["org"], "in_room")]))
        self.assertIsNone(r.json["private_key"])
        self.assertError(self.start_req(self.admin, lot=1),
                         409, "conflict")
        # a wrong share is refused and not kept
        r = self.share_req(self.agent_tok, 1, "11" * 32)
        self.assertEqual(r.json["error"].get("rule"), "BID-SHARE", r)
        # someone else's index
        r = self.share_req(self.agent_tok, 2, "11" * 32)
        self.assertEqual(r.status, 403, r)
        p = self.share(0)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("awaiting_shares", p.stdout)
        # a bidder objects on the spot, and is answered
        r = self.srv.request("POST", "/api/v1/projects/%d/lots/1/opening/objections" % self.pid,
                             {"text": "开标时间与公告不符？"}, token=self.bidders[0]["tok"])
        self.assertEqual(r.status, 201, r)
        oid = r.json["id"]
        outsider = self.bidder()
        r = self.srv.request("POST", "/api/v1/projects/%d/lots/1/opening/objections" % self.pid,
                             {"text": "x"}, token=outsider["tok"])
        self.assertEqual(r.status, 403, r)
        p = self.share(1)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("opened", p.stdout)
        r = self.srv.request("POST", "/api/v1/projects/%d/lots/1/opening/objections/%d/answer" % (self.pid, oid),
                             {"answer": "开标时间以招标公告为准，现场已核对。"}, token=self.agent_tok)
        self.assertEqual(r.status, 200, r)
        rec = self.srv.request("GET", "/api/v1/projects/%d/lots/1/opening" % self.pid).json
        self.assertEqual(rec["state"], "opened")
        self.assertEqual(rec["objections"][0]["answer"], "开标时间以招标公告为准，现场已核对。")
        # the published private key is the lot's opening key
        sk = ec.derive_private_key(int(rec["private_key"], 16), ec.SECP256R1())
        self.assertEqual(sk.public_key().public_bytes(serialization.Encoding.X962,
                                                      serialization.PublicFormat.UncompressedPoint).hex(),
                         self.okey["public_key"])
        by_id = {x["id"]: x for x in rec["records"]}
        self.assertEqual(len(by_id), 4)
        self.assertTrue(all(x["bidder_name"].startswith("组织-") for x in rec["records"]))
        for i, s in enumerate(self.sent):
            op = by_id[s["bid_id"]]["opening"]
            if i == 2:
                self.assertEqual((op["status"], op["class"]), ("rejected", "revocation"), op)
            else:
                self.assertEqual((op["status"], op["price_fen"]), ("opened", 100000000 + i), op)
                self.assertEqual(op["summary"], {"duration_days": 365, "price_fen": 100000000 + i})
        # anyone with a party's token re-derives every decryption
        p = self.ggzy("opening", "verify", "--project", str(self.pid), "--lot", "1", token=self.sup_tok)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("opening verified: 4 envelopes", p.stdout)
        # a tampered record is caught: change a stored summary
        self.srv.sql("UPDATE bids SET summary = '{\"duration_days\":365,\"price_fen\":1}', price_fen = 1 "
                     "WHERE id = %d" % self.sent[0]["bid_id"])
        p = self.ggzy("opening", "verify", "--project", str(self.pid), "--lot", "1", token=self.sup_tok)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("not the one sealed", p.stdout)
        # the audit log replays the ceremony in order, and the invariants hold
        self.srv.wait_sequenced()
        acts = [a[0] for a in self.srv.sql("SELECT action FROM audit_entries WHERE project_id = %d AND "
                                           "(action LIKE 'opening.%%' OR action = 'bid.decrypt') ORDER BY idx" % self.pid)]
        self.assertEqual(acts, ["opening.start", "opening.share", "opening.objection", "opening.share",
                                "bid.decrypt", "opening.complete", "opening.answer"])
        state = self.srv.request("GET", "/api/v1/projects/%d" % self.pid, token=self.agent_tok).json["state"]
        self.assertEqual(state, "opened")
        # the deadline checkpoint, signed once the deadline passed, covers every bid received:
        # a bid.receive entry beyond it would be provably late
        cp = self.srv.sql("SELECT MIN(size) FROM audit_checkpoints WHERE kind = 'deadline'")[0][0]
        last_bid = self.srv.sql("SELECT MAX(idx) FROM audit_entries WHERE action = 'bid.receive'")[0][0]
        self.assertIsNotNone(cp)
        self.assertGreater(int(cp), int(last_bid))
        # a supervisor replays the project's log on their own machine, up to a checkpoint they
        # ask for now (so it covers every entry so far): every invariant holds
        # (INV-BID-DEADLINE, INV-BID-OPENING among them)
        self.srv.wait_sequenced()
        self.assertIn(self.srv.request("POST", "/api/v1/audit/checkpoints", token=self.sup_tok).status, (200, 201))
        p = self.ggzy("audit", "replay", "--project", str(self.pid), "--vkey", self.vkey(), token=self.sup_tok)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("every invariant holds", p.stdout)

    def test_an_opening_nobody_resumes_is_resumed_by_the_platform_and_the_replay_names_it(self):
        self.bid_all(4)
        self.open_lot()
        # a crash before the outcomes were committed: the opening is left "opening", its run's
        # lease held until deadline + 60 s
        self.srv.sql("UPDATE bids SET open_status = NULL, summary = NULL, price_fen = NULL")
        self.srv.sql("UPDATE openings SET state = 'opening', private_key = NULL, completed_us = NULL, "
                     "runner = UNHEX('00112233445566778899aabbccddeeff'), runner_until_us = %d"
                     % (self.deadline + 60 * 10**6))
        self.srv.sql("UPDATE projects SET state = 'bidding' WHERE id = %d" % self.pid)
        url = "/api/v1/projects/%d/lots/1/opening" % self.pid
        # the lease lapsed only just: people may resume it, the platform waits (bids.resume_after_s)
        self.clock(self.deadline + 61 * 10**6)
        time.sleep(1.5)
        self.assertEqual(self.srv.request("GET", url).json["state"], "opening")
        # nobody did: a minute later the platform resumes it itself, as system:opening-runner
        self.clock(self.deadline + 122 * 10**6)
        deadline = time.time() + 30
        while time.time() < deadline and self.srv.request("GET", url).json["state"] != "opened":
            time.sleep(0.2)
        rec = self.srv.request("GET", url).json
        self.assertEqual((rec["state"], len(rec["records"])), ("opened", 4))
        self.assertTrue(all(x["opening"]["status"] == "opened" for x in rec["records"]))
        self.srv.wait_sequenced()
        actors = [json.loads(e[0])["actor"] for e in self.srv.sql(
            "SELECT entry FROM audit_entries WHERE action IN ('bid.decrypt', 'opening.complete') "
            "ORDER BY idx")][-2:]
        self.assertEqual([a.get("name") for a in actors], ["system:opening-runner"] * 2)
        jobs = self.srv.request("GET", "/api/v1/system/jobs", token=self.admin).json["items"]
        self.assertIn("bids.openings-resume", [j["name"] for j in jobs])
        # the replay accepts the platform's resumption (and nothing else of a system actor)
        # (the crash was simulated by rewinding the database after the first run completed, which
        # the replay names as INV-STATE; the platform's own resumption is no violation)
        self.srv.wait_sequenced()
        self.assertIn(self.srv.request("POST", "/api/v1/audit/checkpoints", token=self.sup_tok).status, (200, 201))
        p = self.ggzy("audit", "replay", "--project", str(self.pid), "--vkey", self.vkey(), token=self.sup_tok)
        self.assertIn("VIOLATION INV-STATE", p.stdout)
        self.assertNotIn("INV-ACTOR", p.stdout)
        # a system actor of any other name deciphering bids is named
        r = self.srv.request("POST", "/api/v1/test/audit/entries", {
            "action": "bid.decrypt", "object_type": "lot", "object_id": 1, "project_id": self.pid,
            "payload": {"lot": "1", "bids": []}, "system_actor": "system:housekeeping"}, token=self.admin)
        self.assertEqual(r.status, 201, r)
        self.srv.wait_sequenced()
        r = self.srv.request("POST", "/api/v1/audit/checkpoints", token=self.sup_tok)  # covering it
        self.assertIn(r.status, (200, 201), r)
        p = self.ggzy("audit", "replay", "--project", str(self.pid), "--vkey", self.vkey(), token=self.sup_tok)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("INV-ACTOR", p.stdout)

    def test_a_suspended_project_is_not_opened(self):
        self.bid_all(3)
        r = self.srv.request("POST", "/api/v1/projects/%d/transitions" % self.pid, {"to": "suspended", "reason": "投诉处理中"},
                             token=self.sup_tok)
        self.assertEqual(r.status, 200, r)
        self.clock(self.deadline)
        r = self.start_req(self.admin, lot=1)
        self.assertError(r, 409, "invalid_transition")
        self.assertEqual(r.json["error"]["current"], "suspended")
        self.assertEqual(self.count("SELECT COUNT(*) FROM openings"), 0)

    def test_fewer_than_three_bids_fail_the_lot_unopened(self):
        self.bid_all(2)
        self.clock(self.deadline + DAY)
        r = self.start_req(self.agent_tok, lot=1)
        self.assertEqual((r.status, r.json["state"]), (200, "failed"), r)
        self.assertIn("R-MIN-BIDS", r.json["reason"])
        self.assertEqual(r.json["records"], [])
        p = self.share(0)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertEqual(self.count("SELECT COUNT(*) FROM opening_share_subs"), 0)
        self.assertEqual(self.count("SELECT COUNT(*) FROM bids WHERE open_status IS NOT NULL"), 0)
        # lot 2 had no bids either: with both lots failed the project fails
        r = self.start_req(self.agent_tok, lot=2)
        self.assertEqual(r.json["state"], "failed", r)
        state = self.srv.request("GET", "/api/v1/projects/%d" % self.pid, token=self.agent_tok).json["state"]
        self.assertEqual(state, "failed")

    def test_a_large_opening_grows_in_batches_and_an_interrupted_one_resumes(self):
        for _ in range(36):
            self.bidders.append(self.bidder())
        # summaries near their 16 KiB limit: the log takes their digests, so a batch stays small
        self.bid_all(40, remarks="工期承诺与质量保证措施。" * 450)
        # the record grew in two committed batches (32, then 8), each its own audited step
        batches = self.open_lot()
        self.assertEqual([len(b) for b in batches], [32, 8])
        rec = self.srv.request("GET", "/api/v1/projects/%d/lots/1/opening" % self.pid).json
        by_id = {x["id"]: x for x in rec["records"]}
        for b in batches[0]:
            summary = json.dumps(by_id[b["bid_id"]]["opening"]["summary"], sort_keys=True,
                                 separators=(",", ":"), ensure_ascii=False).encode()
            self.assertGreater(len(summary), 16000)
            self.assertEqual(b["summary_sha256"], hashlib.sha256(summary).hexdigest())
        # opening.start committed to the exact set of envelopes
        start = json.loads(self.srv.sql("SELECT entry FROM audit_entries WHERE action = 'opening.start'")[0][0])
        pairs = [[x["id"], x["envelope_sha256"]] for x in sorted(rec["records"], key=lambda x: x["id"])]
        self.assertEqual(start["payload"]["envelopes_sha256"],
                         hashlib.sha256(json.dumps(pairs, separators=(",", ":")).encode()).hexdigest())
        # a crash before the last batch leaves the opening "opening": starting it again resumes,
        # opening only what has no outcome yet
        last = [b["bid_id"] for b in batches[1]]
        self.srv.sql("UPDATE bids SET open_status = NULL, summary = NULL, price_fen = NULL WHERE id IN (%s)"
                     % ",".join(map(str, last)))
        # the crashed run's lease is still held: a resume now is refused, not run beside it
        self.srv.sql("UPDATE openings SET state = 'opening', private_key = NULL, completed_us = NULL, "
                     "runner = UNHEX('00112233445566778899aabbccddeeff'), runner_until_us = %d"
                     % (self.deadline + 60 * 10**6))
        r = self.srv.request("GET", "/api/v1/projects/%d/lots/1/opening" % self.pid)
        self.assertEqual((r.json["state"], len(r.json["records"]), r.json["private_key"]), ("opening", 32, None))
        r = self.start_req(self.agent_tok, lot=1)
        self.assertEqual((r.status, r.json["error"]["code"]), (409, "conflict"), r)
        self.assertIn("being opened right now", r.json["error"]["message"])
        # once the lease has lapsed, three resumes at once: exactly one runs it
        self.clock(self.deadline + 61 * 10**6)
        url = "/api/v1/projects/%d/lots/1/opening" % self.pid
        with concurrent.futures.ThreadPoolExecutor(3) as ex:
            answers = list(ex.map(lambda tok: self.start_req(tok),
                                  [self.agent_tok, self.admin, self.agent_tok]))
        self.assertEqual(sorted(a.status for a in answers), [200, 409, 409], answers)
        r = next(a for a in answers if a.status == 200)
        self.assertEqual((r.json["state"], len(r.json["records"])), ("opened", 40), r)
        self.assertTrue(all(x["opening"]["status"] == "opened" for x in r.json["records"]))
        self.assertEqual(self.srv.sql("SELECT runner IS NULL FROM openings")[0][0], "1")  # released
        self.srv.wait_sequenced()
        decrypts = [json.loads(e[0])["payload"]["bids"] for e in
                    self.srv.sql("SELECT entry FROM audit_entries WHERE action = 'bid.decrypt' ORDER BY idx")]
        self.assertEqual(len(decrypts), 3, "one resumed batch, not one per resume")
        self.assertEqual(sorted(b["bid_id"] for b in decrypts[2]), sorted(last))
        self.assertEqual(len(self.srv.sql("SELECT idx FROM audit_entries WHERE action = 'opening.complete'")), 2)


class OpeningBatchBytesTest(Ceremony):
    """The ceremony with batches capped by their stored bytes (envelopes of about 71 KB, at most
    150,000 bytes a batch): two envelopes a batch, whatever the count allows."""

    server_args = {"conf": {"auth.session_ttl_s": "2592000", "bids.opening_batch_bytes": "150000"}}
    bid_all = OpeningTest.bid_all

    def test_a_batch_ends_before_the_envelope_that_would_take_it_over_its_bytes(self):
        self.bid_all(4)
        sizes = [int(x[0]) for x in self.srv.sql("SELECT size FROM bids ORDER BY id")]
        self.assertTrue(all(140000 // 2 < s <= 150000 // 2 for s in sizes), sizes)
        batches = self.open_lot()
        self.assertEqual([len(b) for b in batches], [2, 2])
        rec = self.srv.request("GET", "/api/v1/projects/%d/lots/1/opening" % self.pid).json
        self.assertEqual((rec["state"], len(rec["records"])), ("opened", 4))
