"""The evaluation page (web/evaluation.html, web/evaluation.js) in a real browser: a member signs
in, finds the session, and gives the pledge signed with the key file in the page; the supervisor's
board follows the session live from its event stream (each member's act appears without a
reload), pauses it with a reason, and sees the indicator the agent never sees; at a phone's width
nothing is wider than the screen."""
import os
import tempfile

from cryptography.hazmat.primitives import serialization

from test_evaluation import EvaluationFixture
from webdriver import Browser


class EvaluationPageTest(EvaluationFixture):
    def setUp(self):
        super().setUp()
        self.browser = Browser()
        self.addCleanup(self.browser.close)
        self.tmp = tempfile.mkdtemp()

    def key_file(self, e, name):
        """The member's key as a file the page reads (the same key the API helper signs with)."""
        me = self.srv.request("GET", "/api/v1/me", token=e["tok"]).json
        cache = self.__dict__.setdefault("_keys", {})
        if me["id"] not in cache:
            k, r = self.register_key(e["tok"])
            cache[me["id"]] = (k, r.json["key_id"])
        path = os.path.join(self.tmp, name)
        with open(path, "wb") as f:
            f.write(cache[me["id"]][0].private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                     serialization.NoEncryption()))
        return path

    def page(self, username, query="", key=None):
        br = self.browser
        br.get("https://localhost:%d/evaluation.html%s" % (self.srv.port, query))
        br.type("#username", username)
        br.type("#password", "user-password-1")
        br.click("#login")
        br.wait_for("document.getElementById('who').dataset.state === 'in'")
        if key:
            br.files("#key", [key])

    def shot(self, name):
        for width in (1366, 390):
            path = os.path.join(os.environ.get("GGZY_SCREENSHOTS", tempfile.gettempdir()),
                                "%s-%d.png" % (name, width))
            self.browser.screenshot(path, width=width, height=1100)
            self.assertGreater(os.path.getsize(path), 1000)
            if width == 390:  # a phone: the page never scrolls sideways (wide tables scroll by themselves)
                self.assertLessEqual(self.browser.script("return document.documentElement.scrollWidth;"), 390)
        self.browser.screenshot(os.devnull, width=1366, height=1100)

    def test_a_member_pledges_on_the_page_and_the_supervisor_watches_it_live(self):
        br = self.browser
        self.evaluated_lot(prices=(90000000, 95000000, 100000000))
        for e in self.members:
            self.sign_in(e)
        ev = self.open().json["id"]
        a = self.members[0]
        # a member: the session in the list, the pledge signed in the page
        self.page(a["user"]["username"], "?id=%d" % ev, self.key_file(a, "a.pem"))
        br.wait_for("!document.getElementById('console').hidden")
        self.assertIn("承诺与回避声明", br.text("#b-state"))
        br.click("#act")
        br.wait_for("['done','refused'].includes(document.getElementById('act-status').dataset.state)")
        self.assertEqual(br.script("return document.getElementById('act-status').dataset.state;"), "done",
                         br.text("#act-status"))
        acts = self.srv.request("GET", "/api/v1/evaluations/%d" % ev, token=a["tok"]).json["members"]
        self.assertEqual([x["kind"] for m in acts if m["pseudonym"] == a["pseudonym"] for x in m["acts"]], ["pledge"])
        # the supervisor's board: the indicator, then the others' pledges as they come, live
        self.page(self.sup["username"], "?id=%d" % ev)
        br.wait_for("document.querySelectorAll('#live li').length >= 2")
        self.assertIn("IND-PRICE-PATTERN", br.text("#indicators"))
        self.shot("evaluation-board")
        for e in self.members[1:]:
            self.assertEqual(self.act(e, ev, "pledge", {"conflict": False}).status, 201)
        br.wait_for("document.getElementById('b-state').textContent.includes('推选组长')")
        self.assertGreaterEqual(br.script("return document.querySelectorAll('#live li[data-event=progress]').length;"), 4)
        br.type("#pause-reason", "核查录像")
        br.click("#pause")
        br.wait_for("document.getElementById('b-state').dataset.state === 'paused'")
        br.wait_for("document.getElementById('live').textContent.includes('暂停：核查录像')")
        # the agent's board: the progress, never an indicator
        self.page(self.agent["username"], "?id=%d" % ev)
        br.wait_for("document.querySelectorAll('#live li').length >= 6")
        self.assertNotIn("IND-PRICE-PATTERN", br.text("#live"))
        self.assertNotIn("IND-PRICE-PATTERN", br.text("#indicators"))
        self.shot("evaluation-agent")

    def test_a_member_corrects_an_objective_factor_on_the_page_and_the_draft_records_it(self):
        import json
        from test_evaluation import METHOD
        br = self.browser
        method = json.loads(json.dumps(METHOD))
        method["criteria"][0]["objective"] = True
        self.evaluated_lot(method=method)
        for e in self.members:
            self.sign_in(e)
        ev = self.open().json["id"]
        ids = [self.bids[o["id"]] for o in self.orgs]
        for e in self.members:
            self.act(e, ev, "pledge", {"conflict": False})
        for e in self.members:
            self.act(e, ev, "chair", {"chair": self.members[0]["pseudonym"]})
        for kind in ("qualification", "preliminary"):
            for e in self.members:
                self.act(e, ev, kind, {"bids": [{"bid_id": b, "pass": True} for b in ids]})
        a = self.members[1]
        for e in self.members:  # a member scores the objective factor T of the first bid unlike the others
            t = "10" if e is a else "30"
            self.act(e, ev, "detailed", {"scores": [
                {"bid_id": b, "points": {"T": t if b == ids[0] else "30", "S": "20"}} for b in ids]})
        # on the page, before anyone signs the report: the correction, signed with the key file
        self.page(a["user"]["username"], "?id=%d" % ev, self.key_file(a, "a.pem"))
        br.wait_for("!document.getElementById('side-form').hidden")
        br.script("const k = document.getElementById('side-kind'); k.value = 'correct';"
                  "k.dispatchEvent(new Event('change'));")
        br.script("document.getElementById('s-bid').value = arguments[0];", str(ids[0]))
        br.type("#s-points", "30")
        br.type("#s-note", "复核：该项为客观评审因素，与其他成员不一致，当场修改")
        br.click("#side")
        br.wait_for("['done','refused'].includes(document.getElementById('side-status').dataset.state)")
        self.assertEqual(br.script("return document.getElementById('side-status').dataset.state;"), "done",
                         br.text("#side-status"))
        br.wait_for("document.getElementById('corrections').textContent.includes('由 10.00 改为 30.00')")
        self.shot("evaluation-correction")
        # the chair sees the send-back offered at the report too, and the member may no longer correct once one signed
        self.act(self.members[2], ev, "report", {"agree": True})
        self.page(a["user"]["username"], "?id=%d" % ev, self.key_file(a, "a.pem"))
        br.wait_for("!document.getElementById('console').hidden")
        self.assertFalse(br.script("return [...document.querySelectorAll('#side-kind option')]"
                                   ".some((o) => o.value === 'correct');"))

    def test_the_tenderer_designates_its_representative_on_the_page(self):
        br = self.browser
        self.evaluated_lot(designate=False)
        owner, owner_tok = self.make_user(self.admin, self.tenderer["id"], "tenderer")
        rep, _ = self.make_user(self.admin, self.tenderer["id"], "tenderer")
        self.page(owner["username"], "", self.key_file({"tok": owner_tok}, "owner.pem"))
        br.wait_for("!document.getElementById('rep-form').hidden")
        br.type("#rep-booking", str(self.booking))
        br.type("#rep-user", str(rep["id"]))
        br.click("#rep")
        br.wait_for("['done','refused'].includes(document.getElementById('rep-status').dataset.state)")
        self.assertEqual(br.script("return document.getElementById('rep-status').dataset.state;"), "done",
                         br.text("#rep-status"))
        self.assertIn("rep-%d" % rep["id"], br.text("#rep-status"))
        self.shot("evaluation-representative")
        # the one seat is taken: a second designation is refused with its rule, in Chinese first
        br.type("#rep-user", str(owner["id"]))
        br.click("#rep")
        br.wait_for("document.getElementById('rep-status').dataset.state === 'refused'")
        self.assertIn("EVAL-REPRESENTATIVE", br.text("#rep-status"))

    def test_a_supervisor_decides_the_chairs_send_back_on_the_board(self):
        br = self.browser
        self.evaluated_lot()
        for e in self.members:
            self.sign_in(e)
        ev = self.open().json["id"]
        ids = [self.bids[o["id"]] for o in self.orgs]
        for e in self.members:
            self.act(e, ev, "pledge", {"conflict": False})
        chair = self.members[0]
        for e in self.members:
            self.act(e, ev, "chair", {"chair": chair["pseudonym"]})
        for e in self.members:
            self.act(e, ev, "qualification", {"bids": [{"bid_id": b, "pass": True} for b in ids]})
        r = self.act(chair, ev, "send_back", {"to": "qualification", "reason": "资格条件理解有误，需重新评审"})
        self.assertEqual(r.status, 201, r)
        self.page(self.sup["username"], "?id=%d" % ev)
        br.wait_for("!document.getElementById('back-form').hidden")
        self.assertIn("资格条件理解有误", br.text("#back-ask"))
        br.type("#back-reason", "同意重新资格评审")
        br.click("#back-approve")
        br.wait_for("document.getElementById('back-form').hidden")
        self.assertEqual(self.srv.request("GET", "/api/v1/evaluations/%d" % ev, token=self.sup_tok).json["step"],
                         "qualification")
