"""An outsider can seal a bid: docs/tools/seal_envelope.py, written from docs/envelope.md with
Python's `cryptography` alone, seals envelopes that ggzy's own code (`ggzy envelope open`)
verifies and opens; a wrong key, a tampered byte and a truncation are refused. And the other
way: a bid sealed with `ggzy bid seal` carries a signature Python verifies from the spec, and
opens back into the same summary and documents."""
import hashlib
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

from cryptography.hazmat.primitives import hashes  # noqa: E402
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature  # noqa: E402

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

    def seal_with_ggzy(self, summary, docs):
        key = os.path.join(self.dir, "bidder.key")
        with open(key, "wb") as f:
            f.write(self.bidder.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                              serialization.NoEncryption()))
        binding = os.path.join(self.dir, "lot.json")
        with open(binding, "w") as f:
            json.dump({k: self.header[k] for k in ("platform", "project_code", "lot", "bidder_org_id",
                                                     "revision", "bid_deadline_us", "opening_key_id")}
                      | {"opening_pk": self.pk.hex()}, f)
        spath = os.path.join(self.dir, "summary.json")
        with open(spath, "w") as f:
            f.write(summary + "\n")
        args = [GGZY, "bid", "seal", "--binding", binding, "--summary", spath, "--key", key,
                "--out", os.path.join(self.dir, "sealed.env")]
        for name, data in docs.items():
            path = os.path.join(self.dir, name)
            with open(path, "wb") as f:
                f.write(data)
            args += ["--doc", path]
        return subprocess.run(args, capture_output=True, text=True)

    def test_a_bid_sealed_by_ggzy_verifies_in_python_and_opens_into_its_documents(self):
        docs = {"技术标.pdf": os.urandom(150000), "报价单.txt": "总价 1,234,567.89 元".encode()}
        summary = '{"duration_days":365,"price_fen":123456789}'
        p = self.seal_with_ggzy(summary, docs)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        with open(os.path.join(self.dir, "sealed.env"), "rb") as f:
            env = f.read()
        # the signature, checked from docs/envelope.md §5 with Python alone
        sig = env[-64:]
        self.bidder.public_key().verify(
            encode_dss_signature(int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big")),
            env[:-64], ec.ECDSA(hashes.SHA256()))
        hlen = int.from_bytes(env[8:12], "big")
        header = json.loads(env[12:12 + hlen])
        spki = self.bidder.public_key().public_bytes(serialization.Encoding.DER,
                                                     serialization.PublicFormat.SubjectPublicKeyInfo)
        self.assertEqual(header["signer_key_id"], hashlib.sha256(spki).hexdigest())
        self.assertEqual(header["lot"], 2)
        outdir = os.path.join(self.dir, "opened")
        os.mkdir(outdir)
        path = os.path.join(self.dir, "sealed.env")
        o = subprocess.run([GGZY, "envelope", "open", "--file", path, "--opening-sk", self.sk_hex,
                            "--bidder-key", self.bidder_pem, "--out-dir", outdir], capture_output=True, text=True)
        self.assertEqual(o.returncode, 0, o.stdout + o.stderr)
        self.assertIn("summary: " + summary, o.stdout)
        for name, data in docs.items():
            with open(os.path.join(outdir, name), "rb") as f:
                self.assertEqual(f.read(), data)

    def test_ggzy_refuses_to_seal_a_summary_without_integer_fen(self):
        for summary in ('{"price_fen":1.5}', '{"price_fen": 100}', '{"price":"100"}'):
            p = self.seal_with_ggzy(summary, {"a.txt": b"x"})
            self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
            self.assertIn("REFUSED", p.stdout)
            self.assertFalse(os.path.exists(os.path.join(self.dir, "sealed.env")))


if __name__ == "__main__":
    unittest.main()


class OpensslCommandLineTest(unittest.TestCase):
    """docs/envelope.md §11: the openssl command line does every step of the envelope but AES-GCM
    (its `enc` refuses AEAD ciphers). Run on the published test vector: `openssl pkeyutl
    -derive` and `openssl kdf HKDF` rebuild the HPKE key schedule and the key commitment, and
    `openssl dgst -verify` checks the signature; only the GCM steps are done here in Python, to
    show the keys the command line derived are the right ones."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="ggzy-openssl-")
        with open(os.path.join(ROOT, "tests", "vectors", "envelope", "v1.json")) as f:
            self.v = json.load(f)
        self.env = bytes.fromhex(self.v["envelope_hex"])

    def file(self, name, data):
        path = os.path.join(self.dir, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def openssl(self, *args):
        p = subprocess.run(["openssl"] + list(args), capture_output=True)
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        return p.stdout

    def hkdf(self, mode, key, n=32, salt=None, info=b""):
        """openssl kdf HKDF in one mode; no salt means HashLen zero bytes, as RFC 5869 says."""
        args = ["kdf", "-keylen", str(n), "-kdfopt", "digest:SHA256", "-kdfopt", "mode:" + mode,
                "-kdfopt", "hexkey:" + key.hex()]
        if salt:
            args += ["-kdfopt", "hexsalt:" + salt.hex()]
        if info:
            args += ["-kdfopt", "hexinfo:" + info.hex()]
        return bytes.fromhex(self.openssl(*args, "HKDF").decode().strip().replace(":", ""))

    def test_the_openssl_command_line_rebuilds_every_key_and_checks_the_signature(self):
        import struct
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM
        env = self.env
        h = int.from_bytes(env[8:12], "big")
        header = env[12:12 + h]
        hh = hashlib.sha256(header).digest()
        o = 12 + h
        enc, wrapped, nonce, commitment = env[o:o + 65], env[o + 65:o + 113], env[o + 113:o + 129], env[o + 129:o + 161]
        content_key = bytes(range(32))  # the vector's fixed content key
        # the key commitment (§4): HKDF-SHA256 in one command
        got = self.hkdf("EXTRACT_AND_EXPAND", content_key, salt=nonce, info=b"ggzy-envelope-v1 commitment" + hh)
        self.assertEqual(got, commitment)
        # HPKE (§3): the opening key as PKCS#8 DER, enc as SubjectPublicKeyInfo DER, then ECDH
        sk = bytes.fromhex(self.v["opening_sk_hex"])
        p256 = bytes.fromhex("301306072a8648ce3d020106082a8648ce3d030107")
        skp = self.file("opening.der", bytes.fromhex("3041020100") + p256 + bytes.fromhex("042730250201010420") + sk)
        pkr = self.openssl("pkey", "-in", skp, "-inform", "DER", "-pubout", "-outform", "DER")[-65:]
        peer = self.file("enc.der", bytes.fromhex("3059") + p256 + bytes.fromhex("034200") + enc)
        dh = self.openssl("pkeyutl", "-derive", "-inkey", skp, "-keyform", "DER", "-peerkey", peer, "-peerform", "DER")
        self.assertEqual(len(dh), 32)
        kem = b"KEM" + struct.pack(">H", 0x10)
        suite = b"HPKE" + struct.pack(">HHH", 0x10, 1, 2)

        def extract(sid, salt, label, ikm):
            return self.hkdf("EXTRACT_ONLY", b"HPKE-v1" + sid + label + ikm, salt=salt)

        def expand(sid, prk, label, info, n):
            return self.hkdf("EXPAND_ONLY", prk, n=n, info=struct.pack(">H", n) + b"HPKE-v1" + sid + label + info)

        shared = expand(kem, extract(kem, None, b"eae_prk", dh), b"shared_secret", enc + pkr, 32)
        ctx = b"\x00" + extract(suite, None, b"psk_id_hash", b"") + \
            extract(suite, None, b"info_hash", b"ggzy-envelope-v1" + hh)
        secret = extract(suite, shared, b"secret", b"")
        key, base_nonce = expand(suite, secret, b"key", ctx, 32), expand(suite, secret, b"base_nonce", ctx, 12)
        # the one step openssl's command line cannot do: AES-GCM (here with Python)
        self.assertEqual(AESGCM(key).decrypt(base_nonce, wrapped, b""), content_key)
        # the signature (§5): raw r‖s to DER, then openssl dgst -verify with the bidder's key
        sig = encode_dss_signature(int.from_bytes(env[-64:-32], "big"), int.from_bytes(env[-32:], "big"))
        pub = self.file("bidder.der", bytes.fromhex(self.v["bidder_spki_hex"]))
        args = ["dgst", "-sha256", "-keyform", "DER", "-verify", pub, "-signature", self.file("sig.der", sig),
                self.file("unsigned", env[:-64])]
        self.assertIn(b"Verified OK", self.openssl(*args))
        self.file("unsigned", env[:-65] + bytes([env[-65] ^ 1]))  # one flipped byte
        self.assertNotEqual(subprocess.run(["openssl"] + args, capture_output=True).returncode, 0)
