"""The draw page (web/draws.html, web/draws.js) in a real browser: center staff admit an applied
expert from the library and cosign a draw with their key file; the supervisor hands in their
value and replays the draw in the page from the audit timeline alone; a drawn expert sees the
time and place (not the project) and confirms with their key; each sees only their part."""
import os
import tempfile

from cryptography.hazmat.primitives import serialization

from harness import ADMIN_PASSWORD
from test_experts import ExpertFixture, HOUR
from webdriver import Browser

SAID = "['done','refused'].includes(document.querySelector(\"%s\").dataset.state)"


class DrawPageTest(ExpertFixture):
    def setUp(self):
        super().setUp()
        self.browser = Browser()
        self.addCleanup(self.browser.close)
        self.tmp = tempfile.mkdtemp()

    def key_file(self, tok, name):
        key, r = self.register_key(tok)
        path = os.path.join(self.tmp, name)
        with open(path, "wb") as f:
            f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))
        return path

    def page(self, username, password, key=None, query=""):
        br = self.browser
        br.get("https://localhost:%d/draws.html%s" % (self.srv.port, query))
        br.type("#username", username)
        br.type("#password", password)
        br.click("#login")
        br.wait_for("document.getElementById('who').dataset.state === 'in'")
        if key:
            br.files("#key", [key])

    def shot(self, name):
        path = os.path.join(os.environ.get("GGZY_SCREENSHOTS", tempfile.gettempdir()), name)
        self.browser.screenshot(path, 1400, 1100)
        self.assertGreater(os.path.getsize(path), 1000)

    def test_staff_cosign_the_supervisor_seeds_and_replays_and_an_expert_confirms_on_the_page(self):
        br = self.browser
        pid, booking = self.opened_project(self.at(10), self.at(12))
        for _ in range(9):
            self.expert()
        applicant = self.expert(admit=False)
        self.clock(self.at(8))
        admin_key = self.key_file(self.admin, "admin.pem")
        staff_key = self.key_file(self.staff2_tok, "staff2.pem")
        sup_key = self.key_file(self.sup_tok, "sup.pem")
        # the library: an applied expert is admitted from the page
        self.page("admin", ADMIN_PASSWORD, admin_key, "?project=%d" % pid)
        br.click("#lib-show")
        br.wait_for("document.getElementById('lib-status').dataset.state === 'loaded'")
        br.click("#experts tr[data-user='%d'] button[data-act='admit']" % applicant["user"]["id"])
        br.wait_for(SAID % "#lib-status")
        self.assertEqual(br.script("return document.getElementById('lib-status').dataset.state;"), "done",
                         br.text("#lib-status"))
        self.shot("draws-library.png")
        # a draw asked by the agent, cosigned on the page by two staff with their own keys
        draw = self.ask(pid, booking, reserves=2).json
        br.click("#d-load")
        br.wait_for("document.getElementById('d-status').dataset.state === 'loaded'")
        box = "section.draw[data-id='%d']" % draw["id"]
        br.click(box + " button[data-act='cosign']")
        # the box is drawn again from the answer (its line idle), or says why not
        br.wait_for("['idle','refused'].includes(document.querySelector(\"%s .d-out\").dataset.state)" % box)
        self.assertEqual(br.script("return document.querySelector(\"%s .d-out\").dataset.state;" % box), "idle",
                         br.text(box))
        br.click("#d-load")
        br.wait_for("document.getElementById('d-status').dataset.state === 'loaded'")
        self.assertEqual(br.script("return document.querySelector(\"%s\").dataset.state;" % box), "committed")
        self.page(self.staff2["username"], "user-password-1", staff_key, "?project=%d" % pid)
        br.wait_for("document.getElementById('d-status').dataset.state === 'loaded'")
        br.click(box + " button[data-act='cosign']")
        br.wait_for("document.querySelector(\"%s\").dataset.state === 'pooled'" % box)
        # the supervisor hands in a value, then replays the draw from the timeline in the page
        self.page(self.sup["username"], "user-password-1", sup_key, "?project=%d" % pid)
        br.wait_for("document.getElementById('d-status').dataset.state === 'loaded'")
        self.assertFalse(br.script("return !!document.querySelector(\"%s button[data-act='cosign']\");" % box))
        br.type(box + " .d-value", "监督人随机值 2026")
        br.click(box + " button[data-act='entropy']")
        br.wait_for("document.querySelector(\"%s\").dataset.state === 'drawn'" % box)
        self.srv.request("POST", "/api/v1/audit/checkpoints", token=self.sup_tok)
        self.srv.wait_sequenced()
        self.srv.request("POST", "/api/v1/audit/checkpoints", token=self.sup_tok)
        br.click(box + " button[data-act='verify']")
        br.wait_for(SAID % (box + " .d-verify"))
        self.assertEqual(br.script("return document.querySelector(\"%s .d-verify\").dataset.state;" % box), "done",
                         br.text(box + " .d-verify"))
        self.assertIn("复核通过", br.text(box + " .d-verify"))
        br.click(box + " button[data-act='members']")
        br.wait_for("!!document.querySelector(\"%s table.members\")" % box)
        self.shot("draws-supervisor.png")
        names = br.text(box + " table.members")
        full = self.srv.request("GET", "/api/v1/draws/%d" % draw["id"], token=self.admin).json
        drawn = [m for m in full["members"] if m["state"] == "invited"]
        self.assertIn(drawn[0]["name"], names)
        # a drawn expert: time and place, not the project; confirms with their key
        e = [x for x in self.experts if x["user"]["id"] == drawn[0]["user_id"]][0]
        e_key = self.key_file(e["tok"], "expert.pem")
        self.page(e["user"]["username"], "user-password-1", e_key)
        br.wait_for("document.getElementById('a-status').dataset.state === 'loaded'")
        self.assertTrue(br.script("return document.getElementById('draws').hidden;"))
        row = "#assignments tr[data-draw='%d']" % draw["id"]
        self.assertIn("评标室", br.text(row))
        self.assertNotIn("某工程", br.text("main"))
        br.click(row + " button[data-act='confirm']")
        br.wait_for(SAID % "#a-status")
        self.assertEqual(br.script("return document.getElementById('a-status').dataset.state;"), "done",
                         br.text("#a-status"))
        self.assertIn("已确认", br.text(row))
        self.shot("draws-expert.png")
