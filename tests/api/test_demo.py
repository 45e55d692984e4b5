"""The demonstration `scripts/dev run` seeds on its first start (scripts/demo.py), run against a
fresh server: it must leave a tender anyone can try — the announcement published and listed in
public with its signature, each role able to sign in, every person's key certified and
registered, the lot's opening key held by the agent, the supervisor and the center."""
import os
import subprocess
import tempfile

from harness import ADMIN_PASSWORD, CA, ROOT, ApiTest

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
