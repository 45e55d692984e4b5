"""Sealed bids through the real API, so far the time lock's first half: a lot's opening key is
made with its private scalar split 2-of-3 among the agent, the supervisor and the trading
center; each custodian checks their own share with `ggzy custodian check` against the
published commitments; the database holds no private key; and every bad set of custodians is
refused with its rule, leaving nothing behind. (That any two shares rebuild the key is
tests/unit/lib/test_timelock.c.)"""
import json
import os
import subprocess
import tempfile

from harness import ApiTest, ROOT, CA, parse_json

GGZY = os.environ.get("GGZY_CLI") or os.path.join(os.path.dirname(os.environ.get("GGZYD", os.path.join(ROOT, "build", "debug", "ggzyd"))), "ggzy")


class OpeningKeyTest(ApiTest):
    def setUp(self):
        super().setUp()
        self.tmp = tempfile.mkdtemp(prefix="ggzy-bids-")
        self.admin = self.srv.admin_token()
        self.admin_user = self.srv.request("GET", "/api/v1/me", token=self.admin).json
        self.agency = self.make_org(self.admin, "agency")
        tenderer = self.make_org(self.admin, "tenderer")
        self.agent, self.agent_tok = self.make_user(self.admin, self.agency["id"], "agent")
        sup_org = self.make_org(self.admin, "supervision")
        self.sup, self.sup_tok = self.make_user(self.admin, sup_org["id"], "supervisor")
        body = {"name": "某某医院门诊楼改造工程", "category": "engineering", "method": "open_tender",
                "region": "110000", "tenderer_org_id": tenderer["id"], "budget_fen": 500000000,
                "funding_source": "财政资金", "legally_required": True,
                "lots": [{"name": "施工标段", "estimate_fen": 500000000}]}
        r = self.srv.request("POST", "/api/v1/projects", body, token=self.agent_tok)
        self.assertEqual(r.status, 201, r)
        self.pid = r.json["id"]
        self.srv.request("POST", "/api/v1/projects/%d/transitions" % self.pid, {"to": "submitted"}, token=self.agent_tok)
        r = self.srv.request("POST", "/api/v1/projects/%d/transitions" % self.pid, {"to": "accepted"}, token=self.admin)
        self.assertEqual(r.status, 200, r)
        self.keys = {}
        self.cust = [self.custodian("agent", self.agent["id"], self.agent_tok),
                     self.custodian("supervisor", self.sup["id"], self.sup_tok),
                     self.custodian("center", self.admin_user["id"], self.admin)]

    def custodian(self, name, user_id, token):
        """A custodian's own P-256 key, certified for their side and registered with the platform;
        the private half stays here."""
        from cryptography.hazmat.primitives import serialization
        key, r = self.register_key(token, label="custodian")
        path = os.path.join(self.tmp, name + ".pem")
        with open(path, "wb") as f:
            f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))
        self.keys[user_id] = path
        return {"user_id": user_id, "key_id": r.json["key_id"], "token": token, "pem": path}

    def make(self, custodians=None, token=None, lot=1, **extra):
        body = {"custodians": [{"user_id": c["user_id"], "key_id": c["key_id"]} for c in (custodians or self.cust)]}
        body.update(extra)
        return self.srv.request("POST", "/api/v1/projects/%d/lots/%d/opening-key" % (self.pid, lot), body,
                                token=token or self.admin)

    def ggzy(self, *args, token):
        env = dict(os.environ, GGZY_SERVER="https://localhost:%d" % self.srv.port, GGZY_CA=CA, GGZY_TOKEN=token)
        return subprocess.run([GGZY] + list(args), capture_output=True, text=True, env=env, timeout=60)

    def test_an_opening_key_is_made_and_each_custodian_verifies_their_share(self):
        r = self.make()
        self.assertEqual(r.status, 201, r)
        k = r.json
        self.assertEqual(k["threshold"], 2)
        self.assertEqual([c["role"] for c in k["custodians"]], ["agent", "supervisor", "center_admin"])
        self.assertEqual(len(k["commitments"]), 2)
        import hashlib
        self.assertEqual(k["key_id"], hashlib.sha256(bytes.fromhex(k["public_key"])).hexdigest())
        # the project's parties read the public key before the tender announcement publishes
        # it; to anyone else the unannounced project and its lots do not exist yet
        self.assertError(self.srv.request("GET", "/api/v1/projects/%d/lots/1/opening-key" % self.pid), 404,
                         "not_found")
        pub = self.srv.request("GET", "/api/v1/projects/%d/lots/1/opening-key" % self.pid, token=self.agent_tok)
        self.assertEqual(pub.status, 200, pub)
        self.assertEqual(pub.json["public_key"], k["public_key"])
        self.assertNotIn("share", pub.json)
        for c in self.cust:
            p = self.ggzy("custodian", "check", "--project", str(self.pid), "--lot", "1", "--key", c["pem"], token=c["token"])
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
            self.assertIn("verified against the commitments", p.stdout)
        # someone else's private key does not open a custodian's share
        p = self.ggzy("custodian", "check", "--project", str(self.pid), "--lot", "1", "--key", self.cust[1]["pem"],
                      token=self.agent_tok)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("does not open", p.stdout)
        # commitments that are not to the published key (C_0 is the public key) are caught
        c = self.cust[0]
        with self.another_opening_key(self.pid, 1):
            p = self.ggzy("custodian", "check", "--project", str(self.pid), "--lot", "1", "--key", c["pem"],
                          token=c["token"])
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("C_0 is not its public key", p.stdout)
        # the one audited action carries the commitments and the sealed shares
        self.srv.wait_sequenced()
        rows = self.srv.sql("SELECT entry FROM audit_entries WHERE action = 'opening_key.create' AND project_id = %d" % self.pid)
        self.assertEqual(len(rows), 1)
        entry = json.loads(rows[0][0])
        payload = entry.get("payload", entry)
        self.assertEqual(payload["key_id"], k["key_id"])
        self.assertEqual(payload["commitments"], k["commitments"])
        self.assertEqual(len(payload["shares"]), 3)

    def test_the_database_holds_no_private_key_only_public_and_sealed_bytes(self):
        k = self.make().json
        cols = self.srv.sql("SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() "
                            "AND TABLE_NAME IN ('opening_keys', 'opening_shares')")
        names = {c[0] for c in cols}
        self.assertFalse({n for n in names if "priv" in n or "secret" in n or n == "share"})
        shares = self.srv.sql("SELECT HEX(sealed) FROM opening_shares")
        self.assertEqual(len(shares), 3)
        self.assertEqual(len({s[0] for s in shares}), 3)
        self.assertEqual(k["custodians"][0]["x"], 1)

    def test_one_key_per_lot_and_only_before_bidding(self):
        self.assertEqual(self.make().status, 201)
        self.assertError(self.make(), 409, "conflict")
        self.assertError(self.make(lot=2), 404, "not_found")
        self.srv.sql("DELETE FROM opening_shares")
        self.srv.sql("DELETE FROM opening_keys")
        self.srv.sql("UPDATE projects SET state = 'bidding' WHERE id = %d" % self.pid)
        r = self.make()
        self.assertError(r, 409, "invalid_transition")
        self.assertEqual((r.json["error"]["current"], r.json["error"]["requested"]), ("bidding", "accepted"))

    def test_bad_custodians_are_refused_with_their_rule_and_nothing_is_stored(self):
        bidder_org = self.make_org(self.admin, "bidder")
        bidder, btok = self.make_user(self.admin, bidder_org["id"], "bidder")
        b = self.custodian("bidder", bidder["id"], btok)
        cases = [
            (self.make(self.cust[:2]), "BID-CUSTODIANS"),                      # no trading center
            (self.make(self.cust[:2] + [b]), "BID-CUSTODIANS"),                # a bidder holding a share
            (self.make(threshold=3, custodians=self.cust + [self.cust[0]]), "BID-CUSTODIANS"),  # one person twice
            (self.make(threshold=4), "BID-THRESHOLD"),                         # more than the custodians
            (self.make([dict(self.cust[0], key_id=self.cust[1]["key_id"])] + self.cust[1:]), "BID-CUSTODIAN-KEY"),
        ]
        for r, rule in cases:
            self.assertError(r, 422, "rule_violation")
            self.assertEqual(r.json["error"]["rule"], rule, r)
        # an agent from another agency cannot hold the agent's share
        other = self.make_org(self.admin, "agency")
        oa, oatok = self.make_user(self.admin, other["id"], "agent")
        r = self.make([self.custodian("other", oa["id"], oatok)] + self.cust[1:])
        self.assertEqual(r.json["error"]["rule"], "BID-CUSTODIAN-KEY", r)
        # a revoked key
        self.assertEqual(self.srv.request("DELETE", "/api/v1/me/keys/" + self.cust[1]["key_id"], token=self.sup_tok).status, 204)
        r = self.make()
        self.assertEqual(r.json["error"]["rule"], "BID-CUSTODIAN-KEY", r)
        self.assertIn("not a live registered key", r.json["error"]["message"])
        self.assertEqual(self.srv.sql("SELECT COUNT(*) FROM opening_keys")[0][0], "0")
        self.assertEqual(self.srv.sql("SELECT COUNT(*) FROM audit_entries WHERE action = 'opening_key.create'")[0][0], "0")

    def test_roles_that_are_not_center_or_the_agent_cannot_make_a_key_or_read_a_share(self):
        self.assertError(self.make(token=self.sup_tok), 403, "forbidden")
        self.make()
        bidder_org = self.make_org(self.admin, "bidder")
        _, btok = self.make_user(self.admin, bidder_org["id"], "bidder")
        self.assertError(self.srv.request("GET", "/api/v1/projects/%d/lots/1/opening-key/share" % self.pid, token=btok),
                         403, "forbidden")
        other = self.make_org(self.admin, "supervision")
        _, otok = self.make_user(self.admin, other["id"], "supervisor")
        self.assertError(self.srv.request("GET", "/api/v1/projects/%d/lots/1/opening-key/share" % self.pid, token=otok),
                         404, "not_found")


class EnvelopeCheckTest(ApiTest):
    """POST /api/v1/envelopes/check: the bidder's pre-flight check, streamed (the body is never
    held whole) — the format and the signature with the bidder's registered key, nothing stored."""

    def setUp(self):
        super().setUp()
        import sys
        sys.path.insert(0, os.path.join(ROOT, "docs", "tools"))
        import seal_envelope
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        self.seal_envelope, self.ec, self.ser = seal_envelope, ec, serialization
        self.admin = self.srv.admin_token()
        org = self.make_org(self.admin, "bidder")
        self.bidder, self.tok = self.make_user(self.admin, org["id"], "bidder")
        self.org_id = org["id"]
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.kid = self.register(self.key, self.tok)
        self.opening_pk = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)

    def register(self, key, token):
        _, r = self.register_key(token, key)
        return r.json["key_id"]

    def seal(self, size=1000, key=None, kid=None):
        header = {"v": 1, "suite": "HPKE(DHKEM-P256-HKDF-SHA256,HKDF-SHA256,AES-256-GCM)+AES-256-GCM-64KiB+ECDSA-P256-SHA256",
                  "platform": "ggzy.test", "project_code": "110000-2026-GC-00001", "lot": 1,
                  "bidder_org_id": self.org_id, "signer_key_id": kid or self.kid, "revision": 1,
                  "bid_deadline_us": 1795312345678901, "opening_key_id": "ab" * 32, "chunk_size": 65536}
        return self.seal_envelope.seal(header, self.opening_pk, key or self.key, os.urandom(size))

    def check(self, raw, token=None, chunked=False):
        c = self.srv.connection()
        try:
            h = {"Authorization": "Bearer " + (token or self.tok), "Content-Type": "application/octet-stream"}
            if chunked:
                pieces = (raw[i:i + 7777] for i in range(0, len(raw), 7777))
                c.request("POST", "/api/v1/envelopes/check", body=pieces, headers=h, encode_chunked=True)
            else:
                c.request("POST", "/api/v1/envelopes/check", body=raw, headers=h)
            r = c.getresponse()
            return r.status, parse_json(r.read() or b"{}")
        finally:
            c.close()

    def early_answer(self, headers):
        """Send only the headers of a big upload: the answer must come before any body byte."""
        c = self.srv.connection(timeout=10)
        try:
            c.putrequest("POST", "/api/v1/envelopes/check")
            for k, v in headers.items():
                c.putheader(k, v)
            c.endheaders()
            r = c.getresponse()
            return r.status, parse_json(r.read() or b"{}")
        finally:
            c.close()

    def test_a_sealed_envelope_checks_whole_or_chunked(self):
        import hashlib
        env = self.seal(300000)
        for chunked in (False, True):
            status, j = self.check(env, chunked=chunked)
            self.assertEqual(status, 200, j)
            self.assertEqual(j["sha256"], hashlib.sha256(env).hexdigest())
            self.assertEqual(j["size"], len(env))
            self.assertEqual(j["plaintext_size"], 300000)
            self.assertEqual(j["signature"], "verified")
            self.assertEqual(j["header"]["signer_key_id"], self.kid)

    def test_malformed_envelopes_are_refused_with_what_is_wrong(self):
        env = self.seal(5000)
        for raw, words in ((env[:-1], "truncated"), (env + b"\0", "padded"), (b"GGZYENV9" + env[8:], "magic"),
                           (b"", "body")):
            status, j = self.check(raw)
            self.assertEqual((status, j["error"]["code"]), (422, "invalid_envelope"), j)
            self.assertIn(words, j["error"]["message"])

    def test_the_signature_must_be_the_callers_registered_key(self):
        bad = bytearray(self.seal(5000))
        bad[400] ^= 1
        status, j = self.check(bytes(bad))
        self.assertEqual((status, j["error"].get("rule")), (422, "BID-SIGNATURE"), j)
        stranger = self.ec.generate_private_key(self.ec.SECP256R1())
        status, j = self.check(self.seal(10, key=stranger, kid="cd" * 32))
        self.assertEqual(j["error"].get("rule"), "BID-SIGNER-KEY", j)
        # another bidder's registered key is not the caller's
        org = self.make_org(self.admin, "bidder")
        _, other_tok = self.make_user(self.admin, org["id"], "bidder")
        other_key = self.ec.generate_private_key(self.ec.SECP256R1())
        other_kid = self.register(other_key, other_tok)
        status, j = self.check(self.seal(10, key=other_key, kid=other_kid))
        self.assertEqual(j["error"].get("rule"), "BID-SIGNER-KEY", j)
        self.assertEqual(self.check(self.seal(10, key=other_key, kid=other_kid), token=other_tok)[0], 200)

    def test_callers_and_sizes_are_refused_before_the_body_is_read(self):
        big = {"Content-Length": str(50 << 20), "Content-Type": "application/octet-stream"}
        status, j = self.early_answer(big)
        self.assertEqual((status, j["error"]["code"]), (401, "unauthenticated"))
        _, agent_tok = self.make_user(self.admin, self.make_org(self.admin, "agency")["id"], "agent")
        status, j = self.early_answer(dict(big, Authorization="Bearer " + agent_tok))
        self.assertEqual((status, j["error"]["code"]), (403, "forbidden"))
        status, j = self.early_answer(dict(big, **{"Content-Length": str(65 << 20), "Authorization": "Bearer " + self.tok}))
        self.assertEqual((status, j["error"]["code"]), (413, "payload_too_large"))
        self.assertIn("bids.max_envelope_bytes", j["error"]["message"])

    def test_an_envelope_declaring_more_than_the_limit_is_refused_from_its_front(self):
        env = self.seal(1000)
        hl = int.from_bytes(env[8:12], "big")
        front = bytearray(env[:12 + hl + 169])
        front[-8:] = (100 << 20).to_bytes(8, "big")  # claims 100 MiB of plaintext
        status, j = self.check(bytes(front))
        self.assertEqual((status, j["error"]["code"]), (413, "payload_too_large"), j)

    def test_ggzy_bid_check_streams_a_file_and_reports_the_verdict(self):
        import hashlib
        env = self.seal(400000)
        path = os.path.join(tempfile.mkdtemp(prefix="ggzy-check-"), "bid.env")
        with open(path, "wb") as f:
            f.write(env)
        run = lambda token: subprocess.run(
            [GGZY, "bid", "check", "--file", path], capture_output=True, text=True, timeout=60,
            env=dict(os.environ, GGZY_SERVER="https://localhost:%d" % self.srv.port, GGZY_CA=CA, GGZY_TOKEN=token))
        p = run(self.tok)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn(hashlib.sha256(env).hexdigest(), p.stdout)
        bad = bytearray(env)
        bad[1000] ^= 1
        with open(path, "wb") as f:
            f.write(bytes(bad))
        p = run(self.tok)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("BID-SIGNATURE", p.stdout)
        p = run("not-a-token")  # refused before the body: the early answer still reaches the user
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("unauthenticated", p.stdout)
