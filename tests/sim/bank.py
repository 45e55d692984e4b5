#!/usr/bin/env python3
"""The simulated bank (docs/deposits.md §5, §8): the center's bank as a separate process, speaking
the protocol a real bank's gateway would, never a mock inside ggzyd.

It holds its own P-256 key, certified under the development finance CA (the platform is
configured with that certificate: deposits.bank_cert), and:

- posts a signed notice to POST /api/v1/deposits/bank/notices for every payment order dropped
  into its spool directory (ORDER.json: {"bank_txn", "account", "amount_fen", "payer_account",
  "payer_name", "instrument", "value_us"?}), writing the platform's answer next to it
  (ORDER.result.json: {"status", "body"}); an order with "resend": n posts the same notice n times
  (a bank retrying), each answer in the result's "answers";
- watches the platform's payment instructions directory (deposits.instructions_dir): each
  refund-<id>.json is checked — the platform's Ed25519 signature over
  "ggzy-refund-instruction-v1\\n" canonical(instruction), with the verifier key the bank was
  given (--vkey), never the one in the file — and, by the mode in force (the file MODE in the
  spool: "pay" (default), "fail" or "hold"), paid (a refund_paid notice), refused (a refund_failed
  notice) or left unpaid. Each handled instruction is logged in the spool's instructions.jsonl.

The bank dates its notices by the platform's clock (GET /healthz now_us), which test mode moves;
a real bank dates them by its own. Stop it with SIGTERM.

    bank.py --url https://localhost:PORT --ca CA.crt --key bank.key --cert bank.crt
            --platform ggzy.test --vkey VKEY --spool DIR --instructions DIR
"""
import argparse
import base64
import glob
import http.client
import json
import os
import signal
import ssl
import sys
import time
import urllib.parse

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

NOTICE_DOMAIN = b"ggzy-bank-notice-v1"
INSTRUCTION_DOMAIN = b"ggzy-refund-instruction-v1"


def canonical(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


class Bank:
    def __init__(self, a):
        u = urllib.parse.urlparse(a.url)
        self.host, self.port = u.hostname, u.port or 443
        self.ctx = ssl.create_default_context(cafile=a.ca)
        with open(a.key, "rb") as f:
            self.key = serialization.load_pem_private_key(f.read(), None)
        self.platform = a.platform
        raw = base64.b64decode(a.vkey.split("+", 2)[2])
        if raw[0] != 1 or len(raw) != 33:
            sys.exit("bank: --vkey is not an Ed25519 signed-note verifier key")
        self.platform_key = ed25519.Ed25519PublicKey.from_public_bytes(raw[1:])
        self.spool, self.instructions = a.spool, a.instructions
        self.done = set()
        self.seq = 0

    def request(self, method, path, body=None):
        c = http.client.HTTPSConnection(self.host, self.port, context=self.ctx, timeout=30)
        try:
            data = json.dumps(body).encode() if body is not None else None
            c.request(method, path, body=data, headers={"Content-Type": "application/json"} if data else {})
            r = c.getresponse()
            text = r.read().decode()
            return r.status, json.loads(text) if text else {}
        finally:
            c.close()

    def now(self):
        return self.request("GET", "/healthz")[1]["now_us"]

    def sign(self, notice):
        r, s = decode_dss_signature(self.key.sign(NOTICE_DOMAIN + b"\n" + canonical(notice),
                                                  ec.ECDSA(hashes.SHA256())))
        return base64.b64encode(r.to_bytes(32, "big") + s.to_bytes(32, "big")).decode()

    def notify(self, fields):
        """Sign and post one notice: (status, body)."""
        n = dict(fields, platform=self.platform, signed_us=self.now())
        n.setdefault("value_us", n["signed_us"])
        return self.request("POST", "/api/v1/deposits/bank/notices", {"notice": n, "signature": self.sign(n)})

    def mode(self):
        try:
            with open(os.path.join(self.spool, "MODE")) as f:
                return f.read().strip() or "pay"
        except FileNotFoundError:
            return "pay"

    def orders(self):
        for path in sorted(glob.glob(os.path.join(self.spool, "*.order.json"))):
            res = path[:-len(".order.json")] + ".result.json"
            if os.path.exists(res):
                continue
            try:
                with open(path) as f:
                    order = json.load(f)
            except ValueError:  # still being written by a careless client: the next round
                continue
            n = {k: order[k] for k in ("bank_txn", "account", "amount_fen", "payer_account", "payer_name",
                                       "instrument", "value_us") if k in order}
            n.setdefault("kind", "arrival")
            n.setdefault("value_us", self.now())  # one movement: a resend keeps its value date
            answers = [self.notify(n) for _ in range(order.get("resend", 1))]
            write(res, {"status": answers[0][0], "body": answers[0][1], "answers": [list(x) for x in answers]})

    def refunds(self):
        mode = self.mode()
        for path in sorted(glob.glob(os.path.join(self.instructions, "refund-*.json"))):
            if path in self.done or mode == "hold":
                continue
            with open(path) as f:
                doc = json.load(f)
            ins, ok = doc["instruction"], True
            try:
                self.platform_key.verify(base64.b64decode(doc["signature"]),
                                         INSTRUCTION_DOMAIN + b"\n" + canonical(ins))
            except Exception:
                ok = False
            if not ok or ins.get("platform") != self.platform:
                log = {"refund_id": ins.get("refund_id"), "refused": "the platform's signature does not verify"}
            else:
                self.seq += 1
                kind = "refund_failed" if mode == "fail" else "refund_paid"
                st, body = self.notify({"bank_txn": "RF%d-%d-%s" % (ins["refund_id"], self.seq, kind),
                                        "kind": kind, "account": ins["to_account"],
                                        "amount_fen": ins["amount_fen"], "refund_id": ins["refund_id"]})
                log = {"refund_id": ins["refund_id"], "kind": kind, "status": st, "body": body}
            self.done.add(path)
            with open(os.path.join(self.spool, "instructions.jsonl"), "a") as f:
                f.write(json.dumps(log, ensure_ascii=False) + "\n")


def write(path, obj):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(obj, f, ensure_ascii=False)
    os.rename(tmp, path)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    for k in ("url", "ca", "key", "cert", "platform", "vkey", "spool", "instructions"):
        p.add_argument("--" + k, required=True)
    a = p.parse_args()
    bank = Bank(a)
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    write(os.path.join(a.spool, "READY"), {"pid": os.getpid()})
    while not stop:
        try:
            bank.orders()
            bank.refunds()
        except (OSError, http.client.HTTPException) as e:
            print("bank: %s" % e, file=sys.stderr)
        time.sleep(0.05)


if __name__ == "__main__":
    main()
