"""The public portal (web/index.html, web/portal.js) in a real browser: Chromium, with no
sign-in, lists the published announcements, narrows them with the filters, shows one from the
very content the platform signed — with its version chain and links to OCDS and Atom — and
checks the platform's Ed25519 signature in the page. When a database administrator edits a
published announcement's stored content, the page says the signature does not hold."""
from test_opening import Ceremony
from webdriver import Browser

SIG_DONE = "document.getElementById('sig').dataset.state !== 'checking'"
LISTED = "document.getElementById('list-status').dataset.state === 'done'"


class PortalPageTest(Ceremony):
    def setUp(self):
        super().setUp()
        self.browser = Browser()
        self.addCleanup(self.browser.close)
        self.base = "https://localhost:%d/" % self.srv.port
        self.srv.wait_sequenced()

    def rows(self):
        return self.browser.script(
            "return Array.from(document.querySelectorAll('#announcements tbody tr'))"
            ".map(tr => [tr.dataset.id, tr.textContent]);")

    def test_the_published_tender_is_listed_and_the_filters_narrow_the_list(self):
        br = self.browser
        br.get(self.base)
        br.wait_for(LISTED)
        rows = self.rows()
        self.assertEqual([r[0] for r in rows], [str(self.ann)])
        self.assertIn(self.code, rows[0][1])
        self.assertIn("招标公告", rows[0][1])
        self.assertEqual(br.script("return document.querySelector('nav a[aria-current]').getAttribute('href');"), "/")
        # a type that has nothing published: no row, said so
        br.script("document.getElementById('f-type').value = 'award';"
                  "document.getElementById('list-status').dataset.state = 'busy';")
        br.click("#search")
        br.wait_for(LISTED)
        self.assertEqual(self.rows(), [])
        self.assertIn("没有符合条件的公告", br.text("#list-status"))
        # the title search finds it again
        br.script("document.getElementById('f-type').value = '';"
                  "document.getElementById('list-status').dataset.state = 'busy';")
        br.type("#f-q", "招标")
        br.click("#search")
        br.wait_for(LISTED)
        self.assertEqual([r[0] for r in self.rows()], [str(self.ann)])

    def test_one_announcement_shows_its_signed_content_and_the_signature_verifies_in_the_page(self):
        br = self.browser
        br.get(self.base + "?id=%d" % self.ann)
        br.wait_for(SIG_DONE)
        self.assertEqual(br.script("return document.getElementById('sig').dataset.state;"), "ok",
                         br.text("#sig"))
        self.assertIn("签名有效", br.text("#sig"))
        self.assertIn(self.code, br.text("#a-meta"))
        self.assertTrue(br.text("#a-title"))
        links = br.script("return Array.from(document.querySelectorAll('#a-links a')).map(a => a.getAttribute('href'));")
        self.assertIn("/api/v1/public/projects/%d/ocds/releases" % self.pid, links)
        self.assertIn("/api/v1/public/feed.atom", links)
        versions = br.script("return document.querySelectorAll('#a-versions li').length;")
        self.assertEqual(versions, 1)

    def test_content_edited_in_the_database_fails_the_check_in_the_page(self):
        self.srv.sql("UPDATE announcements SET content = REPLACE(content, '\"title\":\"', "
                     "'\"title\":\"X') WHERE id = %d" % self.ann)
        br = self.browser
        br.get(self.base + "?id=%d" % self.ann)
        br.wait_for(SIG_DONE)
        self.assertEqual(br.script("return document.getElementById('sig').dataset.state;"), "bad")
        self.assertIn("does not hash", br.text("#sig"))
