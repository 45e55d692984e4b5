"""An outsider can seal a bid: docs/tools/seal_envelope.py, written from docs/envelope.md with
Python's `cryptography` alone, seals envelopes that ggzy's own code (`ggzy envelope open`)
verifies and opens; a wrong key, a tampered byte and a truncation are refused."""
import json
import os
import subprocess
import sys
import tempfile
import unittest

from harness import ROOT

GGZY = os.environ.get("GGZY_CLI") or os.path.join(ROOT, "build", "debug", "ggzy")
sys.path.insert(0, os.path.join(ROOT, "docs", "tools"))
import seal_envelope  # noqa: E402

from cryptography.hazmat.primitives import serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402


class EnvelopeInteropTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="ggzy-env-")
        self.opening = ec.generate_private_key(ec.SECP256R1())
        self.sk_hex = self.opening.private_numbers().private_value.to_bytes(32, "big").hex()
        self.pk = self.opening.public_key().public_bytes(serialization.Encoding.X962,
                                                         serialization.PublicFormat.UncompressedPoint)
        self.bidder = ec.generate_private_key(ec.SECP256R1())
        self.bidder_pem = os.path.join(self.dir, "bidder.pem")
        with open(self.bidder_pem, "wb") as f:
            f.write(self.bidder.public_key().public_bytes(serialization.Encoding.PEM,
                                                          serialization.PublicFormat.SubjectPublicKeyInfo))
        self.header = {"v": 1, "suite": "HPKE(DHKEM-P256-HKDF-SHA256,HKDF-SHA256,AES-256-GCM)"
                                        "+AES-256-GCM-64KiB+ECDSA-P256-SHA256",
                       "platform": "ggzy.test", "project_code": "110000-2026-GC-00007", "lot": 2,
                       "bidder_org_id": 9, "signer_key_id": "ab" * 32, "revision": 3,
                       "bid_deadline_us": 1795312345678901, "opening_key_id": "cd" * 8,
                       "chunk_size": 65536}

    def open(self, envelope, sk_hex=None, key=None):
        path = os.path.join(self.dir, "bid.env")
        with open(path, "wb") as f:
            f.write(envelope)
        out = os.path.join(self.dir, "plain")
        return subprocess.run([GGZY, "envelope", "open", "--file", path, "--opening-sk", sk_hex or self.sk_hex,
                               "--bidder-key", key or self.bidder_pem, "--out", out],
                              capture_output=True, text=True), out

    def test_a_python_sealed_bid_opens_in_ggzy(self):
        for size in (0, 50, 65536, 65536 * 2 + 3):
            plaintext = json.dumps({"price_fen": 987654321}).encode() + os.urandom(size)
            env = seal_envelope.seal(self.header, self.pk, self.bidder, plaintext)
            p, out = self.open(env)
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
            self.assertIn("signature: verified", p.stdout)
            with open(out, "rb") as f:
                self.assertEqual(f.read(), plaintext)
            header = json.loads(p.stdout.splitlines()[0][len("header: "):])
            self.assertEqual(header["project_code"], "110000-2026-GC-00007")

    def test_wrong_keys_tampering_and_truncation_are_refused(self):
        env = seal_envelope.seal(self.header, self.pk, self.bidder, b"x" * 70000)
        other = ec.generate_private_key(ec.SECP256R1()).private_numbers().private_value.to_bytes(32, "big").hex()
        self.assertEqual(self.open(env, sk_hex=other)[0].returncode, 1)
        bad = bytearray(env)
        bad[-100] ^= 1
        p, _ = self.open(bytes(bad))
        self.assertEqual(p.returncode, 1)
        self.assertIn("signature does not verify", p.stdout)
        p, _ = self.open(env[:-200] + env[-64:])
        self.assertEqual(p.returncode, 1)
        self.assertIn("FAILED", p.stdout)


if __name__ == "__main__":
    unittest.main()
