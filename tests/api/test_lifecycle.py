"""Start, stop and recover: graceful shutdown, the migrations runner's refusals,
--check-config, and a database that goes away and comes back."""
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import unittest

from harness import ApiTest, Server, admin_sql, GGZYD, ROOT


class ShutdownTest(ApiTest):
    def test_sigterm_lets_in_flight_requests_finish_and_takes_no_new_ones(self):
        result = {}

        def slow():
            result["r"] = self.srv.request("GET", "/api/v1/test/sleep?ms=1500")

        t = threading.Thread(target=slow)
        t.start()
        time.sleep(0.4)  # the slow request is in flight
        self.srv.proc.send_signal(signal.SIGTERM)
        time.sleep(0.3)
        with self.assertRaises(OSError):
            self.srv.request("GET", "/healthz")  # the listening socket is closed
        t.join(10)
        self.assertEqual(result["r"].status, 200)
        self.assertEqual(result["r"].json["slept_ms"], 1500)
        self.assertEqual(self.srv.stop(), 0)
        self.assertIn("ggzyd stopped", self.srv.log_text())

    def test_sigint_stops_cleanly_too(self):
        self.assertEqual(self.srv.stop(signal.SIGINT), 0)


class MigrationsTest(unittest.TestCase):
    def setUp(self):
        self.migs = tempfile.mkdtemp(prefix="ggzy-migs-")
        for f in os.listdir(os.path.join(ROOT, "migrations")):
            shutil.copy(os.path.join(ROOT, "migrations", f), self.migs)
        self.srv = Server(conf={"migrations.dir": self.migs}, start=False)
        self.addCleanup(self.srv.close)
        self.addCleanup(shutil.rmtree, self.migs)

    def test_migrate_applies_each_file_once_with_its_checksum(self):
        self.srv.run_cmd("migrate")
        rows = self.srv.sql("SELECT version, dirty, LENGTH(checksum) FROM schema_migrations ORDER BY version")
        self.assertEqual(rows, [["1", "0", "64"], ["2", "0", "64"]])
        self.srv.run_cmd("migrate")  # a second run changes nothing
        self.assertEqual(len(self.srv.sql("SELECT * FROM schema_migrations")), 2)

    def test_serve_refuses_pending_migrations(self):
        p = self.srv.run_cmd("serve", check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("pending", p.stderr)

    def test_a_changed_applied_file_is_refused(self):
        self.srv.run_cmd("migrate")
        with open(os.path.join(self.migs, "0001_accounts.sql"), "a") as f:
            f.write("\n-- edited afterwards\n")
        for cmd in ("migrate", "serve"):
            p = self.srv.run_cmd(cmd, check=False)
            self.assertNotEqual(p.returncode, 0)
            self.assertIn("changed after it was applied", p.stderr)

    def test_a_failed_migration_stays_dirty_and_blocks_everything(self):
        with open(os.path.join(self.migs, "0003_broken.sql"), "w") as f:
            f.write("CREATE TABLE ok_part (id INT PRIMARY KEY);\nTHIS IS NOT SQL;\n")
        p = self.srv.run_cmd("migrate", check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("0003_broken.sql failed", p.stderr)
        self.assertEqual(self.srv.sql("SELECT dirty FROM schema_migrations WHERE version=3"), [["1"]])
        for cmd in ("migrate", "serve"):
            p = self.srv.run_cmd(cmd, check=False)
            self.assertNotEqual(p.returncode, 0)
            self.assertIn("dirty", p.stderr)
        # the documented repair: fix the schema and the file, delete the row, migrate again
        self.srv.sql("DROP TABLE ok_part; DELETE FROM schema_migrations WHERE version=3")
        with open(os.path.join(self.migs, "0003_broken.sql"), "w") as f:
            f.write("CREATE TABLE ok_part (id INT PRIMARY KEY);\n")
        self.srv.run_cmd("migrate")

    def test_a_removed_applied_file_is_refused(self):
        self.srv.run_cmd("migrate")
        os.unlink(os.path.join(self.migs, "0002_core.sql"))
        p = self.srv.run_cmd("migrate", check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("has no file", p.stderr)


class CheckConfigTest(unittest.TestCase):
    def run_check(self, text, env=None):
        with tempfile.NamedTemporaryFile("w", suffix=".conf", delete=False) as f:
            f.write(text)
        try:
            e = dict(os.environ)
            e.update(env or {})
            return subprocess.run([GGZYD, "-c", f.name, "--check-config"], capture_output=True, text=True, env=e)
        finally:
            os.unlink(f.name)

    def test_a_valid_configuration_passes(self):
        p = self.run_check("http.tls = off\ndb.socket = /tmp/none.sock\n")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("configuration OK", p.stdout)

    def test_mistakes_are_reported_with_the_key(self):
        for text, words in [("http.tls = off\nhttp.bind = 0.0.0.0\ndb.socket = /x\n", "loopback"),
                            ("htp.port = 1\n", "unknown key"),
                            ("db.pool_size = 0\ndb.socket = /x\n", "db.pool_size"),
                            ("http.tls = off\ndb.socket = /x\ndb.tls = verify\n", "db.tls_ca"),
                            ("http.cert = /nonexistent.crt\ndb.socket = /x\n", "http.cert")]:
            p = self.run_check(text)
            self.assertEqual(p.returncode, 2, text)
            self.assertIn(words, p.stderr, text)

    def test_environment_overrides_are_checked_too(self):
        p = self.run_check("http.tls = off\ndb.socket = /x\n", env={"GGZY_HTTP_PORT": "http"})
        self.assertEqual(p.returncode, 2)
        self.assertIn("GGZY_HTTP_PORT", p.stderr)


class DatabaseRestartTest(unittest.TestCase):
    """A second, throw-away MariaDB that the test stops and starts under a running ggzyd."""

    def start_db(self, user="ggzy_admin", password=None):
        args = ["mariadbd", "--no-defaults", "--datadir=" + self.data, "--socket=" + self.sock,
                "--skip-networking", "--pid-file=" + os.path.join(self.dir, "pid"),
                "--log-error=" + os.path.join(self.dir, "err.log"), "--innodb-buffer-pool-size=32M"]
        if os.getuid() == 0:
            args.append("--user=root")
        self.db = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(300):
            try:
                admin_sql("SELECT 1", sock=self.sock, user=user, password=self.pw if password is None else password)
                return
            except AssertionError:
                time.sleep(0.1)
        self.db.kill()
        self.db.wait()
        raise AssertionError("test MariaDB did not start")

    def stop_db(self):
        self.db.send_signal(signal.SIGTERM)
        self.db.wait(60)

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="ggzy-db-")
        self.data = os.path.join(self.dir, "data")
        self.sock = os.path.join(self.dir, "s.sock")
        self.pw = secrets.token_hex(8)
        args = ["mariadb-install-db", "--no-defaults", "--datadir=" + self.data,
                "--auth-root-authentication-method=socket", "--skip-test-db"]
        if os.getuid() == 0:
            args.append("--user=root")
        subprocess.run(args, check=True, capture_output=True)
        me = "root" if os.getuid() == 0 else os.environ.get("USER", "root")
        self.start_db(user=me, password="")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.addCleanup(lambda: self.db.poll() is None and self.stop_db())
        admin_sql("CREATE USER ggzy_admin@localhost IDENTIFIED BY '%s'; GRANT ALL ON *.* TO ggzy_admin@localhost;"
                  " CREATE USER ggzy@localhost IDENTIFIED BY '%s'; GRANT ALL ON `ggzy%%`.* TO ggzy@localhost" % (self.pw, self.pw),
                  sock=self.sock, user=me, password="")

    def test_ggzyd_answers_503_while_the_database_is_down_and_recovers_by_itself(self):
        srv = Server(db_socket=self.sock, db_password=self.pw, admin_password=self.pw,
                     conf={"db.acquire_timeout_ms": "500", "db.connect_timeout_s": "1"})
        self.addCleanup(srv.close)
        tok = srv.admin_token()
        self.assertEqual(srv.request("GET", "/healthz").status, 200)
        self.stop_db()
        for path in ("/healthz", "/api/v1/users"):
            r = srv.request("GET", path, token=tok)
            self.assertEqual(r.status, 503, r)
            self.assertEqual(r.code, "database_unavailable")
        self.start_db()
        deadline = time.time() + 15
        while True:
            r = srv.request("GET", "/api/v1/users", token=tok)
            if r.status == 200 or time.time() > deadline:
                break
            time.sleep(0.2)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(srv.request("GET", "/healthz").status, 200)
        self.assertIn("ggzy_db_lost_total", srv.request("GET", "/metrics").body)
