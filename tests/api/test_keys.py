"""Certified signing keys (issue 10 item 3): a key that binds a party is registered with an X.509
certificate that chains to a CA of the user's side named in the configuration file, names the
organization's credit code and comes with a proof of possession; it is re-verified whenever it
is used. The center admin, who sets every password, and a database administrator, who can edit
every row, hold no side's CA key: they can sign in as anyone but make no usable key. The anchors
in force go into the audit log at start-up and on every change."""
import base64
import datetime
import hashlib
import json
import os
import signal
import time

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from harness import ApiTest, TRUST, issue_cert, load_ca, make_ca


def crl_pem(side, revoked):
    """A CRL of side's development CA revoking the serial numbers given."""
    ca_cert, ca_key = load_ca(side)
    now = datetime.datetime.now(datetime.timezone.utc)
    b = (x509.CertificateRevocationListBuilder().issuer_name(ca_cert.subject)
         .last_update(now - datetime.timedelta(days=1)).next_update(now + datetime.timedelta(days=30)))
    for serial in revoked:
        b = b.add_revoked_certificate(x509.RevokedCertificateBuilder().serial_number(serial)
                                      .revocation_date(now - datetime.timedelta(hours=1)).build())
    return b.sign(ca_key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM).decode()


class CertifiedKeysTest(ApiTest):
    def setUp(self):
        super().setUp()
        self.admin = self.srv.admin_token()
        self.org = self.make_org(self.admin, "bidder")
        self.user, self.tok = self.make_user(self.admin, self.org["id"], "bidder")

    def register(self, cert, key, token=None):
        _, r = self.register_key(token or self.tok, key, cert=cert, expect=None)
        return r

    def assertRule(self, r, rule):
        self.assertError(r, 422, "rule_violation")
        self.assertEqual(r.json["error"]["rule"], rule, r)

    def test_a_certified_key_is_registered_listed_and_revoked(self):
        key, r = self.register_key(self.tok, label="签章钥匙")
        kid = r.json["key_id"]
        spki = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        self.assertEqual(kid, hashlib.sha256(spki).hexdigest())  # anyone can recompute it
        cert = r.json["certificate"]
        self.assertEqual((cert["side"], cert["credit_code"]), ("bidder", self.org["credit_code"]))
        leaf = base64.b64decode(cert["chain"][0])
        self.assertEqual(cert["sha256"], hashlib.sha256(leaf).hexdigest())
        self.assertIsNone(r.json["revoked_at"])
        again = self.register(issue_cert(key.public_key(), self.org["credit_code"], "bidder"), key)
        self.assertError(again, 409, "conflict")
        listed = self.srv.request("GET", "/api/v1/users/%d/keys" % self.user["id"], token=self.admin)
        self.assertEqual([k["key_id"] for k in listed.json["items"]], [kid])
        self.assertEqual(self.srv.request("DELETE", "/api/v1/me/keys/" + kid, token=self.tok).status, 204)
        self.assertError(self.srv.request("DELETE", "/api/v1/me/keys/" + kid, token=self.tok), 404, "not_found")
        # the registration is in the log with the certificate, for offline re-verification
        self.srv.wait_sequenced()
        e = json.loads(self.srv.sql("SELECT entry FROM audit_entries WHERE action = 'account.key_register'")[0][0])
        self.assertEqual(e["payload"]["certificate"], cert["chain"])

    def test_each_bad_certificate_is_refused_with_its_own_code_and_nothing_is_stored(self):
        code = self.org["credit_code"]
        key = ec.generate_private_key(ec.SECP256R1())
        pub = key.public_key()
        past = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=900)
        future = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=30)
        cases = [
            ("KEY-CERT-FORMAT", "not a certificate"),
            ("KEY-CERT-CHAIN", issue_cert(pub, code, ca=make_ca())),              # a CA nobody configured
            ("KEY-CERT-SIDE", issue_cert(pub, code, "supervision")),               # another side's CA
            ("KEY-CERT-ORG", issue_cert(pub, "91110000MA00000000", "bidder")),      # another organization
            ("KEY-CERT-ORG", issue_cert(pub, None, "bidder")),                      # no organization at all
            ("KEY-CERT-EXPIRED", issue_cert(pub, code, "bidder", not_before=past, days=10)),
            ("KEY-CERT-EXPIRED", issue_cert(pub, code, "bidder", not_before=future)),
            ("KEY-CERT-USAGE", issue_cert(pub, code, "bidder", usage="encrypt")),  # an encryption certificate
        ]
        for rule, cert in cases:
            self.assertRule(self.register(cert, key), rule)
        ed = ed25519.Ed25519PrivateKey.generate()
        self.assertRule(self.register(issue_cert(ed.public_key(), code, "bidder"), key), "KEY-CERT-ALG")
        # the proof of possession: a certificate anyone can copy is not enough
        other = ec.generate_private_key(ec.SECP256R1())
        self.assertRule(self.register(issue_cert(pub, code, "bidder"), other), "KEY-PROOF")
        self.assertEqual(self.srv.sql("SELECT COUNT(*) FROM user_keys")[0][0], "0")
        # organizationIdentifier (2.5.4.97) names the organization as well as serialNumber
        r = self.register(issue_cert(pub, code, "bidder", code_attr="organizationIdentifier"), key)
        self.assertEqual(r.status, 201, r)

    def test_the_center_admin_holding_every_password_makes_no_usable_key(self):
        # the issue's attack: the admin creates a supervision body and a supervisor it controls
        sup_org = self.make_org(self.admin, "supervision")
        _, sup_tok = self.make_user(self.admin, sup_org["id"], "supervisor")
        key = ec.generate_private_key(ec.SECP256R1())
        code = sup_org["credit_code"]
        self.assertRule(self.register(issue_cert(key.public_key(), code, ca=make_ca("the center's own CA")), key,
                                      sup_tok), "KEY-CERT-CHAIN")
        # its own (center) certificate does not certify a supervisor
        center_code = self.srv.request("GET", "/api/v1/orgs/%d" % self.srv.request(
            "GET", "/api/v1/me", token=self.admin).json["org_id"], token=self.admin).json["credit_code"]
        self.assertRule(self.register(issue_cert(key.public_key(), center_code, "center"), key, sup_tok),
                        "KEY-CERT-SIDE")
        # a genuine supervision body's certificate, copied: the admin lacks its private key
        real = ec.generate_private_key(ec.SECP256R1())
        self.assertRule(self.register(issue_cert(real.public_key(), code, "supervision"), key, sup_tok), "KEY-PROOF")
        # and signing in as a bidder (the admin set its password) gives no key either
        self.assertRule(self.register(issue_cert(key.public_key(), self.org["credit_code"], ca=make_ca()), key),
                        "KEY-CERT-CHAIN")
        self.assertEqual(self.srv.sql("SELECT COUNT(*) FROM user_keys")[0][0], "0")

    def test_a_key_is_re_verified_whenever_it_is_used(self):
        key, r = self.register_key(self.tok)
        kid = r.json["key_id"]
        serial = x509.load_der_x509_certificate(base64.b64decode(r.json["certificate"]["chain"][0])).serial_number
        # revoked by its CA after registration: a CRL, reloaded with SIGHUP
        with open(os.path.join(self.srv.dir, "crl.pem"), "w") as f:
            f.write(crl_pem("bidder", [serial]))
        before = self.anchors_entries()
        self.srv.proc.send_signal(signal.SIGHUP)
        for _ in range(200):
            if self.anchors_entries() > before:
                break
            time.sleep(0.05)
        self.assertEqual(self.anchors_entries(), before + 1)  # the change is published
        # a use of the key (a bid's pre-flight check) is refused with the revocation's code
        import sys
        sys.path.insert(0, os.path.join(os.environ.get("GGZY_ROOT", "."), "docs", "tools"))
        import seal_envelope
        header = {"v": 1, "suite": "HPKE(DHKEM-P256-HKDF-SHA256,HKDF-SHA256,AES-256-GCM)+AES-256-GCM-64KiB+ECDSA-P256-SHA256",
                  "platform": "ggzy.test", "project_code": "110000-2026-GC-00001", "lot": 1,
                  "bidder_org_id": self.org["id"], "signer_key_id": kid, "revision": 1,
                  "bid_deadline_us": 1795312345678901, "opening_key_id": "ab" * 32, "chunk_size": 65536}
        opk = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
        env = seal_envelope.seal(header, opk, key, os.urandom(100))
        r = self.srv.request("POST", "/api/v1/envelopes/check", raw=env, token=self.tok,
                             headers={"Content-Type": "application/octet-stream"})
        self.assertRule(r, "KEY-CERT-REVOKED")

    def test_a_row_swapped_in_the_database_yields_nothing_usable(self):
        key, r = self.register_key(self.tok)
        kid = r.json["key_id"]
        # the DBA puts a key of its own into the bidder's row, with a certificate it minted
        dba = ec.generate_private_key(ec.SECP256R1())
        rogue = issue_cert(dba.public_key(), self.org["credit_code"], ca=make_ca())
        der = x509.load_pem_x509_certificate(rogue.encode()).public_bytes(serialization.Encoding.DER)
        spki = dba.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        self.srv.sql("UPDATE user_keys SET cert_chain = UNHEX('%s'), spki_der = UNHEX('%s') WHERE key_id = '%s'"
                     % (der.hex(), spki.hex(), kid))
        mine = self.srv.request("GET", "/api/v1/me/keys", token=self.tok).json["items"][0]
        self.assertEqual(mine["key_id"], kid)  # the row says so; nothing believes it
        self.assertEqual(self.use(dba, kid).json["error"]["rule"], "KEY-CERT-CHAIN")
        # or only the public key swapped, the genuine certificate left: the certificate's key
        # decides, so the DBA's signature does not verify and the holder's still does
        good = x509.load_der_x509_certificate(base64.b64decode(r.json["certificate"]["chain"][0]))
        self.srv.sql("UPDATE user_keys SET cert_chain = UNHEX('%s') WHERE key_id = '%s'"
                     % (good.public_bytes(serialization.Encoding.DER).hex(), kid))
        self.assertEqual(self.use(dba, kid).json["error"]["rule"], "BID-SIGNATURE")
        self.assertEqual(self.use(key, kid).status, 200)
        # a key moved to another organization's user is refused: the certificate names the first
        org2 = self.make_org(self.admin, "bidder")
        u2, tok2 = self.make_user(self.admin, org2["id"], "bidder")
        self.srv.sql("UPDATE user_keys SET user_id = %d WHERE key_id = '%s'" % (u2["id"], kid))
        self.assertEqual(self.use(key, kid, tok2, org2["id"]).json["error"]["rule"], "KEY-CERT-ORG")

    def test_a_database_administrator_with_a_copied_hash_signs_in_but_signs_nothing(self):
        # the DBA copies a known password's hash into the admin's row and signs in as the admin
        self.srv.sql("UPDATE users SET password_hash = (SELECT h FROM (SELECT password_hash AS h FROM users "
                     "WHERE id = %d) t) WHERE username = 'admin'" % self.user["id"])
        tok = self.srv.login("admin", "user-password-1")
        key = ec.generate_private_key(ec.SECP256R1())
        me = self.srv.request("GET", "/api/v1/me", token=tok).json
        code = self.srv.request("GET", "/api/v1/orgs/%d" % me["org_id"], token=tok).json["credit_code"]
        self.assertRule(self.register(issue_cert(key.public_key(), code, ca=make_ca()), key, tok), "KEY-CERT-CHAIN")

    def use(self, key, kid, token=None, org=None):
        """A use of the key: the pre-flight check of an envelope it signed."""
        import sys
        sys.path.insert(0, os.path.join(os.environ.get("GGZY_ROOT", "."), "docs", "tools"))
        import seal_envelope
        header = {"v": 1, "suite": "HPKE(DHKEM-P256-HKDF-SHA256,HKDF-SHA256,AES-256-GCM)+AES-256-GCM-64KiB+ECDSA-P256-SHA256",
                  "platform": "ggzy.test", "project_code": "110000-2026-GC-00001", "lot": 1,
                  "bidder_org_id": org or self.org["id"], "signer_key_id": kid, "revision": 1,
                  "bid_deadline_us": 1795312345678901, "opening_key_id": "ab" * 32, "chunk_size": 65536}
        opk = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
        env = seal_envelope.seal(header, opk, key, os.urandom(100))
        return self.srv.request("POST", "/api/v1/envelopes/check", raw=env, token=token or self.tok,
                                headers={"Content-Type": "application/octet-stream"})

    def anchors_entries(self):
        return int(self.srv.sql("SELECT COUNT(*) FROM audit_entries WHERE action = 'trust.anchors'")[0][0])

    def test_the_anchors_in_force_are_published_into_the_log_once_per_change(self):
        self.assertEqual(self.anchors_entries(), 1)  # at start-up
        self.srv.stop()
        self.srv.start()
        self.assertEqual(self.anchors_entries(), 1)  # unchanged: not published again
        self.srv.wait_sequenced()
        e = json.loads(self.srv.sql("SELECT entry FROM audit_entries WHERE action = 'trust.anchors'")[0][0])
        with open(os.path.join(TRUST, "bidder-ca.crt")) as f:
            der = x509.load_pem_x509_certificate(f.read().encode()).public_bytes(serialization.Encoding.DER)
        self.assertEqual(e["payload"]["anchors"]["sides"]["bidder"], [base64.b64encode(der).decode()])
        self.assertEqual(e["actor"], {"name": "system:trust-anchors", "role": "system"})
        self.assertNotIn("request_id", e)
        # an operator who adds a CA of their own is seen: the next start publishes it
        rogue, _ = make_ca()
        extra = os.path.join(self.srv.dir, "center-plus.crt")
        with open(os.path.join(TRUST, "center-ca.crt")) as f, open(extra, "w") as g:
            g.write(f.read() + rogue.public_bytes(serialization.Encoding.PEM).decode())
        with open(self.srv.conf_path, "a") as f:
            f.write("trust.center_ca = %s\n" % extra)
        self.srv.stop()
        self.srv.start()
        self.assertEqual(self.anchors_entries(), 2)
        self.srv.wait_sequenced()
        last = json.loads(self.srv.sql("SELECT entry FROM audit_entries WHERE action = 'trust.anchors' "
                                       "ORDER BY idx DESC LIMIT 1")[0][0])
        self.assertEqual(len(last["payload"]["anchors"]["sides"]["center"]), 2)

    def test_a_key_is_certified_with_the_development_ca_and_registered_with_ggzy(self):
        # what an outsider does from docs/operations.md: a key, a certificate from the side's
        # CA (certs/issue-dev-cert.sh in development), then `ggzy key register`
        import subprocess
        import tempfile
        from harness import ROOT, CA
        d = tempfile.mkdtemp(prefix="ggzy-keyreg-")
        key, cert = os.path.join(d, "key.pem"), os.path.join(d, "cert.pem")
        k = ec.generate_private_key(ec.SECP256R1())
        with open(key, "wb") as f:
            f.write(k.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()))
        p = subprocess.run(["bash", os.path.join(ROOT, "certs", "issue-dev-cert.sh"), "bidder",
                            self.org["credit_code"], key, cert, "某某建设有限公司"], capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        ggzy = os.environ.get("GGZY_CLI") or os.path.join(ROOT, "build", "debug", "ggzy")
        env = dict(os.environ, GGZY_SERVER="https://localhost:%d" % self.srv.port, GGZY_CA=CA, GGZY_TOKEN=self.tok)
        p = subprocess.run([ggzy, "key", "register", "--cert", cert, "--key", key, "--label", "签章"],
                           capture_output=True, text=True, env=env)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        spki = k.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        self.assertIn(hashlib.sha256(spki).hexdigest(), p.stdout)
        mine = self.srv.request("GET", "/api/v1/me/keys", token=self.tok).json["items"]
        self.assertEqual([(m["label"], m["certificate"]["credit_code"]) for m in mine], [("签章", self.org["credit_code"])])
        # a certificate for another organization is refused with its code, and ggzy says so
        p = subprocess.run(["bash", os.path.join(ROOT, "certs", "issue-dev-cert.sh"), "bidder",
                            "91110000MA0000001L", key, cert], capture_output=True, text=True)
        p = subprocess.run([ggzy, "key", "register", "--cert", cert, "--key", key], capture_output=True, text=True, env=env)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("KEY-CERT-ORG", p.stdout)
