"""The award page (web/award.html, web/award.js) in a real browser: after the candidates'
publicity the tenderer decides the winner on the page, signed with its key file; once the award
announcement is out it offers the contract — the text's SHA-256 computed in the page — at the
winning price; the winner checks the same text and signs; the tenderer files the written report
and the project is closed. At a phone's width nothing is wider than the screen."""
import os
import tempfile
import time

from cryptography.hazmat.primitives import serialization

import test_evaluation as te
from webdriver import Browser

DONE = "['done','refused'].includes(document.getElementById('status').dataset.state)"


class AwardPageTest(te.AwardFlowTest):
    # the flow's API test runs in tests/api; here only the page's
    test_a_tender_goes_from_the_signed_report_to_closed = None

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

    def page(self, username, key, ready="!document.getElementById('lots').hidden"):
        br = self.browser
        br.get("https://localhost:%d/award.html?project=%d" % (self.srv.port, self.pid))
        br.type("#username", username)
        br.type("#password", "user-password-1")
        br.click("#login")
        br.wait_for("document.getElementById('who').dataset.state === 'in'")
        br.files("#key", [key])
        br.wait_for(ready)

    def click_done(self, css):
        br = self.browser
        br.script("document.getElementById('status').dataset.state = 'idle';")
        br.click(css)
        br.wait_for(DONE)
        self.assertEqual(br.script("return document.getElementById('status').dataset.state;"), "done",
                         br.text("#status"))

    def publicized(self):
        """A lot evaluated and its candidates publicized for 4 days: the tenderer's user and token,
        the report and the publicity's end."""
        self.evaluated_lot()
        owner, owner_tok = self.make_user(self.admin, self.tenderer["id"], "tenderer")
        _, report = self.evaluate()
        until = self.server_now() + 4 * te.DAY
        self.assertEqual(self.announce("candidates", publicity_from_us=self.server_now(),
                                       publicity_until_us=until).status, 200)
        return owner, owner_tok, report, until

    def test_a_tender_is_awarded_contracted_and_closed_on_the_page(self):
        br = self.browser
        owner, owner_tok, report, until = self.publicized()
        self.clock(until + te.MIN)
        owner_tok = self.srv.login(owner["username"], "user-password-1")
        owner_key = self.key_file(owner_tok, "owner.pem")
        # the tenderer decides on the page: the first candidate, as the law wants
        self.page(owner["username"], owner_key)
        self.assertEqual(len(br.script("return document.querySelectorAll('#lot-list input[type=radio]');")), 3)
        self.click_done("#decide")
        self.assertIn("中标人", br.text("#lot-list"))
        self.shot_pair("award-tenderer")
        self.assertEqual(self.announce("award").status, 200)
        # the contract: offered with the text chosen in the page, signed by the winner on the page
        text = os.path.join(self.tmp, "合同.txt")
        with open(text, "w") as f:
            f.write("施工合同 …… 合同价款按中标价。")
        self.page(owner["username"], owner_key)
        br.files("input[data-doc='1']", [text])
        self.click_done("button[data-offer='1']")
        winner_org = self.srv.request("GET", "/api/v1/projects/%d/award" % self.pid, token=owner_tok).json["lots"][0]["winner"]["org_id"]
        wuser, wtok = self.make_user(self.admin, winner_org, "bidder")
        self.page(wuser["username"], self.key_file(wtok, "winner.pem"))
        br.files("input[data-doc='1']", [text])
        self.click_done("button[data-sign='1']")
        self.assertEqual(self.state(), "contracted")
        # the written report closes the project
        self.page(owner["username"], owner_key)
        br.files("#report-file", [text])
        self.click_done("#close")
        self.assertEqual(self.state(), "closed")

    def test_a_bidder_objects_on_the_page_and_the_tenderer_answers_it_before_deciding(self):
        br = self.browser
        owner, owner_tok, report, until = self.publicized()
        loser = [o for o in self.orgs if self.bids[o["id"]] != report["candidates"][0]][0]
        buser, btok = self.make_user(self.admin, loser["id"], "bidder")
        # a bidder that did not win sees no award, only the objection form, and objects signed
        self.page(buser["username"], self.key_file(btok, "bidder.pem"),
                  ready="!document.getElementById('objection-form').hidden")
        br.type("#objection-text", "第一中标候选人的类似工程业绩不满足招标文件要求")
        self.click_done("#object")
        br.wait_for("document.querySelectorAll('[data-objection]').length === 1")
        self.assertIn("待答复", br.text("#objections"))
        self.shot_pair("award-objection-bidder")
        # the tenderer answers on the page; the award waited for it
        owner_key = self.key_file(owner_tok, "owner.pem")
        self.page(owner["username"], owner_key)
        br.type("textarea[data-objection-answer]", "经核查，该业绩满足招标文件要求，异议不成立")
        self.click_done("[data-objection] button")
        br.wait_for("document.getElementById('objections').textContent.includes('异议不成立')")
        self.shot_pair("award-objection-tenderer")
        items = self.srv.request("GET", "/api/v1/projects/%d/objections" % self.pid, token=owner_tok).json["items"]
        self.assertEqual([(o["upheld"], o["answer"] is not None) for o in items], [(False, True)])

    def test_the_tenderer_asks_to_extend_the_validity_and_a_bidder_refuses_on_the_page(self):
        br = self.browser
        owner, owner_tok, report, until = self.publicized()
        self.srv.sql("UPDATE announcements SET bid_deadline_us = %d WHERE project_id = %d AND type = 'tender'"
                     % (self.server_now() - 3 * 3600 * 10**6, self.pid))
        self.page(owner["username"], self.key_file(owner_tok, "owner.pem"))
        br.wait_for("!document.getElementById('validity-ask').hidden")
        at = time.strftime("%Y-%m-%dT%H:%M", time.gmtime(self.server_now() / 10**6 + 8 * 3600 + 400 * 86400))
        br.script("document.getElementById('validity-until').value = arguments[0];", at)
        self.click_done("#ask-validity")
        self.assertIn("尚无答复", br.text("#validity"))
        org = [o for o in self.orgs if self.bids[o["id"]] == report["candidates"][0]][0]
        buser, btok = self.make_user(self.admin, org["id"], "bidder")
        self.page(buser["username"], self.key_file(btok, "bidder.pem"),
                  ready="!document.getElementById('validity-answer').hidden")
        self.click_done("#validity-refuse")
        self.assertIn("拒绝", br.text("#validity"))
        self.shot_pair("award-validity-bidder")
        v = self.srv.request("GET", "/api/v1/projects/%d/validity" % self.pid, token=owner_tok).json
        self.assertEqual([(a["org_id"], a["agree"]) for a in v["requests"][0]["answers"]], [(org["id"], False)])

    def shot_pair(self, name):
        for width in (1366, 390):
            path = os.path.join(os.environ.get("GGZY_SCREENSHOTS", tempfile.gettempdir()), "%s-%d.png" % (name, width))
            self.browser.screenshot(path, width=width, height=1000)
            self.assertGreater(os.path.getsize(path), 1000)
            if width == 390:
                self.assertLessEqual(self.browser.script("return document.documentElement.scrollWidth;"), 390)
        self.browser.screenshot(os.devnull, width=1366, height=1000)
