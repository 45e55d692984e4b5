"""Hardening found by probing (issue 10 item 7), each with the probe that found it: one address
cannot take every connection; login throttling cannot lock someone else out; client addresses
come through configured proxies only and /metrics is not protected by the peer address alone;
throttle keys are hashes; text refuses control characters and \\u0000; query parameters are
UTF-8 text; a title search matches % and _ literally; ids are digits only; the Idempotency-Key
fingerprint covers the query; bidders see no other organization and no unannounced project;
TLS offers AEAD suites only; a mistyped username is not kept in the permanent log."""
import http.client
import json
import secrets
import socket
import ssl
import subprocess
import time

from harness import ApiTest, ADMIN_PASSWORD, CA


def connect_from(srv, source, timeout=10):
    ctx = ssl.create_default_context(cafile=CA)
    return http.client.HTTPSConnection("localhost", srv.port, context=ctx, timeout=timeout,
                                       source_address=(source, 0))


def request_from(srv, source, method, path, body=None, headers=None):
    c = connect_from(srv, source)
    try:
        h = dict(headers or {})
        raw = None
        if body is not None:
            raw = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        c.request(method, path, body=raw, headers=h)
        r = c.getresponse()
        data = r.read()
        return r.status, json.loads(data) if data else None
    finally:
        c.close()


class ConnectionLimitTest(ApiTest):
    server_args = {"conf": {"http.per_ip_connections": "16"}}

    def test_one_address_cannot_take_every_connection(self):
        hogs = []
        for _ in range(40):  # idle TCP connections from one address, as the probe opened 4,200
            s = socket.socket()
            s.bind(("127.0.0.2", 0))
            s.connect(("127.0.0.1", self.srv.port))
            hogs.append(s)
        time.sleep(0.5)
        closed = 0
        for s in hogs:
            s.settimeout(0.2)
            try:
                closed += s.recv(1) == b""  # closed by the server
            except ConnectionResetError:
                closed += 1
            except socket.timeout:
                pass  # still open: within the limit
        self.assertGreaterEqual(closed, 40 - 16)  # beyond the limit: closed at once
        # everyone else is served
        self.assertEqual(self.srv.request("GET", "/healthz").status, 200)
        for s in hogs:
            s.close()


class LoginThrottleTest(ApiTest):
    def owner_login(self, device=None, source="127.0.0.1"):
        body = {"username": "admin", "password": ADMIN_PASSWORD}
        if device:
            body["device_token"] = device
        return request_from(self.srv, source, "POST", "/api/v1/auth/login", body)

    def test_wrong_passwords_from_elsewhere_do_not_lock_the_owner_out(self):
        status, j = self.owner_login()
        self.assertEqual(status, 200, j)
        device = j["device_token"]
        for _ in range(6):  # the probe: six wrong passwords for the admin
            request_from(self.srv, "127.0.0.2", "POST", "/api/v1/auth/login",
                         {"username": "admin", "password": "wrong-password-x"})
        status, j = request_from(self.srv, "127.0.0.2", "POST", "/api/v1/auth/login",
                                 {"username": "admin", "password": ADMIN_PASSWORD})
        self.assertEqual(status, 429, j)  # the guesser is throttled…
        status, j = self.owner_login(device)
        self.assertEqual(status, 200, j)  # …the owner, from the device it used before, is not
        # without a device the owner used before, the account is throttled as for anyone
        self.assertEqual(self.owner_login("not-a-device")[0], 429)

    def test_random_usernames_from_an_address_do_not_lock_out_its_other_users(self):
        status, j = self.owner_login()
        device = j["device_token"]
        for _ in range(22):  # the probe: twenty-two random usernames from one address
            request_from(self.srv, "127.0.0.1", "POST", "/api/v1/auth/login",
                         {"username": "u" + secrets.token_hex(4), "password": "wrong-password-x"})
        status, j = request_from(self.srv, "127.0.0.1", "POST", "/api/v1/auth/login",
                                 {"username": "u" + secrets.token_hex(4), "password": "wrong-password-x"})
        self.assertEqual(status, 429, j)
        self.assertEqual(self.owner_login(device)[0], 200)

    def test_throttle_keys_are_hashes_so_any_username_is_counted(self):
        name = "投" * 40  # 120 bytes: was a 500, and escaped throttling
        for i in range(5):
            status, j = request_from(self.srv, "127.0.0.3", "POST", "/api/v1/auth/login",
                                     {"username": name, "password": "wrong-password-x"})
            self.assertEqual(status, 401, j)
        status, _ = request_from(self.srv, "127.0.0.3", "POST", "/api/v1/auth/login",
                                 {"username": name, "password": "wrong-password-x"})
        self.assertEqual(status, 429)
        self.assertFalse(self.srv.sql("SELECT throttle_key FROM login_throttle WHERE throttle_key LIKE '%%投%%'"))

    def test_password_changes_are_throttled_too(self):
        tok = self.srv.admin_token()
        for _ in range(5):
            r = self.srv.request("POST", "/api/v1/me/password", {"old_password": "not-it-at-all",
                                 "new_password": "new-password-123"}, token=tok)
            self.assertError(r, 401, "bad_credentials")
        r = self.srv.request("POST", "/api/v1/me/password", {"old_password": ADMIN_PASSWORD,
                             "new_password": "new-password-123"}, token=tok)
        self.assertError(r, 429, "too_many_requests")
        self.assertTrue(r.header("Retry-After"))

    def test_a_mistyped_username_is_not_kept_in_the_log(self):
        typed = "my-Secret-Password-9"  # typed in the username box by mistake
        self.srv.request("POST", "/api/v1/auth/login", {"username": typed, "password": "x" * 12})
        self.srv.wait_sequenced()
        rows = self.srv.sql("SELECT entry FROM audit_entries WHERE action = 'auth.login_failed'")
        self.assertEqual(len(rows), 1)
        self.assertNotIn(typed, rows[0][0])
        self.assertEqual(json.loads(rows[0][0])["payload"], {"known_user": False, "trusted_device": False})


class ProxyTest(ApiTest):
    server_args = {"conf": {"http.trusted_proxies": "127.0.0.1", "metrics.token": "scrape-" + "x" * 20}}

    def test_client_addresses_come_from_x_forwarded_for_of_configured_proxies_only(self):
        # through the configured proxy (127.0.0.1): the client it names
        request_from(self.srv, "127.0.0.1", "POST", "/api/v1/auth/login",
                     {"username": "nobody", "password": "wrong-password-x"},
                     headers={"X-Forwarded-For": "203.0.113.9, 198.51.100.7"})
        # from anyone else, the header is theirs to write and is ignored
        request_from(self.srv, "127.0.0.2", "POST", "/api/v1/auth/login",
                     {"username": "nobody", "password": "wrong-password-x"},
                     headers={"X-Forwarded-For": "198.51.100.99"})
        self.srv.wait_sequenced()
        clients = [json.loads(e[0])["client"] for e in
                   self.srv.sql("SELECT entry FROM audit_entries WHERE action = 'auth.login_failed' ORDER BY idx")]
        self.assertEqual(clients, ["198.51.100.7", "127.0.0.2"])

    def test_metrics_need_the_scrape_token_not_a_local_address(self):
        self.assertError(self.srv.request("GET", "/metrics"), 403, "forbidden")  # loopback is not enough
        self.assertError(self.srv.request("GET", "/metrics", headers={"Authorization": "Bearer wrong"}),
                         403, "forbidden")
        r = self.srv.request("GET", "/metrics", headers={"Authorization": "Bearer scrape-" + "x" * 20})
        self.assertEqual(r.status, 200)
        self.assertIn("ggzy_audit_log_intact 1", r.body)


class InputTest(ApiTest):
    def setUp(self):
        super().setUp()
        self.admin = self.srv.admin_token()

    def test_control_characters_and_nul_are_refused_in_text(self):
        for name in ("标题\u0001", "a\u0000b", "x\u001b[31m"):
            r = self.srv.request("POST", "/api/v1/orgs", {"name": name, "type": "bidder",
                                 "credit_code": "91110000MA00000000", "region": "110000"}, token=self.admin)
            self.assertError(r, 422, "invalid_field")
        r = self.srv.request("POST", "/api/v1/orgs", raw=b'{"name":"a\x01","type":"bidder"}', token=self.admin,
                             headers={"Content-Type": "application/json"})
        self.assertIn(r.status, (400, 422))
        # "admin\u0000zzz" signed in as admin: now it is refused before any password is checked
        r = self.srv.request("POST", "/api/v1/auth/login", {"username": "admin\u0000zzz", "password": ADMIN_PASSWORD})
        self.assertError(r, 422, "invalid_field")
        # tab and newline are text
        org = self.make_org(self.admin, "bidder", name="第一行\n第二行\t末")
        self.assertEqual(org["name"], "第一行\n第二行\t末")

    def test_a_query_parameter_that_is_not_utf8_text_is_400(self):
        for q in ("q=%ff%fe", "q=%c3%28", "q=a%01b"):
            self.assertError(self.srv.request("GET", "/api/v1/public/announcements?" + q), 400, "bad_request")

    def test_ids_and_paging_parameters_are_digits_only(self):
        for path in ("/api/v1/projects/%094", "/api/v1/projects/+4", "/api/v1/projects/4%20",
                     "/api/v1/orgs/%0A1"):
            self.assertError(self.srv.request("GET", path, token=self.admin), 404, "not_found")
        for q in ("limit=%0920", "limit=+5", "after=1%20"):
            self.assertError(self.srv.request("GET", "/api/v1/orgs?" + q, token=self.admin), 400, "bad_request")

    def test_the_idempotency_fingerprint_covers_the_query(self):
        agency = self.make_org(self.admin, "agency")
        tenderer = self.make_org(self.admin, "tenderer")
        _, agent = self.make_user(self.admin, agency["id"], "agent")
        p = self.srv.request("POST", "/api/v1/projects", {
            "name": "幂等", "category": "engineering", "method": "open_tender", "region": "110000",
            "tenderer_org_id": tenderer["id"], "budget_fen": 100, "funding_source": "x",
            "legally_required": False, "lots": [{"name": "a", "estimate_fen": 100}]}, token=agent).json
        pdf = b"%PDF-1.7 same bytes"
        h = {"Content-Type": "application/pdf", "Idempotency-Key": "doc-1"}
        r1 = self.srv.request("POST", "/api/v1/projects/%d/documents?name=a.pdf" % p["id"], raw=pdf, token=agent, headers=h)
        self.assertEqual(r1.status, 201, r1)
        r2 = self.srv.request("POST", "/api/v1/projects/%d/documents?name=b.pdf" % p["id"], raw=pdf, token=agent, headers=h)
        self.assertError(r2, 422, "idempotency_key_reused")
        r3 = self.srv.request("POST", "/api/v1/projects/%d/documents?name=a.pdf" % p["id"], raw=pdf, token=agent, headers=h)
        self.assertEqual((r3.status, r3.header("Idempotent-Replayed")), (201, "true"))


class VisibilityTest(ApiTest):
    def test_bidders_see_no_other_organization_and_no_unannounced_project(self):
        admin = self.srv.admin_token()
        mine, other = self.make_org(admin, "bidder"), self.make_org(admin, "bidder")
        user, tok = self.make_user(admin, mine["id"], "bidder")
        other_user, _ = self.make_user(admin, other["id"], "bidder")
        self.assertEqual(self.srv.request("GET", "/api/v1/orgs/%d" % mine["id"], token=tok).status, 200)
        self.assertError(self.srv.request("GET", "/api/v1/orgs/%d" % other["id"], token=tok), 404, "not_found")
        self.assertError(self.srv.request("GET", "/api/v1/users/%d/keys" % other_user["id"], token=tok), 404,
                         "not_found")
        # an accepted project whose tender is not published: it does not exist for a bidder
        agency, tenderer = self.make_org(admin, "agency"), self.make_org(admin, "tenderer")
        _, agent = self.make_user(admin, agency["id"], "agent")
        p = self.srv.request("POST", "/api/v1/projects", {
            "name": "未公告", "category": "engineering", "method": "open_tender", "region": "110000",
            "tenderer_org_id": tenderer["id"], "budget_fen": 100, "funding_source": "x",
            "legally_required": False, "lots": [{"name": "a", "estimate_fen": 100}]}, token=agent).json
        self.srv.request("POST", "/api/v1/projects/%d/transitions" % p["id"], {"to": "submitted"}, token=agent)
        code = self.srv.request("POST", "/api/v1/projects/%d/transitions" % p["id"], {"to": "accepted"},
                                token=admin).json["code"]
        for path in ("/api/v1/projects/%d/lots/1/bids/binding", "/api/v1/projects/%d/lots/1/bids/mine"):
            r = self.srv.request("GET", path % p["id"], token=tok)
            self.assertIn(r.status, (200, 404), r)
            self.assertNotIn(code, r.body)
        r = self.srv.request("GET", "/api/v1/projects/%d/lots/1/bids/binding" % p["id"], token=tok)
        self.assertError(r, 404, "not_found")


class TlsTest(ApiTest):
    def test_tls_offers_aead_suites_only(self):
        def handshake(*args):
            p = subprocess.run(["openssl", "s_client", "-connect", "127.0.0.1:%d" % self.srv.port,
                                "-CAfile", CA] + list(args), input=b"", capture_output=True, timeout=30)
            return p.returncode == 0 and b"Cipher is (NONE)" not in p.stdout
        self.assertTrue(handshake("-tls1_3"))
        self.assertTrue(handshake("-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256"))
        for cbc in ("ECDHE-ECDSA-AES128-SHA", "ECDHE-ECDSA-AES256-SHA384", "ECDHE-ECDSA-AES128-SHA256"):
            self.assertFalse(handshake("-tls1_2", "-cipher", cbc), cbc)
        self.assertFalse(handshake("-tls1_1"))
