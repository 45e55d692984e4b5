"""The scheduler: every module's background jobs run when due on the platform's one clock (the
test clock moves it), as named system actors, once per due time across restarts; GET
/api/v1/system/jobs shows them to center staff and supervisors only."""
import time

from harness import ApiTest


def jobs(srv, token):
    r = srv.request("GET", "/api/v1/system/jobs", token=token)
    assert r.status == 200, r
    return {j["name"]: j for j in r.json["items"]}


class SchedulerTest(ApiTest):

    def wait_for(self, cond, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            v = cond()
            if v:
                return v
            time.sleep(0.1)
        self.fail("not within %ss" % timeout)

    def test_every_modules_jobs_are_listed_for_staff_and_refused_to_others(self):
        admin = self.srv.admin_token()
        js = self.wait_for(lambda: jobs(self.srv, admin))
        for name in ("core.idempotency-expire", "core.log-scan", "accounts.sessions-expire",
                     "accounts.throttle-expire", "accounts.devices-expire"):
            self.assertIn(name, js)
            self.assertIsInstance(js[name]["next_due_us"], int)
            self.assertIsInstance(js[name]["runs"], int)
        org = self.make_org(admin)
        _, bidder = self.make_user(admin, org["id"], "bidder")
        self.assertError(self.srv.request("GET", "/api/v1/system/jobs", token=bidder), 403,
                         "forbidden")
        self.assertError(self.srv.request("GET", "/api/v1/system/jobs"), 401, "unauthenticated")

    def test_a_job_runs_when_the_clock_reaches_its_due_time_and_not_before(self):
        admin = self.srv.admin_token()
        name = "accounts.sessions-expire"  # every 60 s of the platform's clock
        before = self.wait_for(lambda: jobs(self.srv, admin).get(name))
        time.sleep(1.5)  # the scheduler looks every second: nothing is due yet
        still = jobs(self.srv, admin)[name]
        self.assertEqual(still["runs"], before["runs"])
        self.assertEqual(still["next_due_us"], before["next_due_us"])
        r = self.srv.request("POST", "/api/v1/test/clock", {"advance_us": 61 * 1000000})
        self.assertEqual(r.status, 200, r)
        now = r.json["now_us"]
        ran = self.wait_for(lambda: (lambda j: j if j["runs"] > before["runs"] else None)(
            jobs(self.srv, admin)[name]))
        self.assertEqual(ran["runs"], before["runs"] + 1)  # once, however long it was overdue
        self.assertTrue(ran["last_ok"])
        self.assertGreaterEqual(ran["last_run_us"], now)
        self.assertEqual(ran["next_due_us"], ran["last_run_us"] + 60 * 1000000)

    def test_expired_sessions_are_deleted_by_the_job_and_live_ones_kept(self):
        admin = self.srv.admin_token()
        org = self.make_org(admin)
        _, bidder = self.make_user(admin, org["id"], "bidder")
        count = lambda: int(self.srv.sql("SELECT COUNT(*) FROM sessions")[0][0])
        n = count()
        self.assertGreaterEqual(n, 2)
        # two days on: every session has expired (they last hours) and is a day past it
        self.srv.request("POST", "/api/v1/test/clock", {"advance_us": 2 * 86400 * 1000000})
        self.wait_for(lambda: count() == 0)
        self.assertError(self.srv.request("GET", "/api/v1/me", token=bidder), 401,
                         "unauthenticated")

    def test_due_times_survive_a_restart_and_start_up_jobs_run_at_every_start(self):
        admin = self.srv.admin_token()
        js = self.wait_for(lambda: (lambda j: j if j["core.log-scan"]["runs"] >= 1 else None)(
            jobs(self.srv, admin)))
        devices = js["accounts.devices-expire"]  # every hour: not due within this test
        scans = js["core.log-scan"]["runs"]
        self.assertEqual(self.srv.stop(), 0)
        self.srv.start()
        admin = self.srv.admin_token()
        after = self.wait_for(lambda: (lambda j: j if j["core.log-scan"]["runs"] > scans else None)(
            jobs(self.srv, admin)))
        self.assertEqual(after["core.log-scan"]["runs"], scans + 1)  # the self-check at start
        self.assertEqual(after["accounts.devices-expire"]["next_due_us"], devices["next_due_us"])
        self.assertEqual(after["accounts.devices-expire"]["runs"], devices["runs"])


class TwoNodesTest(ApiTest):
    """Two ggzyd nodes on one database, as in a cluster: a due job runs on exactly one of them."""

    def test_a_due_run_is_claimed_by_exactly_one_of_two_nodes(self):
        from harness import Server
        other = Server(conf={"db.name": self.srv.db}, create_db=False, start=False)
        other.start()
        other.db = self.srv.db + "_not_mine"  # closing the second node drops no database
        self.addCleanup(other.close)
        admin = self.srv.admin_token()
        name = "accounts.sessions-expire"
        before = self.wait_runs(admin, name, 0)
        t = self.srv.request("GET", "/api/v1/test/clock").json["now_us"] + 61 * 1000000
        for node in (self.srv, other):  # each node has its own test clock: move both alike
            r = node.request("POST", "/api/v1/test/clock", {"set_us": t})
            self.assertEqual(r.status, 200, r)
        after = self.wait_runs(admin, name, before + 1)
        time.sleep(1.5)  # both schedulers have looked again since
        self.assertEqual(jobs(self.srv, admin)[name]["runs"], after)
        self.assertEqual(after, before + 1)

    def wait_runs(self, token, name, at_least, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            j = jobs(self.srv, token).get(name)
            if j and j["runs"] >= at_least:
                return j["runs"]
            time.sleep(0.1)
        self.fail("%s did not reach %d runs" % (name, at_least))
