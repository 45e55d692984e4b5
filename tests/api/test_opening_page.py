"""The live opening record page (web/opening.html) in a real browser: headless Chromium loads it
from ggzyd over HTTPS, runs its script against the real API and the page's DOM is checked —
before the opening, after a complete ceremony (names, prices in yuan, the rejected envelope
and its legal class, the objection and its answer, the published key) and for a failed lot.
Nothing from the server is parsed as HTML: a bidder name with markup shows as text."""
import os
import re
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
        self.assertEqual(self.srv.request("POST", "/api/v1/projects/%d/lots/1/opening" % self.pid,
                                          token=self.admin).status, 200)
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
            self.assertIn("%d.%02d" % ((123456789 + i) // 100, (123456789 + i) % 100), dom)
        self.assertIn("撤销 revoked", dom)
        self.assertIn("&lt;b&gt;某某建设&lt;/b&gt;公司", dom)  # shown as text, never as markup
        self.assertNotIn("<b>某某建设</b>", dom)
        self.assertIn("请核对递交时间 — 待答复", dom)
        self.assertIn(rec["private_key"], dom)
        self.assertEqual(len(re.findall(r'<tr data-status="opened">', dom)), 3)
        self.assertEqual(len(re.findall(r'<tr data-status="rejected">', dom)), 1)

    def test_a_failed_lot_shows_why(self):
        self.clock(self.deadline + 1)
        self.assertEqual(self.srv.request("POST", "/api/v1/projects/%d/lots/2/opening" % self.pid,
                                          token=self.agent_tok).status, 200)
        dom = self.page(lot=2)
        self.assertEqual(self.state(dom), "failed")
        self.assertIn("R-MIN-BIDS", dom)
        self.assertRegex(dom, r'<section id="key" hidden')  # no key: nothing was opened

    def test_a_bidder_objects_on_the_page_and_the_agent_answers_there(self):
        from webdriver import Browser
        for b in self.bidders[:3]:
            self.assertEqual(self.submit(b, self.seal(b))[0], 201)
        self.clock(self.deadline)
        self.assertEqual(self.srv.request("POST", "/api/v1/projects/%d/lots/1/opening" % self.pid,
                                          token=self.admin).status, 200)
        url = "https://localhost:%d/opening.html?project=%d&lot=1" % (self.srv.port, self.pid)
        said = "['done','refused'].includes(document.getElementById('o-status').dataset.state)"

        def sign_in(br, username):
            br.get(url)  # a fresh page: signed out
            br.wait_for("document.getElementById('state').dataset.state === 'awaiting_shares'")
            br.type("#o-username", username)
            br.type("#o-password", "user-password-1")
            br.click("#o-login")
            br.wait_for("document.getElementById('o-who').dataset.state !== 'out'")

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
