"""The demonstration `scripts/dev run` seeds on its first start (scripts/demo.py), run against a
fresh server: it must leave a tender anyone can try — the announcement published and listed in
public with its signature, each role able to sign in, every person's key certified and
registered, the lot's opening key held by the agent, the supervisor and the center. Its award
step (`scripts/dev demo award`, with `scripts/dev run --demo-clock`) carries that tender on to
`closed` through the API as each of its people, and the project's log replays clean. ggzyd
--demo-clock lets the clock be moved and says so, and nothing else of test mode is there."""
import os
import subprocess
import sys
import tempfile

from harness import ADMIN_PASSWORD, CA, ROOT, ApiTest, Server

GGZY_CLI = os.environ.get("GGZY_CLI") or os.path.join(ROOT, "build", "debug", "ggzy")


class DemoTest(ApiTest):

    def test_the_demonstration_seeds_a_published_tender_every_role_can_try(self):
        out = tempfile.mkdtemp(prefix="ggzy-demo-")
        p = subprocess.run(["python3", os.path.join(ROOT, "scripts", "demo.py"),
                            "https://localhost:%d" % self.srv.port, CA, ADMIN_PASSWORD, GGZY_CLI, out],
                           capture_output=True, text=True, timeout=300)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("the demonstration is ready", p.stdout)
        self.assertTrue(os.path.exists(os.path.join(out, "seeded")))
        self.srv.wait_sequenced()
        listed = self.srv.request("GET", "/api/v1/public/announcements").json["items"]
        self.assertEqual(len(listed), 1)
        ann = listed[0]
        self.assertEqual(ann["type"], "tender")
        self.assertIn("/bid.html", p.stdout)
        # the guide's log check works as printed: the token from its sign-in, then ggzy audit verify
        lines = [l.strip() for l in p.stdout.splitlines()]
        token_line = next(l for l in lines if l.startswith("TOKEN=$(curl"))
        verify_line = next(l for l in lines if l.endswith("audit verify"))
        self.srv.wait_sequenced()
        self.srv.request("POST", "/api/v1/audit/checkpoints", token=self.srv.admin_token())
        v = subprocess.run(["bash", "-c", token_line + " && " + verify_line], capture_output=True, text=True,
                           timeout=120)
        self.assertEqual(v.returncode, 0, v.stdout + v.stderr)
        self.assertIn("project %s" % ann["project_code"], p.stdout)
        sig = self.srv.request("GET", "/api/v1/public/announcements/%d/signature" % ann["id"])
        self.assertEqual(sig.status, 200, sig)
        for user in ("demo-agent", "demo-supervisor", "demo-bidder1", "demo-bidder2", "demo-bidder3"):
            tok = self.srv.login(user, "demo-password-1")
            keys = self.srv.request("GET", "/api/v1/me/keys", token=tok).json["items"]
            self.assertEqual(len(keys), 1, user)
            self.assertTrue(os.path.exists(os.path.join(out, "keys", user + ".pem")), user)
        okey = self.srv.request("GET", "/api/v1/projects/%d/lots/1/opening-key" % ann["project_id"])
        self.assertEqual(okey.status, 200, okey)
        self.assertEqual(len(okey.json["custodians"]), 3)
        self.assertEqual(sorted(c["role"] for c in okey.json["custodians"]),
                         ["agent", "center_admin", "supervisor"])

    def test_the_award_step_carries_the_demonstration_to_closed_and_it_replays_clean(self):
        out = tempfile.mkdtemp(prefix="ggzy-demo-")
        base = "https://localhost:%d" % self.srv.port

        def demo(*step):
            return subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "demo.py"), base, CA,
                                   ADMIN_PASSWORD, GGZY_CLI, out] + list(step),
                                  capture_output=True, text=True, timeout=600)
        p = demo()
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        p = demo("award", "--test")  # test mode's clock stands in for the demonstration clock
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("the project is closed", p.stdout)
        self.assertIn("/evaluation.html?id=", p.stdout)
        pid = int(self.srv.sql("SELECT id FROM projects ORDER BY id LIMIT 1")[0][0])
        self.assertEqual(self.srv.sql("SELECT state FROM projects WHERE id = %d" % pid)[0][0], "closed")
        sup = self.srv.login("demo-supervisor", "demo-password-1")
        self.srv.request("POST", "/api/v1/audit/checkpoints", token=sup)
        self.srv.wait_sequenced()
        self.srv.request("POST", "/api/v1/audit/checkpoints", token=sup)
        vkey = self.srv.request("GET", "/api/v1/audit/vkey").json["vkey"]
        r = subprocess.run([GGZY_CLI, "--server", base, "--ca", CA, "--token", sup, "audit", "replay",
                            "--project", str(pid), "--vkey", vkey], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)


class DemoClockTest(ApiTest):
    server_args = {"test_mode": False, "extra_args": ["--demo-clock"]}

    def test_the_demonstration_clock_moves_and_says_so_and_nothing_else_of_test_mode_is_there(self):
        h = self.srv.request("GET", "/healthz").json
        self.assertTrue(h.get("demo_clock"), h)
        r = self.srv.request("POST", "/api/v1/test/clock", {"set_us": h["now_us"] + 86400 * 10**6})
        self.assertEqual(r.status, 200, r)
        self.assertGreater(self.srv.request("GET", "/healthz").json["now_us"], h["now_us"] + 86000 * 10**6)
        admin = self.srv.admin_token()
        for method, path in (("POST", "/api/v1/test/audit/entries"), ("POST", "/api/v1/test/events"),
                             ("GET", "/api/v1/test/sleep?ms=1")):
            r = self.srv.request(method, path, {} if method == "POST" else None, token=admin)
            self.assertEqual(r.status, 404, (path, r))

    def test_a_production_platform_refuses_the_demonstration_clock(self):
        with self.assertRaises(AssertionError) as e:
            srv = Server(test_mode=False, conf={"platform.id": "ggzy.example.gov.cn"}, extra_args=["--demo-clock"])
            self.addCleanup(srv.stop)
        self.assertIn("never runs in production", str(e.exception))
