"""From the opened lot to `closed` through the pages only (issue 26's "through the pages"), in a
real browser, each person in their own role with their own key file: the tenderer seats its
representative on the evaluation page; the drawn experts sign in to the room from their
assignments on the draws page and the representative from the evaluation page; the agent opens
the session; every member pledges, elects the chair, reviews, scores and signs the report in the
console; the agent publishes the candidates' publicity on the projects page; the tenderer decides
the winner, offers the contract, the winner signs it and the tenderer files the written report
on the award page; the agent publishes the award announcement on the projects page. Then the log
replays clean. The steps before (entry, the tender announcement, bids, the opening, the draw)
have their own page tests (test_projects_page, test_bid_page, test_opening_page,
test_draws_page); what still has no page is listed in docs/evaluation.md §10."""
import os
import tempfile
import time

from cryptography.hazmat.primitives import serialization

from test_evaluation import DAY, MIN, EvaluationFixture
from webdriver import Browser

SAID = "['done','refused'].includes(document.getElementById('%s').dataset.state)"


def beijing_input(us):
    return time.strftime("%Y-%m-%dT%H:%M", time.gmtime(us / 10**6 + 8 * 3600))


class TenderPagesTest(EvaluationFixture):
    def setUp(self):
        super().setUp()
        self.browser = Browser()
        self.addCleanup(self.browser.close)
        self.tmp = tempfile.mkdtemp()
        self.shots = os.environ.get("GGZY_SCREENSHOTS", tempfile.gettempdir())

    def key_file(self, tok, name):
        """The signer's key as a file the page reads (the key the API helpers sign with)."""
        me = self.srv.request("GET", "/api/v1/me", token=tok).json
        cache = self.__dict__.setdefault("_keys", {})
        if me["id"] not in cache:
            k, r = self.register_key(tok)
            cache[me["id"]] = (k, r.json["key_id"])
        path = os.path.join(self.tmp, name)
        with open(path, "wb") as f:
            f.write(cache[me["id"]][0].private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                     serialization.NoEncryption()))
        return path

    def page(self, path, username, key=None, ready=None):
        br = self.browser
        br.get("https://localhost:%d/%s" % (self.srv.port, path))
        br.type("#username", username)
        br.type("#password", "user-password-1")
        br.click("#login")
        br.wait_for("document.getElementById('who').dataset.state === 'in'")
        if key:
            br.files("#key", [key])
        if ready:
            br.wait_for(ready)

    def click_done(self, button, status):
        br = self.browser
        br.script("document.getElementById(arguments[0]).dataset.state = 'idle';", status)
        br.click(button)
        br.wait_for(SAID % status, timeout=60)
        self.assertEqual(br.script("return document.getElementById(arguments[0]).dataset.state;", status), "done",
                         br.text("#" + status))

    def announce(self, type_, title, times=()):
        """The agent drafts, previews and publishes an announcement on the projects page."""
        br = self.browser
        self.page("projects.html?project=%d" % self.pid, self.agent["username"],
                  ready="!document.getElementById('ann-box').hidden")
        br.script("const t = document.getElementById('a-type'); t.value = arguments[0];"
                  "t.dispatchEvent(new Event('change'));", type_)
        br.type("#a-title", title)
        br.type("#a-body", title + "：……")
        for field, at in times:
            br.script("document.getElementById(arguments[0]).value = arguments[1];", field, beijing_input(at))
        self.click_done("#draft", "ann-status")
        br.wait_for("!document.getElementById('preview').hidden")
        self.click_done("#publish", "ann-status")

    def state(self):
        return self.srv.sql("SELECT state FROM projects WHERE id = %d" % self.pid)[0][0]

    def test_an_opened_lot_goes_to_closed_through_the_pages(self):
        br = self.browser
        self.evaluated_lot(designate=False)
        owner, owner_tok = self.make_user(self.admin, self.tenderer["id"], "tenderer")
        rep, rep_tok = self.make_user(self.admin, self.tenderer["id"], "tenderer")
        owner_key = self.key_file(owner_tok, "owner.pem")
        rep_key = self.key_file(rep_tok, "rep.pem")
        # the tenderer seats its representative; the representative signs in in the room
        self.page("evaluation.html", owner["username"], owner_key, "!document.getElementById('rep-form').hidden")
        br.type("#rep-booking", str(self.booking))
        br.type("#rep-user", str(rep["id"]))
        self.click_done("#rep", "rep-status")
        self.page("evaluation.html", rep["username"], rep_key, "!document.getElementById('signin-form').hidden")
        br.type("#signin-booking", str(self.booking))
        self.click_done("#signin", "signin-status")
        # each drawn expert signs in from the confirmed assignment on the draws page
        keys = {}
        for i, e in enumerate(self.members):
            keys[e["pseudonym"]] = self.key_file(e["tok"], "m%d.pem" % i)
            self.page("draws.html", e["user"]["username"], keys[e["pseudonym"]],
                      "document.querySelector(\"#assignments button[data-act='sign-in']\") !== null")
            self.click_done("#assignments button[data-act='sign-in']", "a-status")
        members = self.members + [{"user": rep, "tok": rep_tok, "pseudonym": "rep-%d" % rep["id"]}]
        keys[members[-1]["pseudonym"]] = rep_key
        # the agent opens the session on the evaluation page
        self.page("evaluation.html", self.agent["username"], ready="!document.getElementById('open-form').hidden")
        br.type("#open-booking", str(self.booking))
        br.click("#open")
        br.wait_for("!document.getElementById('board').hidden", timeout=30)
        ev = self.srv.request("GET", "/api/v1/evaluations", token=self.agent_tok).json["items"][0]["id"]
        # every member, every step, in the console
        chair = members[0]["pseudonym"]
        for step in ("pledge", "chair", "qualification", "preliminary", "detailed", "report"):
            for e in members:
                self.page("evaluation.html?id=%d" % ev, e["user"]["username"], keys[e["pseudonym"]],
                          "!document.getElementById('console').hidden && "
                          "!document.getElementById('act').disabled")
                if step == "chair":
                    br.script("document.getElementById('chair').value = arguments[0];", chair)
                if step == "detailed":
                    br.script("for (const i of document.querySelectorAll('#act-fields input[data-crit]'))"
                              "  i.value = i.dataset.crit === 'T' ? '30' : '20';")
                self.click_done("#act", "act-status")
            if step == "pledge":
                self.shot("walk-console")
        v = self.srv.request("GET", "/api/v1/evaluations/%d" % ev, token=owner_tok).json
        self.assertEqual(v["state"], "reported")
        first = v["report"]["candidates"][0]
        # the candidates' publicity on the projects page
        now = self.server_now()
        until = now + 4 * DAY
        self.announce("candidates", "中标候选人公示", (("a-pub-from", now + MIN), ("a-pub-until", until)))
        self.assertEqual(self.state(), "candidates_published")
        # after the publicity: the tenderer decides on the award page
        self.clock(until + 2 * MIN)
        self.page("award.html?project=%d" % self.pid, owner["username"], owner_key,
                  "!document.getElementById('decide').hidden")
        self.click_done("#decide", "status")
        self.announce("award", "中标结果公告")
        self.assertEqual(self.state(), "awarded")
        # the contract: offered by the tenderer with the text chosen in the page, signed by the winner
        text = os.path.join(self.tmp, "合同.txt")
        with open(text, "w") as f:
            f.write("施工合同 …… 合同价款按中标价。")
        self.page("award.html?project=%d" % self.pid, owner["username"], owner_key,
                  "document.querySelector(\"input[data-doc='1']\") !== null")
        br.files("input[data-doc='1']", [text])
        self.click_done("button[data-offer='1']", "status")
        winner = [o for o in self.orgs if self.bids[o["id"]] == first][0]
        wuser, wtok = self.make_user(self.admin, winner["id"], "bidder")
        self.page("award.html?project=%d" % self.pid, wuser["username"], self.key_file(wtok, "winner.pem"),
                  "document.querySelector(\"input[data-doc='1']\") !== null")
        br.files("input[data-doc='1']", [text])
        self.click_done("button[data-sign='1']", "status")
        self.assertEqual(self.state(), "contracted")
        # the written report closes the project
        self.page("award.html?project=%d" % self.pid, owner["username"], owner_key,
                  "!document.getElementById('close-form').hidden")
        br.files("#report-file", [text])
        self.click_done("#close", "status")
        self.assertEqual(self.state(), "closed")
        self.shot("walk-closed")
        # and the log replays clean (the fixture made the opening by SQL, which the replay names)
        p, path = self.verify(self.draw["id"])
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        p = self.run_ggzy("audit", "replay", "--project", str(self.pid), "--vkey", self.vkey, token=self.sup_tok)
        named = {l.split()[1] for l in p.stdout.splitlines() if l.startswith("VIOLATION")}
        self.assertEqual(named, {"INV-STATE", "INV-STATE-OWNER"}, p.stdout)

    def shot(self, name):
        for width in (1366, 390):
            path = os.path.join(self.shots, "%s-%d.png" % (name, width))
            self.browser.screenshot(path, width=width, height=1100)
            self.assertGreater(os.path.getsize(path), 1000)
            if width == 390:
                self.assertLessEqual(self.browser.script("return document.documentElement.scrollWidth;"), 390)
        self.browser.screenshot(os.devnull, width=1366, height=1100)
