"""harness.py — starts the real ggzyd against the project's private MariaDB for API tests.

Every test case gets its own fresh database (CREATE DATABASE ggzy_t_<random>), migrated with
`ggzyd migrate`, a center_admin from `ggzyd bootstrap-admin`, and its own ggzyd serving HTTPS on
a free port (http.port = 0, the bound port read from --port-file). Requests go over real TLS,
verified against the development CA. When the case ends the server gets SIGTERM, must exit 0,
and its log must hold no sanitizer report; then the database is dropped.

Environment (set by tests/CMakeLists.txt): GGZYD (the binary of the build under test),
GGZY_ROOT (the repository).
"""
import contextlib
import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import unittest

ROOT = os.environ.get("GGZY_ROOT") or os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
GGZYD = os.environ.get("GGZYD") or os.path.join(ROOT, "build", "debug", "ggzyd")
VAR = os.path.join(ROOT, "var")
SOCK = os.path.join(VAR, "mariadb", "mysqld.sock")
CA = os.path.join(VAR, "certs", "ca.crt")
TRUST = os.path.join(VAR, "certs", "trust")  # the development CA of each side (certs/make-dev-certs.sh)
SIDE_OF_ORG = {"bidder": "bidder", "agency": "agent", "tenderer": "tenderer", "supervision": "supervision",
               "center": "center"}
ADMIN_PASSWORD = "center-admin-pw-1"


def _read(path):
    with open(path) as f:
        return f.read().strip()


def admin_sql(sql, db=None, sock=SOCK, user="ggzy_admin", password=None):
    """Run SQL as the database administrator; returns stdout rows (tab-separated)."""
    if password is None and user == "ggzy_admin":
        password = _read(os.path.join(VAR, "mariadb", "admin.password"))
    cmd = ["mariadb", "--no-defaults", "-S", sock, "-u", user, "-N", "-B", "-e", sql]
    if db:
        cmd.append(db)
    env = dict(os.environ)
    if password:
        env["MYSQL_PWD"] = password  # not on the command line, where ps would show it
    out = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if out.returncode != 0:
        hint = "\n(is the private MariaDB running? scripts/dev db-start)" if "2002" in out.stderr else ""
        raise AssertionError("SQL failed: %s\n%s%s" % (sql[:200], out.stderr, hint))
    return [line.split("\t") for line in out.stdout.splitlines()]


def _exact_float(lit):
    """Every number an API answer carries is an integer written as one (docs/errors.md "Numbers"):
    an exponent (cJSON writes 1797700740000000 as 1.79770074e+15) fails the test that saw it. A
    decimal fraction (an OCDS amount in yuan) is a decimal literal, never in exponent form."""
    if "e" in lit or "E" in lit:
        raise AssertionError("a number in exponent form in an API answer: %s" % lit)
    return float(lit)


def _exact_int(lit):
    v = int(lit)
    if abs(v) > 2 ** 53 - 1:
        raise AssertionError("an integer outside ±(2^53−1) in an API answer: %s" % lit)
    return v


def parse_json(text):
    """json.loads that fails on a number no JSON reader holds exactly (see _exact_float)."""
    return json.loads(text, parse_float=_exact_float, parse_int=_exact_int)


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body
        try:
            self.json = parse_json(body) if body else None
        except ValueError:
            self.json = None

    @property
    def code(self):
        return (self.json or {}).get("error", {}).get("code")

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def __repr__(self):
        return "<%d %s>" % (self.status, self.body[:300])


class Server:
    """One ggzyd with its own database. Use as a context or call close()."""

    def __init__(self, test_mode=True, conf=None, web_root=None, db_socket=SOCK, db_user="ggzy",
                 db_password=None, admin_password=None, create_db=True, start=True, extra_args=()):
        self.dir = tempfile.mkdtemp(prefix="ggzy-test-")
        self.extra_args = list(extra_args)  # more ggzyd options (e.g. --demo-clock)
        self.db = "ggzy_t_" + secrets.token_hex(6)
        self.db_socket = db_socket
        self.admin_password = admin_password
        self.test_mode = test_mode
        self.proc = None
        self.port = None
        if db_password is None:
            db_password = _read(os.path.join(VAR, "mariadb", "ggzy.password"))
        if create_db:
            self.admin("CREATE DATABASE `%s` CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin" % self.db)
        self.audit_key = os.path.join(self.dir, "audit.key")
        subprocess.run(["openssl", "genpkey", "-algorithm", "ed25519", "-out", self.audit_key],
                       check=True, capture_output=True)
        self.conf_path = os.path.join(self.dir, "ggzyd.conf")
        lines = {
            "http.bind": "127.0.0.1",
            "http.port": "0",
            "http.tls": "on",
            "http.cert": os.path.join(VAR, "certs", "server.crt"),
            "http.key": os.path.join(VAR, "certs", "server.key"),
            "http.threads": "4",
            "db.socket": db_socket,
            "db.user": db_user,
            "db.password": db_password,
            "db.name": self.db,
            "db.pool_size": "8",
            "web.root": web_root or os.path.join(ROOT, "web"),
            "migrations.dir": os.path.join(ROOT, "migrations"),
            "api.openapi": os.path.join(ROOT, "docs", "openapi.json"),
            "calendar.dir": os.path.join(ROOT, "calendar"),
            "experts.specialties": os.path.join(ROOT, "data", "expert-specialties.tsv"),
            "deposits.rates": os.path.join(ROOT, "data", "deposit-rates.tsv"),
            "deposits.instructions_dir": os.path.join(self.dir, "bank", "instructions"),
            # the development channel: what an SMS gateway would be sent, one JSON line each
            "outbox.channels": "file",
            "outbox.file_path": os.path.join(self.dir, "outbox.jsonl"),
            "auth.scrypt_log2n": "10",
            "audit.key": self.audit_key,
            "audit.origin": "ggzy.test/audit",
            "audit.checkpoint_interval_ms": "200",
            "bids.store_dir": os.path.join(self.dir, "envelopes"),
            "platform.id": "ggzy.test",
            "trust.bidder_ca": os.path.join(TRUST, "bidder-ca.crt"),
            "trust.agent_ca": os.path.join(TRUST, "agent-ca.crt"),
            "trust.supervision_ca": os.path.join(TRUST, "supervision-ca.crt"),
            "trust.center_ca": os.path.join(TRUST, "center-ca.crt"),
            "trust.device_ca": os.path.join(TRUST, "device-ca.crt"),
            "trust.expert_ca": os.path.join(TRUST, "expert-ca.crt"),
            "trust.finance_ca": os.path.join(TRUST, "finance-ca.crt"),
            "trust.tenderer_ca": os.path.join(TRUST, "tenderer-ca.crt"),
            "trust.crl": os.path.join(self.dir, "crl.pem"),
        }
        open(os.path.join(self.dir, "crl.pem"), "w").close()  # no revocation yet
        os.makedirs(os.path.join(self.dir, "bank", "instructions"))
        lines.update(conf or {})
        with open(self.conf_path, "w") as f:
            for k, v in lines.items():
                f.write("%s = %s\n" % (k, v))
        self.log_path = os.path.join(self.dir, "ggzyd.log")
        if start:
            self.run_cmd("migrate")
            self.run_cmd("bootstrap-admin", env={"GGZY_ADMIN_PASSWORD": ADMIN_PASSWORD})
            self.start()

    # -- processes --

    def run_cmd(self, *args, env=None, check=True):
        e = dict(os.environ)
        e.update(env or {})
        p = subprocess.run([GGZYD, "-c", self.conf_path] + list(args), capture_output=True,
                           text=True, env=e, timeout=120)
        if check and p.returncode != 0:
            raise AssertionError("ggzyd %s failed (%d): %s %s" % (args, p.returncode, p.stdout, p.stderr))
        return p

    def start(self, ignore_sigint=False):
        port_file = os.path.join(self.dir, "port")
        if os.path.exists(port_file):
            os.unlink(port_file)
        args = [GGZYD, "-c", self.conf_path, "--port-file", port_file]
        if self.test_mode:
            args.append("--test-mode")
        args += self.extra_args
        self.log = open(self.log_path, "ab")
        pre = (lambda: signal.signal(signal.SIGINT, signal.SIG_IGN)) if ignore_sigint else None
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=self.log, preexec_fn=pre)
        deadline = time.time() + 20
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError("ggzyd exited early (%d):\n%s" % (self.proc.returncode, self.log_text()))
            if os.path.exists(port_file):
                txt = _read(port_file)
                if txt:
                    self.port = int(txt)
                    return
            time.sleep(0.02)
        raise AssertionError("ggzyd did not start:\n" + self.log_text())

    def reconfigure(self, conf):
        """Stop ggzyd, change (or add) configuration keys, start it again."""
        self.stop()
        with open(self.conf_path) as f:
            lines = [l for l in f.read().splitlines() if l.split(" = ", 1)[0] not in conf]
        lines += ["%s = %s" % kv for kv in conf.items()]
        with open(self.conf_path, "w") as f:
            f.write("\n".join(lines) + "\n")
        self.start()

    def log_text(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stop(self, sig=signal.SIGTERM, timeout=40):
        """Stop ggzyd; returns its exit code. Fails on any sanitizer report."""
        if not self.proc:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
            raise AssertionError("ggzyd did not stop within %ds" % timeout)
        self.proc = None
        self.log.close()
        text = self.log_text()
        for marker in ("ERROR: AddressSanitizer", "runtime error:", "ERROR: LeakSanitizer"):
            if marker in text:
                raise AssertionError("sanitizer report in the ggzyd log:\n" + text[-6000:])
        return rc

    def close(self):
        try:
            if self.proc:
                rc = self.stop()
                if rc != 0:
                    raise AssertionError("ggzyd exited with %s:\n%s" % (rc, self.log_text()[-4000:]))
        finally:
            try:
                self.admin("DROP DATABASE IF EXISTS `%s`" % self.db)
            except Exception:
                pass

    # -- HTTP --

    def ssl_context(self):
        ctx = ssl.create_default_context(cafile=CA)
        return ctx

    def connection(self, timeout=30):
        return http.client.HTTPSConnection("localhost", self.port, context=self.ssl_context(),
                                           timeout=timeout)

    def request(self, method, path, body=None, token=None, headers=None, raw=None, conn=None):
        """One request. body: a JSON-able value; raw: bytes sent as is."""
        h = {}
        if body is not None:
            raw = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        if token:
            h["Authorization"] = "Bearer " + token
        h.update(headers or {})
        own = conn is None
        c = conn or self.connection()
        try:
            c.request(method, path, body=raw, headers=h)
            r = c.getresponse()
            data = r.read()
            resp = Response(r.status, r.getheaders(), data.decode("utf-8", "replace"))
            resp.raw = data  # the body's bytes, for binary answers
            return resp
        finally:
            if own:
                c.close()

    def login(self, username, password):
        r = self.request("POST", "/api/v1/auth/login", {"username": username, "password": password})
        if r.status != 200:
            raise AssertionError("login %s failed: %r" % (username, r))
        return r.json["token"]

    def admin_token(self):
        return self.login("admin", ADMIN_PASSWORD)

    def wait_sequenced(self, timeout=10):
        """Wait until the sequencer has given every committed audit entry its index."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.sql("SELECT COUNT(*) FROM audit_entries WHERE idx IS NULL") == [["0"]]:
                return
            time.sleep(0.02)
        raise AssertionError("audit entries were not sequenced within %ds" % timeout)

    def admin(self, query, db=None):
        return admin_sql(query, db=db, sock=self.db_socket, password=self.admin_password)

    def sql(self, query):
        """SQL as the database administrator, in this server's database."""
        return self.admin(query, db=self.db)


class TempMariaDB:
    """A throw-away MariaDB for tests that stop it, restart it or reach it over TCP with TLS.
    Accounts: ggzy_admin (everything) and ggzy (databases ggzy%), both with self.password."""

    def __init__(self, tcp_port=None, tls=False):
        self.dir = tempfile.mkdtemp(prefix="ggzy-db-")
        self.data = os.path.join(self.dir, "data")
        self.sock = os.path.join(self.dir, "s.sock")
        self.password = secrets.token_hex(8)
        self.port = tcp_port
        self.tls = tls
        self.proc = None
        args = ["mariadb-install-db", "--no-defaults", "--datadir=" + self.data,
                "--auth-root-authentication-method=socket", "--skip-test-db"]
        if os.getuid() == 0:
            args.append("--user=root")
        subprocess.run(args, check=True, capture_output=True)
        me = "root" if os.getuid() == 0 else os.environ.get("USER", "root")
        self.start(user=me, password="")
        admin_sql("CREATE USER ggzy_admin@localhost IDENTIFIED BY '{0}'; GRANT ALL ON *.* TO ggzy_admin@localhost;"
                  " CREATE USER ggzy@localhost IDENTIFIED BY '{0}'; GRANT ALL ON `ggzy%`.* TO ggzy@localhost;"
                  " CREATE USER ggzy@'127.0.0.1' IDENTIFIED BY '{0}'; GRANT ALL ON `ggzy%`.* TO ggzy@'127.0.0.1'"
                  .format(self.password), sock=self.sock, user=me, password="")

    def start(self, user="ggzy_admin", password=None):
        args = ["mariadbd", "--no-defaults", "--datadir=" + self.data, "--socket=" + self.sock,
                "--pid-file=" + os.path.join(self.dir, "pid"), "--skip-name-resolve",
                "--log-error=" + os.path.join(self.dir, "err.log"), "--innodb-buffer-pool-size=32M"]
        if self.port:
            args += ["--bind-address=127.0.0.1", "--port=%d" % self.port]
        else:
            args.append("--skip-networking")
        if self.tls:
            certs = os.path.join(VAR, "certs")
            args += ["--ssl-ca=" + os.path.join(certs, "ca.crt"), "--ssl-cert=" + os.path.join(certs, "server.crt"),
                     "--ssl-key=" + os.path.join(certs, "server.key"), "--require-secure-transport=ON"]
        if os.getuid() == 0:
            args.append("--user=root")
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(300):
            try:
                admin_sql("SELECT 1", sock=self.sock, user=user, password=self.password if password is None else password)
                return
            except AssertionError:
                if self.proc.poll() is not None:
                    break
                time.sleep(0.1)
        self.proc.kill()
        self.proc.wait()
        with open(os.path.join(self.dir, "err.log")) as f:
            raise AssertionError("test MariaDB did not start:\n" + f.read()[-3000:])

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(60)

    def close(self):
        self.stop()
        shutil.rmtree(self.dir, True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


_seq = [0]


_CODE_BASE = secrets.randbelow(9000000)


def credit_code(prefix="91110000MA"):
    """A fresh valid unified social credit code (GB 32100-2015)."""
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    # a random base per process and a counter: never the same code twice in one run (a random
    # number per call collided once in CI: two bidders of one test got the same code)
    _seq[0] += 1
    body = (prefix + "%07d" % ((_CODE_BASE + _seq[0]) % 10000000))[:17]
    s = sum(alphabet.index(ch) * w for ch, w in zip(body, weights))
    return body + alphabet[(31 - s % 31) % 31]


def canonical(obj):
    """Canonical JSON (docs/audit.md §1): sorted keys, no white space, integers only."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sign_raw(key, message):
    """ECDSA P-256 / SHA-256 as the platform takes it: base64 of raw r‖s (32 bytes each)."""
    import base64
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
    r, s_ = decode_dss_signature(key.sign(message, ec.ECDSA(hashes.SHA256())))
    return base64.b64encode(r.to_bytes(32, "big") + s_.to_bytes(32, "big")).decode()


def sign_act(key, domain, fields):
    """A signed act (docs/audit.md §8): the signature over DOMAIN "\n" canonical(fields)."""
    return sign_raw(key, domain.encode() + b"\n" + canonical(fields))


def load_ca(side, trust_dir=TRUST):
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    with open(os.path.join(trust_dir, side + "-ca.crt"), "rb") as f:
        cert = x509.load_pem_x509_certificate(f.read())
    with open(os.path.join(trust_dir, side + "-ca.key"), "rb") as f:
        key = serialization.load_pem_private_key(f.read(), None)
    return cert, key


def make_ca(name="rogue CA"):
    """A CA nobody configured (what an insider could mint): (certificate, key)."""
    import datetime
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    key = ec.generate_private_key(ec.SECP256R1())
    name_ = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name_).issuer_name(name_).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
            .sign(key, hashes.SHA256()))
    return cert, key


def issue_cert(public_key, credit_code, side=None, ca=None, name="测试组织", days=825, not_before=None,
               usage="sign", code_attr="serialNumber"):
    """An organization certificate for public_key from the development CA of side (or from ca,
    a (certificate, key) pair), naming credit_code. Returns PEM text."""
    import datetime
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509.oid import NameOID
    ca_cert, ca_key = ca or load_ca(side)
    # valid from 2025 on by default: tests move the platform's clock to dates of their own
    start = not_before or datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone.utc)
    if days == 825 and not not_before:
        days = 3650
    attrs = [x509.NameAttribute(NameOID.ORGANIZATION_NAME, name), x509.NameAttribute(NameOID.COMMON_NAME, name)]
    if credit_code:
        oid = NameOID.SERIAL_NUMBER if code_attr == "serialNumber" else x509.ObjectIdentifier("2.5.4.97")
        attrs.insert(1, x509.NameAttribute(oid, credit_code))
    sign = usage == "sign"
    cert = (x509.CertificateBuilder().subject_name(x509.Name(attrs)).issuer_name(ca_cert.subject)
            .public_key(public_key).serial_number(x509.random_serial_number())
            .not_valid_before(start).not_valid_after(start + datetime.timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(sign, sign, not sign, False, True, False, False, False, False), critical=True)
            .sign(ca_key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM).decode()


class ApiTest(unittest.TestCase):
    """Base class: self.srv is a fresh ggzyd with a fresh database for every test."""

    server_args = {}

    def setUp(self):
        self.srv = Server(**self.server_args)
        self.addCleanup(self.srv.close)

    # helpers shared by the tests
    def make_org(self, token, type_="bidder", name=None):
        r = self.srv.request("POST", "/api/v1/orgs", {
            "name": name or ("组织-" + secrets.token_hex(3)), "type": type_,
            "credit_code": credit_code(), "region": "110000"}, token=token)
        self.assertEqual(r.status, 201, r)
        return r.json

    def make_user(self, token, org_id, role, username=None, password="user-password-1"):
        username = username or (role.replace("_", "") + secrets.token_hex(3))
        r = self.srv.request("POST", "/api/v1/users", {
            "username": username, "display_name": "用户 " + username, "org_id": org_id,
            "role": role, "password": password}, token=token)
        self.assertEqual(r.status, 201, r)
        return r.json, self.srv.login(username, password)

    def server_now(self):
        """The platform's clock (test mode may have moved it): what signed steps are dated by."""
        return self.srv.request("GET", "/healthz").json["now_us"]

    def register_key(self, token, key=None, cert=None, label="", expect=201):
        """Register a signing key for the caller: a certificate from the development CA of the
        caller's organization's side naming its credit code (unless cert is given), and the
        proof of possession. Returns (key, response json); key is made when not given."""
        from cryptography.hazmat.primitives.asymmetric import ec
        import hashlib
        key = key or ec.generate_private_key(ec.SECP256R1())
        me = self.srv.request("GET", "/api/v1/me", token=token).json
        if cert is None:
            org = self.srv.request("GET", "/api/v1/orgs/%d" % me["org_id"], token=token).json
            # an expert's keys are certified as an expert's, whatever their employer (cert.h)
            side = "expert" if me["role"] == "expert" else SIDE_OF_ORG[org["type"]]
            cert = issue_cert(key.public_key(), org["credit_code"], side)
        from cryptography import x509
        from cryptography.hazmat.primitives import serialization
        try:
            leaf = x509.load_pem_x509_certificate(cert.encode())
            sha = hashlib.sha256(leaf.public_bytes(serialization.Encoding.DER)).hexdigest()
        except ValueError:  # not a certificate: sent as is, for the server to refuse
            sha = hashlib.sha256(cert.encode()).hexdigest()
        proof = sign_act(key, "ggzy-key-register-v1",
                         {"certificate_sha256": sha, "platform": "ggzy.test", "user_id": me["id"]})
        r = self.srv.request("POST", "/api/v1/me/keys", {"certificate": cert, "proof": proof, "label": label},
                             token=token)
        if expect is not None:
            self.assertEqual(r.status, expect, r)
        return key, r

    @contextlib.contextmanager
    def another_opening_key(self, pid, lot):
        """Inside: the database says lot's opening key is a fresh one the platform never
        published (what a dishonest operator would hand out); restored on leaving."""
        import hashlib
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        other = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
        saved = self.srv.sql("SELECT HEX(public_key), key_id FROM opening_keys WHERE project_id = %d "
                             "AND lot_seq = %d" % (pid, lot))[0]
        swap = "UPDATE opening_keys SET public_key = UNHEX('%s'), key_id = '%s' WHERE project_id = %d AND lot_seq = %d"
        self.srv.sql(swap % (other.hex(), hashlib.sha256(other).hexdigest(), pid, lot))
        try:
            yield
        finally:
            self.srv.sql(swap % (saved[0], saved[1], pid, lot))

    def make_opening_keys(self, pid, lots, agent_tok):
        """Every lot's opening key (the tender announcement publishes them): custodians are the
        agent, a supervisor and the center admin, each with a P-256 key registered once per test
        (docs/envelope.md §7)."""
        if not getattr(self, "_custodians", None):
            from cryptography.hazmat.primitives import serialization
            from cryptography.hazmat.primitives.asymmetric import ec
            admin = self.srv.admin_token()
            sup_org = self.make_org(admin, "supervision")
            _, sup_tok = self.make_user(admin, sup_org["id"], "supervisor")
            self._custodians = []
            for tok in (agent_tok, sup_tok, admin):
                user = self.srv.request("GET", "/api/v1/me", token=tok).json
                _, r = self.register_key(tok)
                self._custodians.append({"user_id": user["id"], "key_id": r.json["key_id"]})
            self._key_maker = admin
        for lot in range(1, lots + 1):
            r = self.srv.request("POST", "/api/v1/projects/%d/lots/%d/opening-key" % (pid, lot),
                                 {"custodians": self._custodians}, token=self._key_maker)
            self.assertEqual(r.status, 201, r)

    def book_opening(self, pid, opening_us, agent_tok, minutes=60):
        """The opening room a tender announcement needs (docs/venues.md §4): a room open all day
        at a site made once per test, booked by the agent for every lot of the project at
        opening_us and approved by the center. A live opening booking of the project at another
        time is cancelled first. Returns the booking's answer (a refusal is returned, not
        asserted: the publication that follows says what is missing)."""
        admin = self.srv.admin_token()
        if not getattr(self, "_opening_site", None):
            r = self.srv.request("POST", "/api/v1/venues/sites", {
                "name": "测试交易中心-" + secrets.token_hex(3), "address": "某市某路 1 号",
                "region": "110000"}, token=admin)
            self.assertEqual(r.status, 201, r)
            self._opening_site, self._opening_rooms = r.json, {}
        if pid not in self._opening_rooms:  # a room per project: projects never compete for one
            r = self.srv.request("POST", "/api/v1/venues/sites/%d/rooms" % self._opening_site["id"], {
                "name": "开标室 %d" % pid, "kind": "opening", "capacity": 200, "equipment": ["recording"],
                "opens": "00:00", "closes": "24:00"}, token=admin)
            self.assertEqual(r.status, 201, r)
            self._opening_rooms[pid] = r.json
        lots = [l["seq"] for l in self.srv.request("GET", "/api/v1/projects/%d" % pid, token=agent_tok).json["lots"]]
        have = self.srv.request("GET", "/api/v1/venues/bookings?project=%d" % pid, token=admin).json["items"]
        for b in have:
            if b["purpose"] != "opening" or b["state"] not in ("requested", "approved"):
                continue
            if b["start_us"] == opening_us and b["state"] == "approved":
                return b
            self.srv.request("POST", "/api/v1/venues/bookings/%d/cancel" % b["id"], {"reason": "另订"}, token=admin)
        day_end = ((opening_us + 8 * 3600 * 10**6) // (86400 * 10**6) + 1) * 86400 * 10**6 - 8 * 3600 * 10**6
        r = self.srv.request("POST", "/api/v1/venues/bookings", {
            "room_id": self._opening_rooms[pid]["id"], "project_id": pid, "purpose": "opening", "lots": lots,
            "start_us": opening_us, "end_us": min(opening_us + minutes * 60 * 10**6, day_end), "people": 50},
            token=agent_tok)
        if r.status != 201:
            return r
        d = self.srv.request("POST", "/api/v1/venues/bookings/%d/decision" % r.json["id"], {"approve": True},
                             token=admin)
        self.assertEqual(d.status, 200, d)
        return d.json

    def assertError(self, r, status, code):
        self.assertEqual(r.status, status, r)
        self.assertEqual(r.code, code, r)
        self.assertTrue(r.json["error"]["message"], r)
        self.assertEqual(r.json["error"]["request_id"], r.header("X-Request-Id"))
