"""The tamper-evident audit log, end to end: sequencing, signed checkpoints checked with the
openssl command line, proofs checked with a few lines of Python (as docs/audit.md says anyone
can), the ggzy client's verify/export/replay/cosign, tampering done directly in MariaDB, deadline
checkpoints and what each role may see."""
import base64
import hashlib
import json
import os
import re
import subprocess
import tempfile
import time

from harness import ApiTest, ROOT, CA

GGZY = os.environ.get("GGZY_CLI") or os.path.join(os.path.dirname(os.environ.get("GGZYD", os.path.join(ROOT, "build", "debug", "ggzyd"))), "ggzy")


def b64d(s):
    return base64.b64decode(s)


def node(l, r):
    return hashlib.sha256(b"\x01" + l + r).digest()


def verify_inclusion(index, size, leaf, proof, root):
    """RFC 9162 §2.1.3.2, in a few lines."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(m, n, r1, r2, proof):
    """RFC 9162 §2.1.4.2."""
    if m == 0 or m > n:
        return False
    if m == n:
        return not proof and r1 == r2
    if not proof:
        return False
    if m & (m - 1) == 0:
        proof = [r1] + proof
    fn, sn = m - 1, n - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node(c, fr), node(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == r1 and sr == r2


class AuditTest(ApiTest):
    def setUp(self):
        super().setUp()
        self.admin = self.srv.admin_token()
        org = self.make_org(self.admin, "supervision")
        self.sup, self.sup_tok = self.make_user(self.admin, org["id"], "supervisor")
        self.tmp = tempfile.mkdtemp(prefix="ggzy-sup-")
        self.sup_key = os.path.join(self.tmp, "sup.pem")
        from cryptography.hazmat.primitives import serialization
        key, _ = self.register_key(self.sup_tok, label="witness")  # certified for the supervision side
        with open(self.sup_key, "wb") as f:
            f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))
        self.vkey = self.srv.request("GET", "/api/v1/audit/vkey").json["vkey"]

    def ggzy(self, *args, token=None):
        env = dict(os.environ, GGZY_SERVER="https://localhost:%d" % self.srv.port, GGZY_CA=CA,
                   GGZY_TOKEN=token or self.sup_tok, GGZY_VKEY=self.vkey)
        return subprocess.run([GGZY] + list(args), capture_output=True, text=True, env=env, timeout=120)

    def checkpoint_now(self):
        r = self.srv.request("POST", "/api/v1/audit/checkpoints", token=self.sup_tok)
        self.assertEqual(r.status, 200, r)
        return r.json

    # --- the log and its checkpoints ---

    def test_the_log_verifies_and_checkpoints_cover_every_entry(self):
        cp = self.checkpoint_now()
        size = int(self.srv.sql("SELECT size FROM audit_head")[0][0])
        self.assertGreaterEqual(cp["size"], 5)
        self.assertEqual(cp["size"], size)
        p = self.ggzy("audit", "verify")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("OK", p.stdout)

    def test_checkpoint_signature_verifies_with_the_openssl_command_line(self):
        cp = self.checkpoint_now()
        text, sigs = cp["note"].split("\n\n", 1)
        text += "\n"
        self.assertEqual(text.splitlines(), ["ggzy.test/audit", str(cp["size"]), cp["root"]])
        name, keyhash, keyb64 = self.vkey.split("+", 2)
        raw = b64d(keyb64)
        self.assertEqual(raw[0], 1)
        self.assertEqual(hashlib.sha256(name.encode() + b"\n\x01" + raw[1:]).digest()[:4].hex(), keyhash)
        line = [l for l in sigs.splitlines() if l.startswith("\u2014 " + name + " ")][0]
        sig = b64d(line.split(" ")[2])
        self.assertEqual(sig[:4].hex(), keyhash)
        d = tempfile.mkdtemp()
        der = bytes.fromhex("302a300506032b6570032100") + raw[1:]
        with open(os.path.join(d, "pub.der"), "wb") as f:
            f.write(der)
        with open(os.path.join(d, "msg"), "wb") as f:
            f.write(text.encode())
        with open(os.path.join(d, "sig"), "wb") as f:
            f.write(sig[4:])
        ok = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-keyform", "DER", "-inkey",
                             os.path.join(d, "pub.der"), "-rawin", "-in", os.path.join(d, "msg"),
                             "-sigfile", os.path.join(d, "sig")], capture_output=True, text=True)
        self.assertEqual(ok.returncode, 0, ok.stdout + ok.stderr)
        with open(os.path.join(d, "msg"), "wb") as f:
            f.write(text.replace(str(cp["size"]), str(cp["size"] + 1)).encode())
        bad = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-keyform", "DER", "-inkey",
                              os.path.join(d, "pub.der"), "-rawin", "-in", os.path.join(d, "msg"),
                              "-sigfile", os.path.join(d, "sig")], capture_output=True, text=True)
        self.assertNotEqual(bad.returncode, 0)

    def test_entries_and_proofs_verify_with_a_few_lines_of_python(self):
        first = self.checkpoint_now()
        self.make_org(self.admin, "bidder")
        second = self.checkpoint_now()
        self.assertGreater(second["size"], first["size"])
        r1, r2 = b64d(first["root"]), b64d(second["root"])
        entries = self.srv.request("GET", "/api/v1/audit/entries?from=0&limit=1000", token=self.sup_tok).json["items"]
        self.assertEqual([e["index"] for e in entries], list(range(len(entries))))
        for e in entries[:second["size"]]:
            raw = b64d(e["entry"])
            self.assertEqual(json.loads(raw)["index"], e["index"])
            self.assertEqual(raw, json.dumps(json.loads(raw), sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode())
            leaf = hashlib.sha256(b"\x00" + raw).digest()
            self.assertEqual(leaf, b64d(e["leaf_hash"]))
            p = self.srv.request("GET", "/api/v1/audit/proofs/inclusion?index=%d&size=%d" % (e["index"], second["size"]), token=self.sup_tok)
            self.assertTrue(verify_inclusion(e["index"], second["size"], leaf, [b64d(x) for x in p.json["proof"]], r2))
        c = self.srv.request("GET", "/api/v1/audit/proofs/consistency?from=%d&to=%d" % (first["size"], second["size"]))
        proof = [b64d(x) for x in c.json["proof"]]
        self.assertTrue(verify_consistency(first["size"], second["size"], r1, r2, proof))
        self.assertFalse(verify_consistency(first["size"], second["size"], r2, r1, proof))

    def test_proof_requests_outside_the_tree_are_refused(self):
        cp = self.checkpoint_now()
        self.assertError(self.srv.request("GET", "/api/v1/audit/proofs/consistency?from=0&to=%d" % cp["size"]), 400, "bad_request")
        self.assertError(self.srv.request("GET", "/api/v1/audit/proofs/consistency?from=3&to=2"), 404, "not_found")
        self.assertError(self.srv.request("GET", "/api/v1/audit/proofs/inclusion?index=%d&size=%d" % (cp["size"], cp["size"]), token=self.sup_tok), 404, "not_found")
        self.assertError(self.srv.request("GET", "/api/v1/audit/proofs/inclusion?index=0"), 401, "unauthenticated")

    def test_checkpoint_at_or_after_a_size(self):
        first = self.checkpoint_now()
        self.make_org(self.admin, "bidder")
        second = self.checkpoint_now()
        r = self.srv.request("GET", "/api/v1/audit/checkpoint?at_least=%d" % (first["size"] + 1))
        self.assertTrue(first["size"] < r.json["size"] <= second["size"], r)
        self.assertEqual(self.srv.request("GET", "/api/v1/audit/checkpoints/%d" % first["size"]).json["root"], first["root"])
        self.assertError(self.srv.request("GET", "/api/v1/audit/checkpoint?at_least=999999"), 404, "not_found")

    def test_a_deadline_gets_its_own_checkpoint(self):
        now = self.srv.request("GET", "/api/v1/test/clock").json["now_us"]
        deadline = now + 3600 * 10**6
        r = self.srv.request("POST", "/api/v1/test/audit/deadlines", {"deadline_us": deadline, "label": "lot A bid deadline"})
        self.assertEqual(r.status, 204)
        self.make_org(self.admin, "bidder")  # logged before the deadline
        self.srv.wait_sequenced()
        before = int(self.srv.sql("SELECT size FROM audit_head")[0][0])
        self.assertEqual(self.srv.sql("SELECT checkpoint_size FROM audit_deadlines"), [["NULL"]])
        signed_before = {int(r[0]) for r in self.srv.sql("SELECT size FROM audit_checkpoints")}
        self.srv.request("POST", "/api/v1/test/clock", {"set_us": deadline})
        t = time.time()
        while self.srv.sql("SELECT checkpoint_size FROM audit_deadlines") == [["NULL"]] and time.time() - t < 5:
            time.sleep(0.05)
        size = int(self.srv.sql("SELECT checkpoint_size FROM audit_deadlines")[0][0])
        self.assertGreaterEqual(size, before)
        kind = self.srv.sql("SELECT kind FROM audit_checkpoints WHERE size=%d" % size)
        if size not in signed_before and kind != [["periodic"]]:
            # a new checkpoint was needed: it says why it was signed
            self.assertEqual(kind, [["deadline"]])
        else:
            # a periodic checkpoint already covered the whole tree (signed before the deadline
            # passed, possibly just after signed_before was read): nothing new to sign
            self.assertEqual(kind, [["periodic"]])
        self.make_org(self.admin, "bidder")  # logged after: beyond the deadline checkpoint
        self.srv.wait_sequenced()
        late = self.srv.sql("SELECT MAX(idx) FROM audit_entries")[0][0]
        self.assertGreaterEqual(int(late), size)

    # --- tampering, done directly in MariaDB ---

    def tamper_and_verify(self, sql):
        self.make_org(self.admin, "bidder")
        self.make_org(self.admin, "agency")
        self.checkpoint_now()
        self.assertEqual(self.ggzy("audit", "verify").returncode, 0)
        self.srv.sql(sql)
        p = self.ggzy("audit", "verify")
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        return p.stdout

    def test_one_changed_byte_is_found_and_named(self):
        out = self.tamper_and_verify("UPDATE audit_entries SET entry = CONCAT(LEFT(entry, 12), "
                                     "IF(SUBSTRING(entry, 13, 1) = 'x', 'y', 'x'), SUBSTRING(entry, 14)) WHERE idx = 3")
        self.assertIn("FAILED at index 3", out)

    def test_a_changed_entry_with_a_recomputed_leaf_is_found_and_named(self):
        out = self.tamper_and_verify("UPDATE audit_entries SET entry = REPLACE(entry, 'bidder', 'bidded'), "
                                     "nodes = CONCAT(UNHEX(SHA2(CONCAT(X'00', REPLACE(entry, 'bidder', 'bidded')), 256)), SUBSTRING(nodes, 33)) "
                                     "WHERE action = 'account.org_create' AND entry LIKE '%\"bidder\"%' ORDER BY idx DESC LIMIT 1")
        idx = int(self.srv.sql("SELECT idx FROM audit_entries WHERE entry LIKE '%bidded%'")[0][0])
        # With its recorded leaf hash rewritten too, hashes alone cannot tell an entry from the
        # other leaf under the same parent: the verifier names that pair, first index first —
        # unless an earlier checkpoint ends between them and so vouches for the neighbour, and
        # then it names the entry alone.
        first = idx & ~1
        self.assertTrue("FAILED at index %d: entry %d or %d" % (first, first, first + 1) in out
                        or "FAILED at index %d: entry %d does not verify" % (idx, idx) in out, out)

    def test_deleted_last_entries_are_found(self):
        size = None
        out = self.tamper_and_verify("DELETE FROM audit_entries WHERE idx >= (SELECT size - 2 FROM audit_head)")
        size = int(self.srv.sql("SELECT size FROM audit_head")[0][0])
        self.assertIn("FAILED at index %d" % (size - 2), out)
        self.assertIn("missing", out)

    def test_two_reordered_entries_are_found(self):
        out = self.tamper_and_verify("UPDATE audit_entries SET idx = 1000000 WHERE idx = 2; "
                                     "UPDATE audit_entries SET idx = 2 WHERE idx = 4; "
                                     "UPDATE audit_entries SET idx = 4 WHERE idx = 1000000")
        self.assertIn("FAILED at index 2", out)
        self.assertIn("out of order", out)

    def test_a_replaced_checkpoint_is_found(self):
        out = self.tamper_and_verify("UPDATE audit_checkpoints SET note = REPLACE(note, "
                                     "SUBSTRING_INDEX(SUBSTRING_INDEX(note, '\\n', 3), '\\n', -1), "
                                     "'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=') ORDER BY size DESC LIMIT 1")
        self.assertIn("signature does not verify", out)

    def test_the_log_refuses_to_sign_a_tree_inconsistent_with_its_last_checkpoint(self):
        cp = self.checkpoint_now()
        while cp["size"] & (cp["size"] - 1) == 0:  # from a power of two, no stored node is needed
            self.make_org(self.admin, "bidder")
            cp = self.checkpoint_now()
        # rewrite the stored subtree roots of every entry the checkpoint covers
        self.assertGreaterEqual(cp["size"], 5)
        self.srv.sql("UPDATE audit_entries SET nodes = UNHEX(REPEAT('ab', LENGTH(nodes))) WHERE idx < %d"
                     % cp["size"])
        self.make_org(self.admin, "bidder")
        self.srv.request("POST", "/api/v1/audit/checkpoints", token=self.sup_tok)
        latest = self.srv.request("GET", "/api/v1/audit/checkpoint").json
        self.assertEqual(latest["size"], cp["size"])
        self.assertIn("REFUSING TO SIGN", self.srv.log_text())

    # --- export, replay, cosign ---

    def test_an_exported_log_verifies_offline_and_a_tampered_export_does_not(self):
        self.checkpoint_now()
        p = self.ggzy("audit", "export")
        self.assertEqual(p.returncode, 0, p.stderr)
        path = os.path.join(self.tmp, "export.txt")
        with open(path, "w") as f:
            f.write(p.stdout)
        ok = self.ggzy("audit", "verify", "--file", path)
        self.assertEqual(ok.returncode, 0, ok.stdout + ok.stderr)
        lines = p.stdout.splitlines()
        i = [n for n, l in enumerate(lines) if l.startswith("entry 1 ")][0]
        parts = lines[i].split(" ", 3)  # entry, index, recorded leaf hash, canonical JSON
        self.assertEqual(json.loads(parts[3])["index"], 1)
        parts[3] = parts[3].replace('"v":1', '"v":2')
        lines[i] = " ".join(parts)
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        bad = self.ggzy("audit", "verify", "--file", path)
        self.assertEqual(bad.returncode, 1)
        self.assertIn("FAILED at index 1", bad.stdout)

    def test_a_wrong_pinned_key_fails_verification(self):
        self.checkpoint_now()
        other = subprocess.run(["openssl", "genpkey", "-algorithm", "ed25519"], capture_output=True, check=True).stdout
        env_vkey = self.vkey
        name = env_vkey.split("+", 1)[0]
        # a syntactically valid vkey for another key under the same name
        pub = subprocess.run(["openssl", "pkey", "-pubout", "-outform", "DER"], input=other, capture_output=True, check=True).stdout[-32:]
        kid = hashlib.sha256(name.encode() + b"\n\x01" + pub).digest()[:4].hex()
        self.vkey = "%s+%s+%s" % (name, kid, base64.b64encode(b"\x01" + pub).decode())
        p = self.ggzy("audit", "verify")
        self.assertEqual(p.returncode, 1)
        self.assertIn("no signature by", p.stdout)

    def post_entry(self, action, project, payload, token=None):
        r = self.srv.request("POST", "/api/v1/test/audit/entries", {"action": action, "object_type": "project",
                             "object_id": project, "project_id": project, "payload": payload}, token=token or self.admin)
        self.assertEqual(r.status, 201, r)

    def test_replay_prints_a_project_timeline_and_passes_a_lawful_one(self):
        now = self.srv.request("GET", "/api/v1/test/clock").json["now_us"]
        for frm, to in [("draft", "submitted"), ("submitted", "accepted")]:
            self.post_entry("project.transition", 7, {"from": frm, "to": to})
        self.post_entry("lot.deadline_set", 7, {"lot": "A", "bid_deadline_us": now + 10**9, "opening_us": now + 10**9})
        self.post_entry("announce.publish", 7, {"announcement_id": 1, "content_sha256": "11" * 32})
        self.checkpoint_now()
        p = self.ggzy("audit", "replay", "--project", "7")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("project.transition", p.stdout)
        self.assertIn("trust.anchors", p.stdout)  # every timeline carries the anchors in force
        self.assertIn("every invariant holds", p.stdout)
        # (a whole real tender, signed acts and all, replays clean in test_integrity.py)

    def test_a_timeline_filtered_for_a_role_says_so_and_the_replay_checks_what_it_can(self):
        """With a center admin's token the timeline holds only the admin's own entries: a replay of
        it would see steps missing. It says it is filtered; the replay reports "not checkable from
        this view" (exit 3) instead of a violation, and with a supervisor's token checks all."""
        org = self.make_org(self.admin, "agency")
        _, agent = self.make_user(self.admin, org["id"], "agent")
        self.post_entry("project.transition", 9, {"from": "draft", "to": "submitted"}, token=agent)
        self.post_entry("project.transition", 9, {"from": "submitted", "to": "accepted"})
        self.checkpoint_now()
        t = self.srv.request("GET", "/api/v1/audit/projects/9/timeline", token=self.admin).json
        self.assertEqual((t["complete"], t["omitted"], t["view"]), (False, 1, "center_admin"), t)
        full = self.srv.request("GET", "/api/v1/audit/projects/9/timeline", token=self.sup_tok).json
        self.assertEqual((full["complete"], full["omitted"], full["view"]), (True, 0, "supervisor"))
        p = self.ggzy("audit", "replay", "--project", "9", token=self.admin)
        self.assertEqual(p.returncode, 3, p.stdout + p.stderr)
        self.assertIn("NOT CHECKABLE from this view", p.stdout)
        self.assertNotIn("VIOLATION", p.stdout)
        p = self.ggzy("audit", "replay", "--project", "9")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("every invariant holds", p.stdout)

    def test_replay_reports_each_broken_invariant(self):
        now = self.srv.request("GET", "/api/v1/test/clock").json["now_us"]
        self.post_entry("project.transition", 8, {"from": "draft", "to": "accepted"})  # skips submitted
        self.post_entry("lot.deadline_set", 8, {"lot": "A", "bid_deadline_us": now - 10**6, "opening_us": now + 10**9})
        self.post_entry("bid.receive", 8, {"lot": "A", "envelope_sha256": "00" * 32})  # after the deadline
        self.post_entry("bid.decrypt", 8, {"lot": "A"})  # before the opening
        self.post_entry("announce.publish", 8, {"announcement_id": 5, "content_sha256": "11" * 32})
        self.post_entry("announce.publish", 8, {"announcement_id": 5, "content_sha256": "22" * 32})
        self.checkpoint_now()
        p = self.ggzy("audit", "replay", "--project", "8")
        self.assertEqual(p.returncode, 1, p.stdout)
        for code in ("INV-STATE", "INV-BID-DEADLINE", "INV-BID-OPENING", "INV-ANNOUNCE-IMMUTABLE"):
            self.assertIn("VIOLATION " + code, p.stdout)

    def test_a_supervisor_cosigns_and_the_cosignature_is_served_and_verifiable(self):
        state = os.path.join(self.tmp, "witness.state")
        self.checkpoint_now()
        p = self.ggzy("audit", "cosign", "--key", self.sup_key, "--state", state)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        # the one cosigned (a periodic checkpoint may have been signed since: the cosignature's
        # own audit entry is a new entry)
        size = int(re.search(r"cosigned the checkpoint of size (\d+)", p.stdout).group(1))
        cp = self.srv.request("GET", "/api/v1/audit/checkpoints/%d" % size).json
        self.assertEqual(len(cp["cosignatures"]), 1)
        line = cp["cosignatures"][0]["line"]
        self.assertIn(line, cp["note"])
        self.assertTrue(line.startswith("\u2014 ggzy.test/audit/witness/%s " % self.sup["username"]))
        # check it with openssl: ECDSA P-256 SHA-256 (signed-note type 0x02) over the text
        raw = b64d(line.split(" ")[2])
        text = cp["note"].split("\n\n")[0] + "\n"
        d = tempfile.mkdtemp()
        for name, data in (("msg", text.encode()), ("sig", raw[4:])):
            with open(os.path.join(d, name), "wb") as f:
                f.write(data)
        subprocess.run(["openssl", "ec", "-in", self.sup_key, "-pubout", "-out", os.path.join(d, "pub.pem")], check=True, capture_output=True)
        ok = subprocess.run(["openssl", "dgst", "-sha256", "-verify", os.path.join(d, "pub.pem"), "-signature",
                             os.path.join(d, "sig"), os.path.join(d, "msg")], capture_output=True, text=True)
        self.assertEqual(ok.returncode, 0, ok.stdout + ok.stderr)
        # a later checkpoint is cosigned after the consistency check; an earlier one is refused
        self.make_org(self.admin, "bidder")
        self.checkpoint_now()
        self.assertEqual(self.ggzy("audit", "cosign", "--key", self.sup_key, "--state", state).returncode, 0)
        r = self.srv.request("POST", "/api/v1/audit/checkpoints/%d/cosignatures" % cp["size"],
                             {"signature": line.split(" ")[2].strip()}, token=self.sup_tok)
        self.assertError(r, 422, "rule_violation")
        self.assertEqual(r.json["error"]["rule"], "AUD-COSIGN-BACKWARDS")

    def test_a_forged_cosignature_is_refused(self):
        cp = self.checkpoint_now()
        bogus = base64.b64encode(b"\x00\x01\x02\x03" + b"\x30\x06\x02\x01\x01\x02\x01\x01").decode()
        r = self.srv.request("POST", "/api/v1/audit/checkpoints/%d/cosignatures" % cp["size"], {"signature": bogus}, token=self.sup_tok)
        self.assertError(r, 422, "rule_violation")
        self.assertEqual(r.json["error"]["rule"], "AUD-COSIGN-SIGNATURE")
        r = self.srv.request("POST", "/api/v1/audit/checkpoints/%d/cosignatures" % cp["size"], {"signature": bogus}, token=self.admin)
        self.assertError(r, 403, "forbidden")

    def test_a_forked_history_is_caught_by_the_supervisors_cosigned_checkpoint(self):
        state = os.path.join(self.tmp, "witness.state")
        cp = self.checkpoint_now()
        # The platform (holding its own key) signs a different history of the same size...
        text = "ggzy.test/audit\n%d\n%s\n" % (cp["size"], base64.b64encode(hashlib.sha256(b"fork").digest()).decode())
        msg = os.path.join(self.tmp, "fork.txt")
        with open(msg, "w") as f:
            f.write(text)
        sig = subprocess.run(["openssl", "pkeyutl", "-sign", "-inkey", self.srv.audit_key, "-rawin", "-in", msg],
                             capture_output=True, check=True).stdout
        kid = bytes.fromhex(self.vkey.split("+")[1])
        with open(state, "w") as f:
            f.write(text + "\n\u2014 ggzy.test/audit %s\n" % base64.b64encode(kid + sig).decode())
        # ... and a supervisor who cosigned that one notices the log no longer matches it.
        p = self.ggzy("audit", "verify", "--state", state)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("forked", p.stdout)
        p = self.ggzy("audit", "cosign", "--key", self.sup_key, "--state", state)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("forked", p.stdout)

    # --- who sees what ---

    def test_other_roles_see_their_own_entries_and_only_hashes_of_the_rest(self):
        org = self.make_org(self.admin, "bidder")
        bidder, tok = self.make_user(self.admin, org["id"], "bidder")
        self.srv.request("POST", "/api/v1/auth/login", {"username": bidder["username"], "password": "wrong-password-x"})
        self.srv.wait_sequenced()
        items = self.srv.request("GET", "/api/v1/audit/entries?from=0&limit=1000", token=tok).json["items"]
        self.assertEqual([e["index"] for e in items], list(range(len(items))))
        mine = [e for e in items if e.get("action")]
        # their own, and the trust anchors in force, which are public
        self.assertEqual({e["action"] for e in mine},
                         {"account.user_create", "auth.login", "auth.login_failed", "trust.anchors"})
        failed = [e for e in mine if e["action"] == "auth.login_failed"][0]
        self.assertEqual(json.loads(base64.b64decode(failed["entry"]))["payload"],
                         {"known_user": True, "trusted_device": False})  # no typed username
        others = [e for e in items if not e.get("action")]
        self.assertTrue(others and all(e["entry"] is None and e["leaf_hash"] for e in others))
        # an entry of the older kind, which kept what was typed as a username, is withheld from
        # its own user (it may be a mistyped password)
        r = self.srv.request("POST", "/api/v1/test/audit/entries", {"action": "auth.login_failed",
                             "object_type": "user", "object_id": bidder["id"],
                             "payload": {"username": "typed-by-mistake"}}, token=self.admin)
        self.assertEqual(r.status, 201, r)
        self.srv.wait_sequenced()
        items = self.srv.request("GET", "/api/v1/audit/entries?from=0&limit=1000", token=tok).json["items"]
        old = [e for e in items if e.get("action") == "auth.login_failed" and e["entry"] is None][0]
        self.assertEqual(old["redacted"]["payload"]["username"], "[withheld]")
        # a supervisor sees every byte — a sensitive read, logged — and the log still verifies
        # for the bidder from hashes alone
        sup_items = self.srv.request("GET", "/api/v1/audit/entries?from=0&limit=1000", token=self.sup_tok).json["items"]
        self.assertTrue(all(e["entry"] for e in sup_items))
        self.srv.wait_sequenced()
        logged = self.srv.sql("SELECT actor_user_id FROM audit_entries WHERE action = 'audit.read_withheld'")
        self.assertEqual(logged, [[str(self.sup["id"])]])
        self.checkpoint_now()
        p = self.ggzy("audit", "verify", token=tok)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

    def test_checkpoints_can_be_requested_only_by_staff(self):
        org = self.make_org(self.admin, "bidder")
        _, tok = self.make_user(self.admin, org["id"], "bidder")
        self.assertError(self.srv.request("POST", "/api/v1/audit/checkpoints", token=tok), 403, "forbidden")


class LogWatchTest(ApiTest):
    """The server watches its own log (docs/audit.md §6): an entry edited together with its stored
    leaf hash — what a database administrator can do — no longer makes the tree ggzyd signed.
    Before signing, the new entries are re-hashed from their bytes; on a schedule, the whole log.
    Either finding stops the signing and turns /healthz and the metric red."""

    server_args = {"conf": {"audit.checkpoint_interval_ms": "3600000", "audit.scan_interval_s": "1"}}

    def setUp(self):
        super().setUp()
        self.admin = self.srv.admin_token()

    def checkpoint(self):
        r = self.srv.request("POST", "/api/v1/audit/checkpoints", token=self.admin)
        if r.status == 503:
            self.assertEqual(r.code, "audit_log_altered", r)
        else:
            self.assertEqual(r.status, 200, r)
        return self.srv.request("GET", "/api/v1/audit/checkpoint").json["size"]

    def edit_entry_and_leaf(self, idx):
        """What a DBA does: change an entry's bytes and store the leaf hash that matches them."""
        import hashlib
        entry = self.srv.sql("SELECT HEX(entry) FROM audit_entries WHERE idx = %d" % idx)[0][0]
        raw = bytes.fromhex(entry)
        forged = raw.replace(b'"v":1', b'"v":7')
        self.assertNotEqual(raw, forged)
        leaf = hashlib.sha256(b"\x00" + forged).hexdigest()
        self.srv.sql("UPDATE audit_entries SET entry = UNHEX('%s'), nodes = CONCAT(UNHEX('%s'), SUBSTRING(nodes, 33)) "
                     "WHERE idx = %d" % (forged.hex(), leaf, idx))

    def intact(self):
        h = self.srv.request("GET", "/healthz")
        m = self.srv.request("GET", "/metrics").body
        return h, "\nggzy_audit_log_intact 1\n" in m

    def test_an_entry_edited_with_its_leaf_since_the_last_checkpoint_stops_the_signing(self):
        self.make_org(self.admin, "bidder")
        self.srv.wait_sequenced()
        size = self.checkpoint()
        h, ok = self.intact()
        self.assertEqual((h.status, h.json["audit_log"], ok), (200, "intact", True), h)
        self.make_org(self.admin, "bidder")  # a new entry, sequenced, not yet in a checkpoint
        self.srv.wait_sequenced()
        self.edit_entry_and_leaf(size)
        self.assertEqual(self.checkpoint(), size)  # not signed
        h, ok = self.intact()
        self.assertError(h, 503, "audit_log_altered")
        self.assertIn("self-check", h.json["error"]["message"])
        self.assertFalse(ok)
        self.assertIn("THE AUDIT LOG IS ALTERED", self.srv.log_text())
        self.make_org(self.admin, "bidder")  # the platform goes on; nothing more is signed
        self.srv.wait_sequenced()
        self.assertEqual(self.checkpoint(), size)

    def test_an_old_entry_edited_with_its_leaf_is_found_by_the_scheduled_scan(self):
        self.make_org(self.admin, "bidder")
        self.srv.wait_sequenced()
        self.checkpoint()
        self.edit_entry_and_leaf(1)  # long signed
        import time
        for _ in range(100):
            if self.intact()[0].status == 503:
                break
            time.sleep(0.1)
        h, ok = self.intact()
        self.assertError(h, 503, "audit_log_altered")
        self.assertIn("signed checkpoint", h.json["error"]["message"])
        self.assertFalse(ok)

    def test_the_full_check_runs_every_five_minutes_by_default_with_its_time_in_the_metrics(self):
        """With the default audit.scan_interval_s (300), an edit of a long-signed entry is found
        at the next full check, within five minutes of the platform's clock."""
        self.srv.reconfigure({"audit.scan_interval_s": "300"})
        self.make_org(self.admin, "bidder")
        self.srv.wait_sequenced()
        self.checkpoint()
        m = self.srv.request("GET", "/metrics").body
        self.assertIn("\nggzy_audit_log_scan_ok 1\n", m)  # the check at start-up
        self.assertRegex(m, r"\nggzy_audit_log_scan_duration_microseconds \d+\n")
        self.assertRegex(m, r"\nggzy_audit_log_scan_entries [1-9]\d*\n")
        self.edit_entry_and_leaf(1)
        self.assertEqual(self.intact()[0].status, 200)  # not yet seen
        now = self.srv.request("GET", "/api/v1/test/clock").json["now_us"]
        self.srv.request("POST", "/api/v1/test/clock", {"set_us": now + 301 * 10**6})
        import time
        for _ in range(100):
            if self.intact()[0].status == 503:
                break
            time.sleep(0.1)
        h, ok = self.intact()
        self.assertError(h, 503, "audit_log_altered")
        self.assertIn("\nggzy_audit_log_scan_ok 0\n", self.srv.request("GET", "/metrics").body)

    def scan_again(self):
        """Moves the clock past audit.scan_interval_s and waits for the next full check."""
        import re
        import time
        last = lambda: int(re.search(r"\nggzy_audit_log_scan_last_us (\d+)\n",
                                     self.srv.request("GET", "/metrics").body).group(1))
        before = last()
        now = self.srv.request("GET", "/api/v1/test/clock").json["now_us"]
        self.srv.request("POST", "/api/v1/test/clock", {"set_us": now + 301 * 10**6})
        for _ in range(100):
            if last() > before:
                return
            time.sleep(0.1)
        self.fail("the full check did not run")

    def test_the_full_check_reads_in_queue_order_and_still_checks_entries_indexed_out_of_it(self):
        """The full check reads the table in its primary key's order (docs/audit.md §1): entries
        whose queue numbers are out of index order — a transaction that committed late, or a DBA
        renumbering rows — are put back in index order, and each is still re-hashed."""
        self.srv.reconfigure({"audit.scan_interval_s": "300"})
        for _ in range(3):
            self.make_org(self.admin, "bidder")
        self.srv.wait_sequenced()
        size = self.checkpoint()
        top = int(self.srv.sql("SELECT MAX(qid) FROM audit_entries")[0][0])
        self.srv.sql("UPDATE audit_entries SET qid = %d WHERE idx = 1" % (top + 1000))
        self.srv.sql("UPDATE audit_entries SET qid = %d WHERE idx = %d" % (top + 500, size // 2))
        self.scan_again()
        h, ok = self.intact()
        self.assertEqual((h.status, ok), (200, True), h.body)
        self.edit_entry_and_leaf(1)  # the entry read last, checked all the same
        self.scan_again()
        h, ok = self.intact()
        self.assertError(h, 503, "audit_log_altered")
        self.assertIn("signed checkpoint", h.json["error"]["message"])

    def test_an_entry_edited_without_its_leaf_is_found_before_signing(self):
        self.make_org(self.admin, "bidder")
        self.srv.wait_sequenced()
        size = self.checkpoint()
        self.make_org(self.admin, "bidder")
        self.srv.wait_sequenced()
        # the stored tree is untouched (every stored hash agrees), only the entry's bytes changed
        self.srv.sql("UPDATE audit_entries SET entry = REPLACE(entry, '\"v\":1', '\"v\":8') WHERE idx = %d" % size)
        self.assertEqual(self.checkpoint(), size)
        h, ok = self.intact()
        self.assertError(h, 503, "audit_log_altered")
        self.assertIn("does not hash to its stored leaf", h.json["error"]["message"])


class SequencerTest(ApiTest):
    """How a committed entry gets its index (docs/audit.md §1, "How an entry gets its index"): the
    sequencer looks for pending entries near the last qid it sequenced and makes a full look at
    least once a second, so an entry whose transaction commits long after thousands of later
    ones still gets its index. The rows here are queued by hand, as a DBA could."""

    COLS = "(idx, recorded_us, action, actor_user_id, object_type, object_id, project_id, head, tail)"

    def test_an_entry_committed_after_thousands_queued_behind_it_still_gets_its_index(self):
        self.srv.wait_sequenced()
        password = self.srv.admin_password
        if password is None:
            with open(os.path.join(ROOT, "var", "mariadb", "admin.password")) as f:
                password = f.read().strip()
        late = subprocess.Popen(
            ["mariadb", "--no-defaults", "-S", self.srv.db_socket, "-u", "ggzy_admin", "-N", "-B",
             "--unbuffered", self.srv.db], env=dict(os.environ, MYSQL_PWD=password),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        try:
            late.stdin.write("START TRANSACTION; INSERT INTO audit_entries %s VALUES "
                             "(NULL, 1, 'test.late', NULL, 'test', 0, NULL, '{\"i\":', '}'); "
                             "SELECT LAST_INSERT_ID();\n" % self.COLS)
            late.stdin.flush()
            qid = int(late.stdout.readline())
            # 3000 entries queued after it commit first and are sequenced while it is open
            self.srv.sql("INSERT INTO audit_entries %s SELECT NULL, 1, 'test.bulk', NULL, 'test', seq, "
                         "NULL, '{\"i\":', '}' FROM seq_1_to_3000" % self.COLS)
            self.srv.wait_sequenced()
            self.assertEqual(self.srv.sql("SELECT COUNT(*), MIN(qid) > %d FROM audit_entries "
                                          "WHERE action = 'test.bulk' AND idx IS NOT NULL" % qid),
                             [["3000", "1"]])
            late.stdin.write("COMMIT;\n")
            late.stdin.close()
            self.assertEqual(late.wait(timeout=30), 0)
        finally:
            if late.poll() is None:
                late.kill()
                late.wait()
            late.stdout.close()
        self.srv.wait_sequenced(timeout=10)
        self.assertEqual(self.srv.sql("SELECT a.idx > (SELECT MAX(idx) FROM audit_entries WHERE action = "
                                      "'test.bulk'), a.entry = CONCAT('{\"i\":', a.idx, '}') FROM "
                                      "audit_entries a WHERE a.qid = %d" % qid), [["1", "1"]])
        # and the tree the sequencer built over all of them is the one it signs
        r = self.srv.request("POST", "/api/v1/audit/checkpoints", token=self.srv.admin_token())
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["size"], int(self.srv.sql("SELECT COUNT(*) FROM audit_entries")[0][0]))
