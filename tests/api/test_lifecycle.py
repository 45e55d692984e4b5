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

from harness import ApiTest, Server, TempMariaDB, free_port, GGZYD, ROOT


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
        r = self.srv.request("GET", "/healthz")  # a new request is refused while the drain runs
        self.assertError(r, 503, "shutting_down")
        self.assertEqual(r.header("Connection"), "close")
        t.join(10)
        self.assertEqual(result["r"].status, 200)
        self.assertEqual(result["r"].json["slept_ms"], 1500)
        self.assertEqual(self.srv.stop(), 0)
        self.assertIn("ggzyd stopped", self.srv.log_text())

    def test_sigint_stops_cleanly_too(self):
        self.assertEqual(self.srv.stop(signal.SIGINT), 0)

    def test_sigint_stops_a_server_started_as_a_background_job(self):
        # shells start background jobs with SIGINT ignored; Ctrl-C must still stop ggzyd
        self.srv.stop()
        self.srv.start(ignore_sigint=True)
        self.assertEqual(self.srv.stop(signal.SIGINT, timeout=10), 0)


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
        files = sorted(f for f in os.listdir(self.migs) if f.endswith(".sql"))
        rows = self.srv.sql("SELECT version, dirty, LENGTH(checksum) FROM schema_migrations ORDER BY version")
        self.assertEqual(rows, [[str(int(f[:4])), "0", "64"] for f in files])
        self.srv.run_cmd("migrate")  # a second run changes nothing
        self.assertEqual(len(self.srv.sql("SELECT * FROM schema_migrations")), len(files))

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
        with open(os.path.join(self.migs, "0099_broken.sql"), "w") as f:
            f.write("CREATE TABLE ok_part (id INT PRIMARY KEY);\nTHIS IS NOT SQL;\n")
        p = self.srv.run_cmd("migrate", check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("0099_broken.sql failed", p.stderr)
        self.assertEqual(self.srv.sql("SELECT dirty FROM schema_migrations WHERE version=99"), [["1"]])
        for cmd in ("migrate", "serve"):
            p = self.srv.run_cmd(cmd, check=False)
            self.assertNotEqual(p.returncode, 0)
            self.assertIn("dirty", p.stderr)
        # the documented repair: fix the schema and the file, delete the row, migrate again
        self.srv.sql("DROP TABLE ok_part; DELETE FROM schema_migrations WHERE version=99")
        with open(os.path.join(self.migs, "0099_broken.sql"), "w") as f:
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
        key = os.path.join(tempfile.gettempdir(), "ggzy-check-audit.key")
        if not os.path.exists(key):
            subprocess.run(["openssl", "genpkey", "-algorithm", "ed25519", "-out", key], check=True)
        with tempfile.NamedTemporaryFile("w", suffix=".conf", delete=False) as f:
            f.write("audit.key = %s\n" % key)
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
    def test_ggzyd_answers_503_while_the_database_is_down_and_recovers_by_itself(self):
        db = TempMariaDB()
        self.addCleanup(db.close)
        srv = Server(db_socket=db.sock, db_password=db.password, admin_password=db.password,
                     conf={"db.acquire_timeout_ms": "500", "db.connect_timeout_s": "1"})
        self.addCleanup(srv.close)
        tok = srv.admin_token()
        self.assertEqual(srv.request("GET", "/healthz").status, 200)
        db.stop()
        for path in ("/healthz", "/api/v1/users"):
            r = srv.request("GET", path, token=tok)
            self.assertEqual(r.status, 503, r)
            self.assertEqual(r.code, "database_unavailable")
        db.start()
        deadline = time.time() + 15
        while True:
            r = srv.request("GET", "/api/v1/users", token=tok)
            if r.status == 200 or time.time() > deadline:
                break
            time.sleep(0.2)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(srv.request("GET", "/healthz").status, 200)
        self.assertIn("ggzy_db_lost_total", srv.request("GET", "/metrics").body)


class ExternalDatabaseTest(unittest.TestCase):
    """Production mode: an external MariaDB over TCP that requires TLS."""

    def setUp(self):
        self.db = TempMariaDB(tcp_port=free_port(), tls=True)
        self.addCleanup(self.db.close)

    def server(self, tls, start=True):
        srv = Server(db_socket=self.db.sock, db_password=self.db.password, admin_password=self.db.password,
                     start=start, conf={"db.socket": "", "db.host": "127.0.0.1", "db.port": str(self.db.port),
                                        "db.tls": tls, "db.tls_ca": os.path.join(ROOT, "var", "certs", "ca.crt")})
        self.addCleanup(srv.close)
        return srv

    def test_ggzyd_works_over_tcp_with_a_verified_tls_connection(self):
        srv = self.server("verify")
        tok = srv.admin_token()
        self.assertEqual(srv.request("GET", "/api/v1/me", token=tok).status, 200)
        cipher = srv.admin("SHOW STATUS LIKE 'Ssl_accepts'")
        self.assertGreater(int(cipher[0][1]), 0)

    def test_a_server_requiring_tls_refuses_ggzyd_without_it(self):
        srv = self.server("off", start=False)
        p = srv.run_cmd("migrate", check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("cannot connect", p.stderr)
