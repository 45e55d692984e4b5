"""The bidder's page (web/bid.html, web/seal.js, web/bid.js) in a real browser: Chromium, driven
through chromedriver, signs in, loads the lot, seals a bid with WebCrypto from files picked on
disk and submits it to ggzyd over HTTPS against the real database. What the browser sealed must
be received, verified by `ggzy receipt verify`, opened at the ceremony with its summary and
documents intact, and pass `ggzy opening verify`; the browser sealer must also reproduce the
published test vector (tests/vectors/envelope/v1.json) byte for byte. Refusals — a bad
password, an unregistered key, a key in the wrong form, a price with fractions of a fen, a late
bid — are shown with their code and rule, and store nothing."""
import hashlib
import json
import os
import subprocess

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from harness import ROOT
from test_opening import GGZY, Ceremony
from webdriver import Browser

DONE = "['done','refused'].includes(document.getElementById('status').dataset.state)"


class BidPageTest(Ceremony):
    def setUp(self):
        super().setUp()
        self.browser = Browser()
        self.addCleanup(self.browser.close)

    def pem(self, key, name, fmt=serialization.PrivateFormat.PKCS8):
        path = os.path.join(self.tmp, name)
        with open(path, "wb") as f:
            f.write(key.private_bytes(serialization.Encoding.PEM, fmt, serialization.NoEncryption()))
        return path

    def sign_in(self, b, password="user-password-1"):
        br = self.browser
        br.get("https://localhost:%d/bid.html" % self.srv.port)
        br.type("#username", b["username"])
        br.type("#password", password)
        br.click("#login")
        br.wait_for("document.getElementById('who').dataset.state !== 'busy' && "
                    "document.getElementById('who').dataset.state !== 'out'")
        return br.script("return document.getElementById('who').dataset.state;")

    def load(self, lot=1):
        br = self.browser
        br.type("#project", str(self.pid))
        br.type("#lot", str(lot))
        br.script("document.getElementById('status').dataset.state = 'busy';")
        br.click("#load")
        br.wait_for("!document.getElementById('binding').hidden || "
                    "document.getElementById('status').dataset.state === 'refused'")

    def seal_in_browser(self, price, days, docs, key_path):
        br = self.browser
        br.type("#price", price)
        br.type("#duration", days)
        if docs:
            br.files("#docs", docs)
        if key_path:
            br.files("#key", [key_path])
        br.click("#seal")
        br.wait_for(DONE, timeout=120)
        return (br.script("return document.getElementById('status').dataset.state;"),
                br.text("#status"))

    def test_a_bid_sealed_in_the_browser_is_received_opened_and_verified(self):
        b = self.bidders[0]
        docs = {"技术标.pdf": b"%PDF-1.7 " + os.urandom(200000),  # four 64 KiB chunks
                "报价单.xlsx": b"PK\x03\x04" + os.urandom(1000)}
        paths = []
        for name, data in docs.items():
            paths.append(os.path.join(self.tmp, name))
            with open(paths[-1], "wb") as f:
                f.write(data)
        self.assertEqual(self.sign_in(b), "in")
        self.load()
        self.assertIn(self.code, self.browser.text("#b-project"))
        self.assertIn("已核对 the opening key and the deadline are those signed in announcements %d and %d"
                      % (self.ann, self.ann), self.browser.text("#b-checked"))
        state, text = self.seal_in_browser("1234567.89", "365", paths, self.pem(b["key"], "bidder.pem"))
        self.assertEqual(state, "done", text)
        self.assertIn("有效 valid", self.browser.text("#r-sig"))  # Ed25519 checked in the page
        answer = json.loads(self.browser.script("return document.getElementById('receipt-json').textContent;"))
        receipt = json.loads(answer["receipt"])
        # the platform stored exactly what the page sealed, and its receipt verifies down to the log
        mine = self.srv.request("GET", "/api/v1/projects/%d/lots/1/bids/mine" % self.pid, token=b["tok"]).json
        self.assertEqual([x["id"] for x in mine["items"]], [answer["bid_id"]])
        env = self.srv.request("GET", "/api/v1/bids/%d/envelope" % answer["bid_id"], token=b["tok"]).raw
        self.assertEqual(hashlib.sha256(env).hexdigest(), receipt["envelope_sha256"])
        self.assertEqual(self.browser.text("#r-sha"), receipt["envelope_sha256"])
        envp, _ = self.receipt_verifies(b, answer, env)
        # two more bids (Python's sealer), then the ceremony opens the browser's bid like any other
        for i, other in enumerate(self.bidders[1:3]):
            self.assertEqual(self.submit(other, self.seal(other, price=200000000 + i))[0], 201)
        self.clock(self.deadline)
        self.assertEqual(self.start_req(self.admin, lot=1).status, 200)
        for i in (0, 1):
            p = self.share(i)
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        rec = self.srv.request("GET", "/api/v1/projects/%d/lots/1/opening" % self.pid).json
        self.assertEqual(rec["state"], "opened", rec)
        op = next(x for x in rec["records"] if x["id"] == answer["bid_id"])["opening"]
        self.assertEqual((op["status"], op["price_fen"]), ("opened", 123456789), op)
        self.assertEqual(op["summary"], {"duration_days": 365, "price_fen": 123456789})
        p = self.ggzy("opening", "verify", "--project", str(self.pid), "--lot", "1", token=self.sup_tok)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("opening verified: 3 envelopes", p.stdout)
        # the documents inside are the files picked in the browser, byte for byte
        pub = os.path.join(self.tmp, "bidder_pub.pem")
        with open(pub, "wb") as f:
            f.write(b["key"].public_key().public_bytes(serialization.Encoding.PEM,
                                                       serialization.PublicFormat.SubjectPublicKeyInfo))
        out = os.path.join(self.tmp, "opened")
        os.mkdir(out)
        o = subprocess.run([GGZY, "envelope", "open", "--file", envp, "--opening-sk", rec["private_key"],
                            "--bidder-key", pub, "--out-dir", out], capture_output=True, text=True)
        self.assertEqual(o.returncode, 0, o.stdout + o.stderr)
        for name, data in docs.items():
            with open(os.path.join(out, name), "rb") as f:
                self.assertEqual(f.read(), data, name)

    def test_the_page_shows_each_refusal_with_its_rule_and_stores_nothing(self):
        b = self.bidders[0]
        self.assertEqual(self.sign_in(b, password="wrong-password"), "refused")
        self.assertIn("HTTP 401 bad_credentials", self.browser.text("#who"))
        self.assertEqual(self.sign_in(b), "in")
        # a binding whose opening key is not the published one: the page will not seal to it
        with self.another_opening_key(self.pid, 1):
            self.load()
            self.assertTrue(self.browser.script("return document.getElementById('binding').hidden;"))
            self.assertIn("is not the one announcement %d published" % self.ann, self.browser.text("#status"))
        self.load()
        self.assertFalse(self.browser.script("return document.getElementById('binding').hidden;"))
        doc = os.path.join(self.tmp, "doc.pdf")
        with open(doc, "wb") as f:
            f.write(b"%PDF-1.7 bid")
        # a price with fractions of a fen never leaves the page
        state, text = self.seal_in_browser("12.345", "30", [doc], self.pem(b["key"], "k.pem"))
        self.assertEqual(state, "refused")
        self.assertIn("at most two decimals", text)
        # a key in SEC1 form: the page says how to convert it
        state, text = self.seal_in_browser("12.34", "30", [],
                                           self.pem(b["key"], "sec1.pem", serialization.PrivateFormat.TraditionalOpenSSL))
        self.assertEqual(state, "refused")
        self.assertIn("openssl pkcs8 -topk8", text)
        # a key the bidder never registered: the platform refuses the signature's key
        stranger = self.pem(ec.generate_private_key(ec.SECP256R1()), "stranger.pem")
        state, text = self.seal_in_browser("12.34", "30", [], stranger)
        self.assertEqual(state, "refused")
        self.assertIn("BID-SIGNER-KEY", text)
        # after the deadline: refused with its rule
        self.clock(self.deadline + 1)
        state, text = self.seal_in_browser("12.34", "30", [], self.pem(b["key"], "k2.pem"))
        self.assertEqual(state, "refused")
        self.assertIn("BID-DEADLINE", text)
        self.assertEqual(self.count("SELECT COUNT(*) FROM bids"), 0)
        self.assertEqual(self.count("SELECT COUNT(*) FROM audit_entries WHERE action = 'bid.receive'"), 0)

    def test_the_browser_sealer_reproduces_the_published_test_vector(self):
        with open(os.path.join(ROOT, "tests", "vectors", "envelope", "v1.json")) as f:
            v = json.load(f)
        env = bytes.fromhex(v["envelope_hex"])
        hlen = int.from_bytes(env[8:12], "big")
        header = json.loads(env[12:12 + hlen])
        self.browser.get("https://localhost:%d/bid.html" % self.srv.port)
        got = self.browser.script_async("""
            const [header, ikm, pt, done] = arguments;
            (async () => {
              const S = GGZYSeal, range = (a, n) => Uint8Array.from({length: n}, (_, i) => a + i);
              const opening = await S.deriveKeyPair(S.unhex(ikm));
              const pk = new Uint8Array(await crypto.subtle.exportKey("raw", opening.publicKey));
              const ephemeral = await S.deriveKeyPair(range(0x40, 32));
              const out = await S.seal(header, pk, null, new TextEncoder().encode(pt),
                                       {contentKey: range(0, 32), nonce: range(0xa0, 16), ephemeral});
              done({hex: S.hex(out), sha: S.hex(await S.sha256(out))});
            })().catch((e) => done({error: String(e)}));""", header, v["opening_ikm_hex"], v["plaintext"])
        self.assertNotIn("error", got, got)
        self.assertEqual(got["sha"], v["unsigned_sha256"])
        self.assertEqual(got["hex"], env[:-64].hex())  # every byte but the (randomized) signature

    def test_the_pages_chinese_text_is_drawn_with_real_glyphs_not_empty_boxes(self):
        # Without a CJK font every Chinese character falls back to the same "missing glyph" box:
        # drawn on a canvas in the page's own font, 投 and 标 would then give identical pixels,
        # equal to those of an unassigned code point.
        self.browser.get("https://localhost:%d/bid.html" % self.srv.port)
        got = self.browser.script("""
            const font = getComputedStyle(document.querySelector('h1')).font;
            const draw = (s) => { const c = document.createElement('canvas');
              c.width = 64; c.height = 64; const g = c.getContext('2d');
              g.font = font.replace(/\\d+(\\.\\d+)?px/, '40px'); g.fillText(s, 4, 48);
              return Array.from(g.getImageData(0, 0, 64, 64).data).join(','); };
            const a = draw('投'), b = draw('标'), missing = draw('\\u{10FFFD}');
            return {same: a === b, missing: a === missing, blank: !/[1-9]/.test(a)};""")
        self.assertEqual(got, {"same": False, "missing": False, "blank": False})

    def test_a_bidder_replaces_and_withdraws_a_bid_from_the_page(self):
        b = self.bidders[0]
        key = self.pem(b["key"], "bidder.pem")
        self.assertEqual(self.sign_in(b), "in")
        self.load()
        self.assertTrue(self.browser.script("return document.getElementById('mine-section').hidden;"))
        for price in ("100.00", "99.50"):  # the second is revision 2: it supersedes the first
            state, text = self.seal_in_browser(price, "30", [], key)
            self.assertEqual(state, "done", text)
        rows = lambda: self.browser.script(  # noqa: E731
            "return [...document.querySelectorAll('#mine tbody tr')].map(r => r.dataset.state);")
        self.assertEqual(rows(), ["current", "superseded"])
        self.browser.click("#withdraw")
        self.browser.wait_for("document.querySelector('#mine tbody tr').dataset.state === 'withdrawn'")
        self.assertIn("已撤回 withdrawn", self.browser.text("#status"))
        self.assertTrue(self.browser.script("return document.getElementById('withdraw').hidden;"))
        self.assertEqual(rows(), ["withdrawn", "superseded"])
        self.assertEqual(self.srv.sql("SELECT revision, state FROM bids ORDER BY revision"),
                         [["1", "superseded"], ["2", "withdrawn"]])
        self.srv.wait_sequenced()
        self.assertEqual(self.count("SELECT COUNT(*) FROM audit_entries WHERE action = 'bid.withdraw'"), 1)
