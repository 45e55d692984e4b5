"""The live opening record page (web/opening.html) in a real browser: headless Chromium loads it
from ggzyd over HTTPS, runs its script against the real API and the page's DOM is checked —
before the opening, after a complete ceremony (names, prices in yuan, the rejected envelope
and its legal class, the objection and its answer, the published key) and for a failed lot.
Nothing from the server is parsed as HTML: a bidder name with markup shows as text."""
import os
import re
import time
import shutil
import subprocess
import tempfile

from test_opening import Ceremony

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


class OpeningPageTest(Ceremony):
    def page(self, lot=1, wait_ms=6000):
        """The page's DOM once its script has run (a fresh browser profile per load)."""
        self.assertIsNotNone(CHROMIUM, "chromium is not installed (scripts/dev installs it)")
        profile = tempfile.mkdtemp(prefix="ggzy-chromium-")
        try:
            p = subprocess.run(
                [CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--user-data-dir=" + profile,
                 "--ignore-certificate-errors",  # the test CA is not in the browser's store
                 "--virtual-time-budget=%d" % wait_ms, "--dump-dom",
                 "https://localhost:%d/opening.html?project=%d&lot=%d" % (self.srv.port, self.pid, lot)],
                capture_output=True, text=True, timeout=120)
        finally:
            shutil.rmtree(profile, ignore_errors=True)
        self.assertIn("</html>", p.stdout, p.stderr[-2000:])
        return p.stdout

    @staticmethod
    def state(dom):
        return re.search(r'id="state" data-state="([a-z_]+)"', dom).group(1)

    def test_the_page_shows_an_opening_as_the_record_has_it(self):
        self.assertEqual(self.state(self.page()), "not_started")
        # a bidder whose organization's name carries markup
        self.srv.sql("UPDATE organizations SET name = '<b>某某建设</b>公司' WHERE id = %d" % self.bidders[0]["org"])
        for i, b in enumerate(self.bidders[:3]):
            status, j = self.submit(b, self.seal(b, price=123456789 + i))
            self.assertEqual(status, 201, j)
        bad = self.bidders[3]
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        other = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
        self.assertEqual(self.submit(bad, self.seal(bad, opening_pk=other))[0], 201)
        self.clock(self.deadline)
        self.assertEqual(self.start_req(self.admin, lot=1).status, 200)
        dom = self.page()
        self.assertEqual(self.state(dom), "awaiting_shares")
        self.assertIn("Shares: 0 / 2", dom)
        r = self.srv.request("POST", "/api/v1/projects/%d/lots/1/opening/objections" % self.pid,
                             {"text": "请核对递交时间"}, token=self.bidders[1]["tok"])
        self.assertEqual(r.status, 201, r)
        for i in (0, 2):
            p = self.share(i)
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        rec = self.srv.request("GET", "/api/v1/projects/%d/lots/1/opening" % self.pid).json
        dom = self.page()
        self.assertEqual(self.state(dom), "opened")
        self.assertIn("Envelopes: 4 / 4 opened", dom)
        for i in range(3):
            self.assertIn("{:,}.{:02d}".format((123456789 + i) // 100, (123456789 + i) % 100), dom)
        self.assertIn("撤销 revoked", dom)
        self.assertIn("&lt;b&gt;某某建设&lt;/b&gt;公司", dom)  # shown as text, never as markup
        self.assertNotIn("<b>某某建设</b>", dom)
        self.assertIn("请核对递交时间 — 待答复", dom)
        self.assertIn(rec["private_key"], dom)
        self.assertEqual(len(re.findall(r'<tr data-status="opened">', dom)), 3)
        self.assertEqual(len(re.findall(r'<tr data-status="rejected">', dom)), 1)

    def test_a_failed_lot_shows_why(self):
        self.clock(self.deadline + 1)
        self.assertEqual(self.start_req(self.agent_tok, lot=2).status, 200)
        dom = self.page(lot=2)
        self.assertEqual(self.state(dom), "failed")
        self.assertIn("R-MIN-BIDS", dom)
        self.assertRegex(dom, r'<section id="key" hidden')  # no key: nothing was opened

    def test_a_bidder_objects_on_the_page_and_the_agent_answers_there(self):
        from webdriver import Browser
        for b in self.bidders[:3]:
            self.assertEqual(self.submit(b, self.seal(b))[0], 201)
        self.clock(self.deadline)
        self.assertEqual(self.start_req(self.admin, lot=1).status, 200)
        url = "https://localhost:%d/opening.html?project=%d&lot=1" % (self.srv.port, self.pid)
        said = "['done','refused'].includes(document.getElementById('o-status').dataset.state)"

        def sign_in(br, username):
            br.get(url)  # a fresh page: signed out
            br.wait_for("document.getElementById('state').dataset.state === 'awaiting_shares'")
            # the page follows the record's change feed: it reads the record when told, never
            # on a timer (an idle opening costs no request)
            reads = ("return performance.getEntriesByType('resource').filter("
                     "(e) => e.name.endsWith('/lots/1/opening')).length;")
            first = br.script(reads)
            time.sleep(3)
            self.assertEqual(br.script(reads), first)
            br.type("#username", username)
            br.type("#password", "user-password-1")
            br.click("#login")
            # 'in', not merely 'not out': while the sign-in is in flight the state is 'busy'
            br.wait_for("document.getElementById('who').dataset.state === 'in'")

        def send(br, button):
            br.script("document.getElementById('o-status').dataset.state = 'busy';")
            br.click(button)
            br.wait_for(said)
            return br.script("return document.getElementById('o-status').dataset.state;"), br.text("#o-status")

        with Browser() as br:
            # a bidder without a bid in this lot may not object
            sign_in(br, self.bidders[3]["username"])
            self.assertTrue(br.script("return document.getElementById('o-answer-form').hidden;"))
            br.type("#o-text", "我也有异议")
            state, text = send(br, "#o-send")
            self.assertEqual(state, "refused")
            self.assertIn("HTTP 403 forbidden", text)
            # a bidder of the lot objects; markup in the text stays text
            sign_in(br, self.bidders[0]["username"])
            br.type("#o-text", "递交时间有误<img src=x onerror=alert(1)>")
            state, text = send(br, "#o-send")
            self.assertEqual(state, "done", text)
            oid = int(text.rsplit("#", 1)[1])
            li = "#objections li[data-id='%d']" % oid
            br.wait_for("document.querySelector(\"%s\") !== null" % li)  # the list follows the record
            self.assertIn("递交时间有误<img src=x onerror=alert(1)> — 待答复", br.text(li))
            self.assertEqual(br.script("return document.querySelectorAll('#objections img').length;"), 0)
            # the agent answers it by its number
            sign_in(br, self.agent["username"])
            self.assertTrue(br.script("return document.getElementById('o-object-form').hidden;"))
            br.type("#a-oid", str(oid))
            br.type("#a-text", "已核对，递交时间以回执为准")
            state, text = send(br, "#a-send")
            self.assertEqual(state, "done", text)
            self.assertIn("答复 answer: 已核对，递交时间以回执为准", br.text(li))
            # answering twice is refused
            br.type("#a-oid", str(oid))
            br.type("#a-text", "再答一次")
            state, text = send(br, "#a-send")
            self.assertEqual(state, "refused")
            self.assertIn("HTTP 404", text)
        rec = self.srv.request("GET", "/api/v1/projects/%d/lots/1/opening" % self.pid).json
        self.assertEqual([(o["id"], o["answer"]) for o in rec["objections"]], [(oid, "已核对，递交时间以回执为准")])
        self.srv.wait_sequenced()
        actions = [a for (a,) in self.srv.sql("SELECT action FROM audit_entries WHERE action LIKE 'opening.%' ORDER BY idx")]
        self.assertEqual(actions, ["opening.start", "opening.objection", "opening.answer"])


class CustodianPageTest(Ceremony):
    """web/custodian.html in Chromium: the agent starts the opening and hands in their share,
    opened in the browser with their key file; the center's share, handed in the same way,
    opens every envelope. Before the opening time both are refused with their rule; a key file
    the share is not sealed to is caught in the page."""

    def test_the_custodians_run_the_opening_from_the_browser(self):
        from harness import ADMIN_PASSWORD
        from webdriver import Browser
        for i, b in enumerate(self.bidders[:3]):
            self.assertEqual(self.submit(b, self.seal(b, price=500000 + i))[0], 201)
        url = "https://localhost:%d/custodian.html" % self.srv.port
        done = "['done','refused','idle'].includes(document.getElementById('status').dataset.state)"

        def sign_in_and_load(br, username, password="user-password-1"):
            br.get(url)
            br.type("#username", username)
            br.type("#password", password)
            br.click("#login")
            br.wait_for("document.getElementById('who').dataset.state === 'in'")
            br.type("#project", str(self.pid))
            br.type("#lot", "1")
            return act(br, "#load")

        def act(br, button, key=None):
            if key:
                br.files("#key", [key])
            br.script("document.getElementById('status').dataset.state = 'busy';")
            br.click(button)
            br.wait_for(done, timeout=60)
            return br.script("return document.getElementById('status').dataset.state;"), br.text("#status")

        with Browser() as br:
            state, text = sign_in_and_load(br, self.agent["username"])
            self.assertEqual(state, "idle", text)
            self.assertIn("share 1", br.text("#k-share"))
            self.assertEqual(br.text("#k-id"), self.okey["key_id"])
            # every step is signed with the custodian's key file: none chosen, nothing starts
            state, text = act(br, "#start")
            self.assertEqual(state, "refused")
            self.assertIn("choose your key file", text)
            # before the opening time: nothing starts and no share is taken
            state, text = act(br, "#start", self.cust[0]["pem"])
            self.assertEqual(state, "refused")
            self.assertIn("BID-OPENING-TIME", text)
            state, text = act(br, "#hand-in", self.cust[0]["pem"])
            self.assertEqual(state, "refused")
            self.assertIn("BID-OPENING-TIME", text)
            self.clock(self.deadline)
            state, text = act(br, "#start")
            self.assertEqual(state, "done", text)
            self.assertEqual(br.script("return document.getElementById('k-state').dataset.state;"), "awaiting_shares")
            # a key file the share is not sealed to does not open it
            state, text = act(br, "#hand-in", self.cust[1]["pem"])
            self.assertEqual(state, "refused")
            self.assertIn("does not open with this key file", text)
            state, text = act(br, "#hand-in", self.cust[0]["pem"])
            self.assertEqual(state, "done", text)
            self.assertIn("share 1 handed in", text)
            self.assertIn("1 / 2", br.text("#k-state"))
            # the center's share, from the center's own browser session, opens the lot
            state, text = sign_in_and_load(br, "admin", ADMIN_PASSWORD)
            self.assertFalse(br.script("return document.getElementById('start').hidden;"))
            state, text = act(br, "#hand-in", self.cust[2]["pem"])
            self.assertEqual(state, "done", text)
            self.assertIn("开标完成 opened", text)
        rec = self.srv.request("GET", "/api/v1/projects/%d/lots/1/opening" % self.pid).json
        self.assertEqual((rec["state"], sorted(s["x"] for s in rec["shares"])), ("opened", [1, 3]), rec)
        self.assertEqual(sorted(r["opening"]["price_fen"] for r in rec["records"]), [500000, 500001, 500002])
        p = self.ggzy("opening", "verify", "--project", str(self.pid), "--lot", "1", token=self.sup_tok)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)


class OpeningCheckInBrowserTest(Ceremony):
    def test_a_party_rederives_every_decryption_in_the_browser_and_a_forged_summary_is_caught(self):
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from webdriver import Browser
        for i, b in enumerate(self.bidders[:3]):
            self.assertEqual(self.submit(b, self.seal(b, price=700000 + i, size=150000))[0], 201)
        bad = self.bidders[3]  # sealed to another key: rejected at the opening (撤销)
        other = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
        self.assertEqual(self.submit(bad, self.seal(bad, opening_pk=other))[0], 201)
        self.clock(self.deadline)
        self.assertEqual(self.start_req(self.admin, lot=1).status, 200)
        for i in (0, 1):
            p = self.share(i)
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        url = "https://localhost:%d/opening.html?project=%d&lot=1" % (self.srv.port, self.pid)

        def check(br):
            br.get(url)
            br.wait_for("document.getElementById('state').dataset.state === 'opened'")
            self.assertTrue(br.script("return document.getElementById('verify-section').hidden;"))  # signed out
            br.type("#username", self.agent["username"])
            br.type("#password", "user-password-1")
            br.click("#login")
            br.wait_for("!document.getElementById('verify-section').hidden")
            br.click("#verify")
            br.wait_for("['ok','bad'].includes(document.getElementById('v-status').dataset.state)", timeout=60)
            return (br.script("return document.getElementById('v-status').dataset.state;"),
                    br.script("return [...document.querySelectorAll('#v-results li')].map(l => l.dataset.result);"),
                    br.text("#v-results"))

        with Browser() as br:
            state, results, text = check(br)
            self.assertEqual((state, results), ("ok", ["ok"] * 4), text)
            self.assertEqual(text.count("the sealed summary is the one read out"), 3, text)
            self.assertEqual(text.count("it does not open, as recorded"), 1, text)
            # a summary altered in the database after the opening is caught
            first = self.srv.request("GET", "/api/v1/projects/%d/lots/1/opening" % self.pid).json["records"][0]
            self.srv.sql("UPDATE bids SET summary = '{\"duration_days\":365,\"price_fen\":1}', price_fen = 1 "
                         "WHERE id = %d" % first["id"])
            state, results, text = check(br)
            self.assertEqual((state, results.count("bad")), ("bad", 1), text)
            self.assertIn("is not the one sealed in the envelope", text)
        # a bidder checks what it may fetch — its own envelope — and is told the others were not
        # checked, never that they disagree
        with Browser() as br:
            br.get(url)
            br.wait_for("document.getElementById('state').dataset.state === 'opened'")
            br.type("#username", self.bidders[1]["username"])
            br.type("#password", "user-password-1")
            br.click("#login")
            br.wait_for("!document.getElementById('verify-section').hidden")
            br.click("#verify")
            br.wait_for("['ok','bad'].includes(document.getElementById('v-status').dataset.state)", timeout=60)
            results = br.script("return [...document.querySelectorAll('#v-results li')].map(l => l.dataset.result);")
            self.assertEqual(sorted(results), ["ok", "unchecked", "unchecked", "unchecked"], br.text("#v-results"))
            self.assertEqual(br.script("return document.getElementById('v-status').dataset.state;"), "ok")
            self.assertIn("未核验", br.text("#v-status"))
