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
        self.evaluated_lot(designate=False)
        owner, owner_tok = self.make_user(self.admin, self.tenderer["id"], "tenderer")
        rep, rep_tok = self.make_user(self.admin, self.tenderer["id"], "tenderer")
        keys = {e["pseudonym"]: self.key_file(e["tok"], "m%d.pem" % i) for i, e in enumerate(self.members)}
        self.rest_of_the_way(owner, self.key_file(owner_tok, "owner.pem"), rep, self.key_file(rep_tok, "rep.pem"),
                             keys)
        # the fixture made the opening by SQL, which the replay rightly names — and nothing else
        p = self.run_ggzy("audit", "replay", "--project", str(self.pid), "--vkey", self.vkey, token=self.sup_tok)
        named = {l.split()[1] for l in p.stdout.splitlines() if l.startswith("VIOLATION")}
        self.assertEqual(named, {"INV-STATE", "INV-STATE-OWNER"}, p.stdout)

    def rest_of_the_way(self, owner, owner_key, rep, rep_key, keys):
        """From a confirmed committee (self.members, self.booking, the clock in the session's
        time) to `closed`, through the pages only; the log verified (self.vkey set)."""
        br = self.browser
        # the tenderer seats its representative; the representative signs in in the room
        self.page("evaluation.html", owner["username"], owner_key, "!document.getElementById('rep-form').hidden")
        br.type("#rep-booking", str(self.booking))
        br.type("#rep-user", str(rep["id"]))
        self.click_done("#rep", "rep-status")
        self.page("evaluation.html", rep["username"], rep_key, "!document.getElementById('signin-form').hidden")
        br.type("#signin-booking", str(self.booking))
        self.click_done("#signin", "signin-status")
        # each drawn expert signs in from the confirmed assignment on the draws page
        for e in self.members:
            self.page("draws.html", e["user"]["username"], keys[e["pseudonym"]],
                      "document.querySelector(\"#assignments button[data-act='sign-in']\") !== null")
            self.click_done("#assignments button[data-act='sign-in']", "a-status")
        members = self.members + [{"user": rep, "pseudonym": "rep-%d" % rep["id"]}]
        keys = dict(keys)
        keys[members[-1]["pseudonym"]] = rep_key
        # the agent opens the session on the evaluation page
        self.page("evaluation.html", self.agent["username"], ready="!document.getElementById('open-form').hidden")
        br.type("#open-booking", str(self.booking))
        br.click("#open")
        br.wait_for("!document.getElementById('board').hidden", timeout=30)
        ev = self.srv.request("GET", "/api/v1/evaluations?project_id=%d" % self.pid,
                              token=self.agent_tok).json["items"][0]["id"]
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
        v = self.srv.request("GET", "/api/v1/evaluations/%d" % ev, token=self.sup_tok).json
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
        win_org = self.srv.sql("SELECT bidder_org_id FROM bids WHERE id = %d" % first)[0][0]
        wuser, wtok = self.make_user(self.admin, int(win_org), "bidder")
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
        p, path = self.verify(self.draw["id"])
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

    def shot(self, name):
        for width in (1366, 390):
            path = os.path.join(self.shots, "%s-%d.png" % (name, width))
            self.browser.screenshot(path, width=width, height=1100)
            self.assertGreater(os.path.getsize(path), 1000)
            if width == 390:
                self.assertLessEqual(self.browser.script("return document.documentElement.scrollWidth;"), 390)
        self.browser.screenshot(os.devnull, width=1366, height=1100)


class EntryToClosedPagesTest(TenderPagesTest):
    """One project from entry to `closed` through the pages, in Chromium, nothing made by SQL:
    the agency registers and submits it, the center accepts it and makes the lot's opening key, the
    opening room is booked and approved on the venues page, the tender announcement published on
    the projects page, three bids sealed in the browser, the lot opened by two custodians in the
    browser, the evaluation room booked, the committee asked for, cosigned, seeded and confirmed on
    the draws page, and on from there as the walk above. What is set up by the API is what has no
    page yet: organizations, users, signing keys, the experts' library entries and the center's
    rooms (issue 27). Then the project's own timeline replays with no violation at all."""

    test_an_opened_lot_goes_to_closed_through_the_pages = None

    def bidder_with_key(self, i):
        from cryptography.hazmat.primitives.asymmetric import ec
        org = self.make_org(self.admin, "bidder")
        user, tok = self.make_user(self.admin, org["id"], "bidder")
        key = ec.generate_private_key(ec.SECP256R1())
        self.register_key(tok, key)
        path = os.path.join(self.tmp, "bidder%d.pem" % i)
        with open(path, "wb") as f:
            f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))
        return {"org": org, "user": user, "tok": tok, "pem": path}

    def custodian_key(self, tok, name):
        from cryptography.hazmat.primitives.asymmetric import ec
        key = ec.generate_private_key(ec.SECP256R1())
        _, r = self.register_key(tok, key)
        path = os.path.join(self.tmp, name + ".pem")
        with open(path, "wb") as f:
            f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))
        me = self.srv.request("GET", "/api/v1/me", token=tok).json
        return {"user_id": me["id"], "key_id": r.json["key_id"], "pem": path}

    def admin_page(self, path, ready=None, key=None):
        from harness import ADMIN_PASSWORD
        br = self.browser
        br.get("https://localhost:%d/%s" % (self.srv.port, path))
        br.type("#username", "admin")
        br.type("#password", ADMIN_PASSWORD)
        br.click("#login")
        br.wait_for("document.getElementById('who').dataset.state === 'in'")
        if key:
            br.files("#key", [key])
        if ready:
            br.wait_for(ready)

    def book(self, site, room, day, start, end, purpose, people):
        """The agent books on the venues page; center staff approve it in the week there."""
        br = self.browser
        url = "venues.html?site=%d&week=%s" % (site, day)
        self.page(url, self.agent["username"], ready="!document.getElementById('book').hidden")
        br.type("#b-project", str(self.pid))
        br.script("document.getElementById('b-purpose').value = arguments[0];"
                  "document.getElementById('b-room').value = arguments[1];"
                  "document.getElementById('b-date').value = arguments[2];"
                  "document.getElementById('b-start').value = arguments[3];"
                  "document.getElementById('b-end').value = arguments[4];", purpose, str(room), day, start, end)
        br.type("#b-people", str(people))
        self.click_done("#b-submit", "b-status")
        self.admin_page(url, "document.getElementById('cal-status').dataset.state === 'done'")
        br.click("#week-grid button[data-approve]")
        br.wait_for("!document.querySelector('#week-grid button[data-approve]')")

    def test_a_project_goes_from_entry_to_closed_through_the_pages(self):
        br = self.browser
        # what has no page yet: people, keys, the library, the rooms (issue 27)
        bidders = [self.bidder_with_key(i) for i in range(3)]
        cust = [self.custodian_key(self.agent_tok, "agent-cust"), self.custodian_key(self.sup_tok, "sup-cust"),
                self.custodian_key(self.admin, "center-cust")]
        site = self.srv.request("POST", "/api/v1/venues/sites", {"name": "某市公共资源交易中心", "address": "某路 1 号",
                                                                "region": "110000"}, token=self.admin).json
        rooms = {}
        for name, kind in (("开标一室", "opening"), ("评标一室", "evaluation")):
            rooms[kind] = self.srv.request("POST", "/api/v1/venues/sites/%d/rooms" % site["id"], {
                "name": name, "kind": kind, "capacity": 40, "equipment": ["recording"], "opens": "00:00",
                "closes": "24:00"}, token=self.admin).json
        for _ in range(8):
            self.expert()
        owner, owner_tok = self.make_user(self.admin, self.tenderer["id"], "tenderer")
        rep, rep_tok = self.make_user(self.admin, self.tenderer["id"], "tenderer")
        owner_key, rep_key = self.key_file(owner_tok, "owner.pem"), self.key_file(rep_tok, "rep.pem")
        # entry: registered, a document, submitted; accepted; the opening key
        self.page("projects.html", self.agent["username"], ready="!document.getElementById('create-section').hidden")
        br.type("#p-name", "某某中学综合楼新建工程")
        br.type("#p-tenderer", str(self.tenderer["id"]))
        br.type("#p-budget", "8,000,000.00")
        br.script("document.getElementById('p-lots').value = '施工总承包，7,500,000.00';")
        self.click_done("#create", "create-status")
        self.pid = int(br.script("return document.getElementById('detail').dataset.project;"))
        br.click("button[data-to='submitted']")
        br.wait_for("document.getElementById('d-title').textContent.includes('待受理')")
        self.admin_page("projects.html?project=%d" % self.pid, "document.querySelector(\"button[data-to='accepted']\")")
        br.click("button[data-to='accepted']")
        br.wait_for("!document.getElementById('key-box').hidden")
        br.script("document.getElementById('k-custodians').value = arguments[0];",
                  "\n".join("%d，%s" % (c["user_id"], c["key_id"]) for c in cust))
        self.click_done("#make-key", "key-status")
        # the opening room at the deadline, booked and approved; the tender published
        now = self.server_now()
        day0 = (now + 8 * 3600 * 10**6) // DAY
        deadline = (day0 + 22) * DAY + 2 * 3600 * 10**6  # 10:00 Beijing, 22 days on
        dday = time.strftime("%Y-%m-%d", time.gmtime(deadline / 10**6 + 8 * 3600))
        self.book(site["id"], rooms["opening"]["id"], dday, "10:00", "11:30", "opening", 30)
        self.page("projects.html?project=%d" % self.pid, self.agent["username"],
                  ready="!document.getElementById('ann-box').hidden")
        br.type("#a-title", "某某中学综合楼新建工程招标公告")
        br.type("#a-body", "一、招标条件……")
        for field, at in (("a-docs-from", now + MIN), ("a-docs-until", now + 6 * DAY), ("a-deadline", deadline),
                          ("a-opening", deadline)):
            br.script("document.getElementById(arguments[0]).value = arguments[1];", field, beijing_input(at))
        br.script("document.getElementById('a-deposits').value = '';")
        self.click_done("#draft", "ann-status")
        self.click_done("#publish", "ann-status")
        self.assertEqual(self.state(), "bidding")
        # three bids sealed in the browser
        for i, b in enumerate(bidders):
            self.page("bid.html", b["user"]["username"])
            br.type("#project", str(self.pid))
            br.type("#lot", "1")
            br.click("#load")
            br.wait_for("!document.getElementById('binding').hidden")
            br.type("#price", "%d.00" % (7400000 - 100000 * i))
            br.type("#duration", "365")
            br.files("#key", [b["pem"]])
            br.script("document.getElementById('status').dataset.state = 'busy';")
            br.click("#seal")
            br.wait_for("['done','refused'].includes(document.getElementById('status').dataset.state)", timeout=120)
            self.assertEqual(br.script("return document.getElementById('status').dataset.state;"), "done",
                             br.text("#status"))
        # the opening at the deadline, by the agent's and the center's shares, in the browser
        self.clock(deadline)
        owner_tok = self.srv.login(owner["username"], "user-password-1")
        for who, c in ((self.agent["username"], cust[0]), ("admin", cust[2])):
            if who == "admin":
                self.admin_page("custodian.html")
            else:
                self.page("custodian.html", who)
            br.type("#project", str(self.pid))
            br.type("#lot", "1")
            br.click("#load")
            br.wait_for("!!document.getElementById('k-id').textContent")
            br.files("#key", [c["pem"]])
            if who != "admin":
                br.script("document.getElementById('status').dataset.state = 'busy';")
                br.click("#start")
                br.wait_for("['done','refused'].includes(document.getElementById('status').dataset.state)", timeout=60)
            br.script("document.getElementById('status').dataset.state = 'busy';")
            br.click("#hand-in")
            br.wait_for("['done','refused'].includes(document.getElementById('status').dataset.state)", timeout=60)
            self.assertEqual(br.script("return document.getElementById('status').dataset.state;"), "done",
                             br.text("#status"))
        self.assertEqual(self.state(), "opened")
        self.page("projects.html?project=%d" % self.pid, self.agent["username"],
                  ready="document.querySelector(\"button[data-to='evaluating']\") !== null")
        br.click("button[data-to='evaluating']")
        br.wait_for("document.getElementById('d-title').textContent.includes('评标中')")
        # the evaluation room two hours on, booked and approved; the committee drawn on the draws page
        self.book(site["id"], rooms["evaluation"]["id"], dday, "12:00", "18:00", "evaluation", 9)
        self.booking = [b for b in self.srv.request("GET", "/api/v1/venues/bookings?project=%d" % self.pid,
                                                    token=self.admin).json["items"] if b["purpose"] == "evaluation"][0]["id"]
        self.page("draws.html?project=%d" % self.pid, self.agent["username"],
                  ready="!document.getElementById('ask-form').hidden")
        br.type("#ask-booking", str(self.booking))
        self.click_done("#ask", "ask-status")
        draw = self.srv.request("GET", "/api/v1/draws?project_id=%d" % self.pid, token=self.admin).json["items"][0]
        box = "section.draw[data-id='%d']" % draw["id"]
        for who, tok in (("admin", self.admin), (self.staff2["username"], self.staff2_tok)):
            key = self.key_file(tok, who + ".pem")
            if who == "admin":
                self.admin_page("draws.html?project=%d" % self.pid, key=key)
            else:
                self.page("draws.html?project=%d" % self.pid, who, key)
            br.wait_for("document.getElementById('d-status').dataset.state === 'loaded'")
            br.click(box + " button[data-act='cosign']")
            br.wait_for("['idle','refused'].includes(document.querySelector(\"%s .d-out\").dataset.state)" % box)
        self.page("draws.html?project=%d" % self.pid, self.sup["username"], self.key_file(self.sup_tok, "sup.pem"))
        br.wait_for("document.getElementById('d-status').dataset.state === 'loaded'")
        br.type(box + " .d-value", "监督人随机值")
        br.click(box + " button[data-act='entropy']")
        br.wait_for("document.querySelector(\"%s\").dataset.state === 'drawn'" % box)
        full = self.srv.request("GET", "/api/v1/draws/%d" % draw["id"], token=self.admin).json
        drawn = {m["user_id"]: m["pseudonym"] for m in full["members"] if m["state"] == "invited"}
        self.members = [dict(e, pseudonym=drawn[e["user"]["id"]]) for e in self.experts if e["user"]["id"] in drawn]
        keys = {}
        for i, e in enumerate(self.members):
            keys[e["pseudonym"]] = self.key_file(e["tok"], "m%d.pem" % i)
            self.page("draws.html", e["user"]["username"], keys[e["pseudonym"]],
                      "document.querySelector(\"#assignments button[data-act='confirm']\") !== null")
            self.click_done("#assignments button[data-act='confirm']", "a-status")
        # then on as from an opened lot: the representative, the sign-ins, the session, the award
        self.clock(deadline + 2 * 3600 * 10**6 + MIN)
        self.draw = draw
        self.rest_of_the_way(owner, owner_key, rep, rep_key, keys)
        self.vkey = self.vkey
        p = self.run_ggzy("audit", "replay", "--project", str(self.pid), "--vkey", self.vkey, token=self.sup_tok)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)  # nothing made by SQL: no violation at all
        self.assertNotIn("VIOLATION", p.stdout)
