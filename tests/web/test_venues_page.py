"""The venue page (web/venues.html, web/venues.js) in a real browser: the public sees a site's
week with an evaluation room only as occupied; an agent books a room for their project from
the form and a double booking is refused on the page with its rule; center staff approve the
request in the week view and relocate a room's bookings from the console."""
import os
import tempfile

from harness import ADMIN_PASSWORD
from test_venues import VenueFixture, HOUR
from webdriver import Browser

DONE = "document.getElementById('%s').dataset.state !== 'busy'"


class VenuesPageTest(VenueFixture):
    def setUp(self):
        super().setUp()
        self.browser = Browser()
        self.addCleanup(self.browser.close)
        self.day = self.local_date(self.day0)
        self.url = "https://localhost:%d/venues.html?site=%d&week=%s" % (self.srv.port, self.site["id"], self.day)

    @staticmethod
    def local_date(t_us):
        import datetime
        return datetime.datetime.fromtimestamp((t_us + 8 * HOUR) / 1e6, datetime.timezone.utc).strftime("%Y-%m-%d")

    def open(self):
        br = self.browser
        br.get(self.url)
        br.wait_for("document.getElementById('cal-status').dataset.state === 'done'")

    def sign_in(self, username, password):
        br = self.browser
        br.script("document.getElementById('cal-status').dataset.state = 'busy';")
        br.type("#username", username)
        br.type("#password", password)
        br.click("#login")
        br.wait_for("document.getElementById('who').dataset.state === 'in'")
        br.wait_for("document.getElementById('cal-status').dataset.state === 'done'")

    def cell_texts(self, room_id):
        return self.browser.script(
            "return Array.from(document.querySelectorAll('#week-grid tr[data-room=\"%d\"] td'))"
            ".map(td => td.textContent);" % room_id)

    def shot(self, name):
        path = os.path.join(os.environ.get("GGZY_SCREENSHOTS", tempfile.gettempdir()), name)
        self.browser.screenshot(path)
        self.assertGreater(os.path.getsize(path), 1000)

    def test_the_public_week_shows_an_evaluation_room_only_as_occupied(self):
        b = self.book(self.at(9), self.at(10)).json
        self.srv.request("POST", "/api/v1/venues/bookings/%d/decision" % b["id"], {"approve": True}, token=self.admin)
        self.book(self.at(10), self.at(12), room=self.eval_room, purpose="evaluation", people=7)
        self.open()
        ev = self.cell_texts(self.eval_room["id"])
        self.assertEqual(ev[0], "10:00–12:00 占用 occupied")
        self.assertNotIn("项目", "".join(ev))
        self.assertEqual(self.cell_texts(self.opening_room["id"])[0], "09:00–10:00 占用 occupied")
        self.assertTrue(self.browser.script("return document.getElementById('book').hidden;"))
        self.shot("venues-public.png")

    def test_an_agent_books_from_the_form_and_staff_approve_and_relocate(self):
        br = self.browser
        self.open()
        self.sign_in(self.agent["username"], "user-password-1")
        self.assertFalse(br.script("return document.getElementById('book').hidden;"))
        br.type("#b-project", str(self.pid))
        br.script("document.getElementById('b-room').value = '%d';" % self.opening_room["id"])
        br.script("document.getElementById('b-date').value = '%s';" % self.day)
        br.script("document.getElementById('b-start').value = '09:00'; document.getElementById('b-end').value = '10:00';")
        br.click("#b-submit")
        br.wait_for(DONE % "b-status")
        self.assertEqual(br.script("return document.getElementById('b-status').dataset.state;"), "done",
                         br.text("#b-status"))
        br.wait_for("document.querySelectorAll('#b-list tbody tr').length === 1")
        # the same hour again: refused on the page with its rule, and the span that holds it
        br.click("#b-submit")
        br.wait_for(DONE % "b-status")
        self.assertIn("[VENUE-OVERLAP]", br.text("#b-status"))
        self.shot("venues-agent.png")
        # center staff: the request in the week, approved there
        br.get(self.url)
        br.wait_for("document.getElementById('cal-status').dataset.state === 'done'")
        self.sign_in("admin", ADMIN_PASSWORD)
        self.assertIn("待审批", self.cell_texts(self.opening_room["id"])[0])
        br.click("#week-grid button[data-approve]")
        br.wait_for("!document.querySelector('#week-grid button[data-approve]')")
        self.assertIn("已批准", self.cell_texts(self.opening_room["id"])[0])
        self.assertFalse(br.script("return document.getElementById('console').hidden;"))
        # the room breaks down: relocated to the spare room from the console
        spare = self.room("第二开标室", "opening", 40)
        br.get(self.url)
        br.wait_for("document.getElementById('cal-status').dataset.state === 'done'")
        self.sign_in("admin", ADMIN_PASSWORD)
        br.script("document.getElementById('r-room').value = '%d';" % self.opening_room["id"])
        br.type("#r-reason", "投影仪故障")
        br.click("#relocate")
        br.wait_for(DONE % "console-status")
        self.assertIn("已迁移 moved 1", br.text("#console-status"))
        br.wait_for("document.getElementById('cal-status').dataset.state === 'done'")
        self.assertIn("已批准", self.cell_texts(spare["id"])[0])
        self.shot("venues-console.png")
