"""docs/tools/seal_envelope.py — an independent sealer for ggzy bid envelopes, written from
docs/envelope.md alone with Python's `cryptography` package (Debian: python3-cryptography), to
show that a third party can seal a valid bid without ggzy's code. tests/api/test_envelope_interop.py
seals with it and opens the result with `ggzy envelope open`.

usage: python3 seal_envelope.py HEADER.json OPENING_PUBKEY_HEX BIDDER_KEY.pem PLAINTEXT OUT
       python3 seal_envelope.py container SUMMARY.json PLAINTEXT_OUT [DOCUMENT ...]
Both refuse a number JSON cannot carry exactly: a fraction, or an integer outside ±(2^53−1).
"""
import hashlib
import hmac
import json
import os
import struct
import sys

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

CHUNK = 65536


MAX_EXACT = 2 ** 53 - 1  # I-JSON (RFC 7493 §2.2): every reader holds these integers exactly


def check_integers(obj, where="value"):
    """Refuse what canonical JSON cannot carry exactly: floats, and integers outside
    ±(2^53−1) (docs/envelope.md §4.1)."""
    if isinstance(obj, bool) or obj is None or isinstance(obj, str):
        return
    if isinstance(obj, float):
        raise ValueError("%s: numbers must be integers (no fractions, no exponents)" % where)
    if isinstance(obj, int):
        if abs(obj) > MAX_EXACT:
            raise ValueError("%s: %d is outside ±(2^53−1), the exact range of JSON integers" % (where, obj))
        return
    if isinstance(obj, dict):
        for k, v in obj.items():
            check_integers(v, k)
        return
    if isinstance(obj, list):
        for v in obj:
            check_integers(v, where)
        return
    raise ValueError("%s: not a JSON value" % where)


def canonical(obj):
    """docs/audit.md §1: sorted keys, no whitespace, integers only (within ±(2^53−1))."""
    check_integers(obj)
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def container(summary, docs):
    """docs/envelope.md §4.1: "GGZYBID1" | u32 S | summary | u32 N | N × (u16 L | name | u64 D |
    document). summary: a dict with price_fen (integer fen); docs: [(name, bytes)]."""
    price = summary.get("price_fen")
    if not isinstance(price, int) or isinstance(price, bool) or price < 0:
        raise ValueError("the summary needs price_fen, a non-negative integer number of fen")
    for k, v in summary.items():
        if not isinstance(v, (int, str)) or isinstance(v, bool):
            raise ValueError("summary member %s must be an integer or a string" % k)
    s = canonical(summary)
    if not 1 <= len(s) <= 16384:
        raise ValueError("the summary must be 1 to 16384 bytes")
    out = b"GGZYBID1" + struct.pack(">I", len(s)) + s + struct.pack(">I", len(docs))
    for name, data in docs:
        n = name.encode()
        out += struct.pack(">H", len(n)) + n + struct.pack(">Q", len(data)) + data
    return out


# --- HPKE (RFC 9180) base mode: DHKEM(P-256, HKDF-SHA256), HKDF-SHA256, AES-256-GCM ---

def extract(salt, ikm):
    return hmac.new(salt or b"\0" * 32, ikm, hashlib.sha256).digest()


def expand(prk, info, n):
    out, t, i = b"", b"", 1
    while len(out) < n:
        t = hmac.new(prk, t + info + bytes([i]), hashlib.sha256).digest()
        out += t
        i += 1
    return out[:n]


def labeled_extract(suite, salt, label, ikm):
    return extract(salt, b"HPKE-v1" + suite + label + ikm)


def labeled_expand(suite, prk, label, info, n):
    return expand(prk, struct.pack(">H", n) + b"HPKE-v1" + suite + label + info, n)


KEM = b"KEM" + struct.pack(">H", 0x0010)
HPKE = b"HPKE" + struct.pack(">HHH", 0x0010, 0x0001, 0x0002)


def hpke_seal(pk_r_bytes, info, pt):
    pk_r = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), pk_r_bytes)
    sk_e = ec.generate_private_key(ec.SECP256R1())
    enc = sk_e.public_key().public_bytes(serialization.Encoding.X962,
                                         serialization.PublicFormat.UncompressedPoint)
    dh = sk_e.exchange(ec.ECDH(), pk_r)
    eae = labeled_extract(KEM, b"", b"eae_prk", dh)
    shared = labeled_expand(KEM, eae, b"shared_secret", enc + pk_r_bytes, 32)
    ctx = b"\x00" + labeled_extract(HPKE, b"", b"psk_id_hash", b"") + \
        labeled_extract(HPKE, b"", b"info_hash", info)
    secret = labeled_extract(HPKE, shared, b"secret", b"")
    key = labeled_expand(HPKE, secret, b"key", ctx, 32)
    nonce = labeled_expand(HPKE, secret, b"base_nonce", ctx, 12)  # sequence 0
    return enc, AESGCM(key).encrypt(nonce, pt, b"")


def seal(header, opening_pk, bidder_key, plaintext):
    hdr = canonical(header)
    hh = hashlib.sha256(hdr).digest()
    content_key, salt = os.urandom(32), os.urandom(16)
    enc, wrapped = hpke_seal(opening_pk, b"ggzy-envelope-v1" + hh, content_key)

    def kdf(label):
        return HKDF(hashes.SHA256(), 32, salt, label + hh).derive(content_key)

    payload, commitment = kdf(b"ggzy-envelope-v1 payload"), kdf(b"ggzy-envelope-v1 commitment")
    out = b"GGZYENV1" + struct.pack(">I", len(hdr)) + hdr + enc + wrapped + salt + commitment
    out += struct.pack(">Q", len(plaintext))
    pieces = [plaintext[i:i + CHUNK] for i in range(0, len(plaintext), CHUNK)] or [b""]
    for i, piece in enumerate(pieces):
        nonce = i.to_bytes(11, "big") + (b"\x01" if i == len(pieces) - 1 else b"\x00")
        out += AESGCM(payload).encrypt(nonce, piece, hh)
    r, s = decode_dss_signature(bidder_key.sign(out, ec.ECDSA(hashes.SHA256())))
    return out + r.to_bytes(32, "big") + s.to_bytes(32, "big")


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "container":
        # python3 seal_envelope.py container SUMMARY.json OUT [DOC ...]: build the plaintext
        with open(sys.argv[2]) as f:
            summ = json.load(f)
        docs = []
        for path in sys.argv[4:]:
            with open(path, "rb") as f:
                docs.append((os.path.basename(path), f.read()))
        try:
            data = container(summ, docs)
        except ValueError as e:
            sys.exit("seal_envelope.py: %s" % e)
        with open(sys.argv[3], "wb") as f:
            f.write(data)
        sys.exit(0)
    header_path, pk_hex, key_path, pt_path, out_path = sys.argv[1:6]
    with open(header_path) as f:
        header = json.load(f)
    with open(key_path, "rb") as f:
        key = serialization.load_pem_private_key(f.read(), None)
    with open(pt_path, "rb") as f:
        plaintext = f.read()
    with open(out_path, "wb") as f:
        f.write(seal(header, bytes.fromhex(pk_hex), key, plaintext))
