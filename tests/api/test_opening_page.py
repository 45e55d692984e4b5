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
