"""The projects page (web/projects.html, web/projects.js) in a real browser: an agent registers a
project with its lot (budget and estimate typed in 元 with separators), uploads the tender document
and sees the SHA-256 the server computed, and submits the project; center staff accept it (the
project gets its code) and make the lot's opening key with its custodians; the agent drafts the tender announcement — times in Beijing time, the
deposit in 元, the evaluation method with an objective criterion — previews it as stored and
publishes it, and the project is bidding. A refusal is shown with its rule. At a phone's width
nothing is wider than the screen."""
import hashlib
import os
import tempfile
import time

import test_opening
from harness import ADMIN_PASSWORD
from webdriver import Browser

DAY = 86400 * 10**6
DONE = "['done','refused'].includes(document.getElementById('%s').dataset.state)"


def beijing_input(us):
    """A datetime-local value for µs since the epoch, in Beijing time."""
    return time.strftime("%Y-%m-%dT%H:%M", time.gmtime(us / 10**6 + 8 * 3600))


class ProjectsPageTest(test_opening.Ceremony):
    def setUp(self):
        super().setUp()
        self.browser = Browser()
        self.addCleanup(self.browser.close)
        self.shots = os.environ.get("GGZY_SCREENSHOTS", tempfile.gettempdir())

    def page(self, username, query="", password="user-password-1"):
        br = self.browser
        br.get("https://localhost:%d/projects.html%s" % (self.srv.port, query))
        br.type("#username", username)
        br.type("#password", password)
        br.click("#login")
        br.wait_for("document.getElementById('who').dataset.state === 'in'")

    def done(self, button, status):
        br = self.browser
        br.script("document.getElementById(arguments[0]).dataset.state = 'idle';", status)
        br.click(button)
        br.wait_for(DONE % status)
        self.assertEqual(br.script("return document.getElementById(arguments[0]).dataset.state;", status), "done",
                         br.text("#" + status))

    def shot(self, name):
        for width in (1366, 390):
            path = os.path.join(self.shots, "%s-%d.png" % (name, width))
            self.browser.screenshot(path, width=width, height=1100)
            self.assertGreater(os.path.getsize(path), 1000)
            if width == 390:
                self.assertLessEqual(self.browser.script("return document.documentElement.scrollWidth;"), 390)
        self.browser.screenshot(os.devnull, width=1366, height=1100)

    def test_an_agent_registers_submits_and_announces_a_project_that_staff_accept(self):
        br = self.browser
        tenderer = self.make_org(self.admin, "tenderer")
        # every page names its icon, which the server serves (no failed load in the console)
        self.assertEqual(self.srv.request("GET", "/favicon.svg").status, 200)
        # the agent registers the project on the page
        self.page(self.agent["username"])
        self.assertEqual(br.script("return document.querySelector('link[rel=icon]').getAttribute('href');"),
                         "/favicon.svg")
        br.wait_for("!document.getElementById('create-section').hidden")
        br.type("#p-name", "某某中学综合楼新建工程")
        br.type("#p-tenderer", str(tenderer["id"]))
        br.type("#p-budget", "8,000,000.00")
        br.script("document.getElementById('p-lots').value = '施工总承包，7,500,000.00';")
        self.done("#create", "create-status")
        pid = int(br.script("return document.getElementById('detail').dataset.project;"))
        p = self.srv.request("GET", "/api/v1/projects/%d" % pid, token=self.agent_tok).json
        self.assertEqual((p["budget_fen"], [l["estimate_fen"] for l in p["lots"]]), (800000000, [750000000]))
        self.assertIn("8,000,000.00 元", br.text("#d-info"))
        # the tender document, hashed by the server as the page shows
        doc = os.path.join(tempfile.mkdtemp(), "招标文件.pdf")
        data = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
        with open(doc, "wb") as f:
            f.write(data)
        br.files("#doc-file", [doc])
        self.done("#upload", "doc-status")
        self.assertIn(hashlib.sha256(data).hexdigest(), br.text("#docs"))
        br.click("button[data-to='submitted']")
        br.wait_for("document.getElementById('d-title').textContent.includes('待受理')")
        self.shot("projects-agent")
        # center staff accept it: the project gets its code
        self.page("admin", "?project=%d" % pid, password=ADMIN_PASSWORD)
        br.wait_for("document.querySelector(\"button[data-to='accepted']\") !== null")
        br.click("button[data-to='accepted']")
        br.wait_for("document.getElementById('d-title').textContent.includes('已受理')")
        code = self.srv.request("GET", "/api/v1/projects/%d" % pid, token=self.agent_tok).json["code"]
        self.assertTrue(code)
        # the lot's opening key, made on this page with its three custodians (any two open it)
        br.wait_for("!document.getElementById('key-box').hidden")
        br.script("document.getElementById('k-custodians').value = arguments[0];",
                  "\n".join("%d，%s" % (c["user_id"], c["key_id"]) for c in self.cust))
        self.done("#make-key", "key-status")
        # (the key is published with the tender announcement, not before)
        key_id, threshold, custodians = self.srv.sql("SELECT key_id, threshold, custodians FROM opening_keys "
                                                     "WHERE project_id = %d AND lot_seq = 1" % pid)[0]
        self.assertEqual((int(threshold), int(custodians)), (2, 3))
        self.assertIn(key_id, br.text("#key-status"))
        # the opening room (the venues page's business), then the tender announcement drafted,
        # previewed and published on this page
        now = self.server_now()
        deadline = (now // (60 * 10**6)) * 60 * 10**6 + 21 * DAY
        self.book_opening(pid, deadline, self.agent_tok)
        self.page(self.agent["username"], "?project=%d" % pid)
        br.wait_for("!document.getElementById('ann-box').hidden")
        br.type("#a-title", "某某中学综合楼新建工程招标公告")
        br.type("#a-body", "一、招标条件……二、项目概况……")
        for field, at in (("a-docs-from", now + 60 * 10**6), ("a-docs-until", now + 6 * DAY),
                          ("a-deadline", deadline), ("a-opening", deadline)):
            br.script("document.getElementById(arguments[0]).value = arguments[1];", field, beijing_input(at))
        br.script("document.getElementById('a-deposits').value = '1，150,000.00';")
        br.script("document.getElementById('m-criteria').value = 'T，技术方案，40\\nQ，资质证书，30，客观';")
        self.done("#draft", "ann-status")
        br.wait_for("!document.getElementById('preview').hidden")
        text = br.text("#pv-text")
        self.assertIn("第 1 标段投标保证金：150,000.00 元", text)
        self.assertIn("Q 资质证书：30.00 分（客观）", text)
        self.assertIn(beijing_input(deadline).replace("T", " "), text)
        self.shot("projects-announcement")
        self.done("#publish", "ann-status")
        p = self.srv.request("GET", "/api/v1/projects/%d" % pid, token=self.agent_tok).json
        self.assertEqual(p["state"], "bidding")
        pub = self.srv.request("GET", "/api/v1/public/announcements?type=tender").json["items"]
        self.assertIn(pid, [a["project_id"] for a in pub])
        # a refusal is shown with its rule: a second tender announcement drafted, refused at publication
        br.type("#a-title", "重复的招标公告")
        self.done("#draft", "ann-status")
        br.script("document.getElementById('ann-status').dataset.state = 'idle';")
        br.click("#publish")
        br.wait_for(DONE % "ann-status")
        self.assertEqual(br.script("return document.getElementById('ann-status').dataset.state;"), "refused")
        self.assertRegex(br.text("#ann-status"), r"HTTP 4\d\d")
