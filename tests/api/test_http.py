"""The HTTP core as a client sees it: the error format, bad input of every kind, keep-alive
over HTTPS, health, metrics, the OpenAPI document, and static files that cannot be escaped."""
import http.client
import os
import shutil
import socket
import ssl
import tempfile

from harness import ApiTest, Server, ROOT


class ErrorsTest(ApiTest):
    def test_unknown_route_is_404_in_the_error_format(self):
        self.assertError(self.srv.request("GET", "/api/v1/nope"), 404, "not_found")

    def test_wrong_method_is_405_with_allow(self):
        r = self.srv.request("DELETE", "/api/v1/orgs")
        self.assertError(r, 405, "method_not_allowed")
        self.assertIn("GET", r.header("Allow"))
        self.assertIn("POST", r.header("Allow"))

    def test_missing_token_is_401(self):
        self.assertError(self.srv.request("GET", "/api/v1/me"), 401, "unauthenticated")

    def test_garbage_token_is_401(self):
        for t in ["x", "A" * 43, "!" * 43]:
            self.assertError(self.srv.request("GET", "/api/v1/me", token=t), 401, "unauthenticated")
        r = self.srv.request("GET", "/api/v1/me", headers={"Authorization": "Basic YTpi"})
        self.assertError(r, 401, "unauthenticated")

    def test_malformed_json_is_400(self):
        tok = self.srv.admin_token()
        for raw in [b"{", b"{\"name\":}", b"nul", b"{} {}", b"\xff\xfe"]:
            r = self.srv.request("POST", "/api/v1/orgs", raw=raw, token=tok,
                                 headers={"Content-Type": "application/json"})
            self.assertError(r, 400, "malformed_json")
        r = self.srv.request("POST", "/api/v1/orgs", raw=b"[1]", token=tok,
                             headers={"Content-Type": "application/json"})
        self.assertError(r, 400, "malformed_json")

    def test_wrong_types_and_missing_fields_are_422_naming_the_field(self):
        tok = self.srv.admin_token()
        r = self.srv.request("POST", "/api/v1/orgs", {"name": 5, "type": "bidder",
                             "credit_code": "x" * 18, "region": "110000"}, token=tok)
        self.assertError(r, 422, "invalid_field")
        self.assertEqual(r.json["error"]["field"], "name")
        r = self.srv.request("POST", "/api/v1/orgs", {"type": "bidder"}, token=tok)
        self.assertError(r, 422, "missing_field")
        r = self.srv.request("POST", "/api/v1/orgs", {"name": "a", "type": "bidder",
                             "credit_code": "x" * 18, "region": "110000", "extra": 1}, token=tok)
        self.assertError(r, 422, "unknown_field")
        self.assertEqual(r.json["error"]["field"], "extra")

    def test_empty_body_counts_as_an_empty_object(self):
        tok = self.srv.admin_token()
        r = self.srv.request("POST", "/api/v1/orgs", raw=b"", token=tok)
        self.assertError(r, 422, "missing_field")

    def test_wrong_content_type_is_415(self):
        tok = self.srv.admin_token()
        r = self.srv.request("POST", "/api/v1/orgs", raw=b"name=x", token=tok,
                             headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.assertError(r, 415, "unsupported_media_type")
        r = self.srv.request("POST", "/api/v1/orgs", raw=b"{}", token=tok)
        self.assertError(r, 415, "unsupported_media_type")

    def test_declared_oversized_body_is_413_before_it_is_read(self):
        r = self.srv.request("POST", "/api/v1/auth/login", raw=b"x" * 5000,
                             headers={"Content-Type": "application/json"})
        self.assertError(r, 413, "payload_too_large")

    def test_chunked_oversized_body_is_413(self):
        c = self.srv.connection()
        c.putrequest("POST", "/api/v1/auth/login")
        c.putheader("Content-Type", "application/json")
        c.putheader("Transfer-Encoding", "chunked")
        c.endheaders()
        for _ in range(10):
            chunk = b"{" + b" " * 998 + b"}"
            c.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        c.send(b"0\r\n\r\n")
        r = c.getresponse()
        self.assertEqual(r.status, 413)
        r.read()
        c.close()

    def test_a_body_on_a_route_without_one_is_400_and_an_empty_object_is_no_body(self):
        tok = self.srv.admin_token()
        r = self.srv.request("POST", "/api/v1/auth/logout", {"a": 1}, token=tok)
        self.assertError(r, 400, "bad_request")
        self.assertIn("takes no body", r.json["error"]["message"])
        r = self.srv.request("POST", "/api/v1/auth/logout", raw=b"x" * 5000, token=tok,
                             headers={"Content-Type": "application/json"})
        self.assertError(r, 400, "bad_request")
        # {} (what many clients send for "nothing") is taken as no body
        r = self.srv.request("POST", "/api/v1/auth/logout", {}, token=tok)
        self.assertEqual(r.status, 204, r)

    def test_content_length_with_transfer_encoding_is_refused_and_the_connection_closed(self):
        """RFC 9112 §6.1: a request with both is ambiguous (request smuggling) — 400, then close."""
        ctx = ssl.create_default_context(cafile=os.path.join(ROOT, "var", "certs", "ca.crt"))
        with socket.create_connection(("127.0.0.1", self.srv.port)) as raw:
            with ctx.wrap_socket(raw, server_hostname="localhost") as t:
                body = b'{"username":"admin","password":"x"}'
                t.sendall(b"POST /api/v1/auth/login HTTP/1.1\r\nHost: localhost\r\n"
                          b"Content-Type: application/json\r\nContent-Length: %d\r\n"
                          b"Transfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n0\r\n\r\n"
                          b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n"
                          % (len(body), len(body), body))
                got = b""
                t.settimeout(10)
                while True:
                    try:
                        chunk = t.recv(65536)
                    except (ssl.SSLError, OSError):
                        break
                    if not chunk:
                        break
                    got += chunk
        head = got.split(b"\r\n\r\n", 1)[0].decode()
        self.assertTrue(head.startswith("HTTP/1.1 400"), got[:300])
        self.assertIn("connection: close", head.lower())
        self.assertEqual(got.count(b"HTTP/1.1 "), 1, got)  # the pipelined request is never answered

    def test_every_response_has_a_unique_request_id(self):
        ids = {self.srv.request("GET", "/healthz").header("X-Request-Id") for _ in range(5)}
        self.assertEqual(len(ids), 5)

    def test_server_stays_up_after_hostile_input(self):
        s = socket.create_connection(("127.0.0.1", self.srv.port))
        s.sendall(b"GARBAGE\r\n\r\n")  # not even TLS
        s.close()
        ctx = self.srv.ssl_context()
        with socket.create_connection(("127.0.0.1", self.srv.port)) as raw:
            with ctx.wrap_socket(raw, server_hostname="localhost") as t:
                try:  # the server may answer and close before the whole line is sent
                    t.sendall(b"GET /" + b"a" * 100000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
                    t.recv(1000)
                except (ssl.SSLError, OSError):
                    pass
        self.assertEqual(self.srv.request("GET", "/healthz").status, 200)


class TransportTest(ApiTest):
    def test_https_keeps_the_connection_alive(self):
        c = self.srv.connection()
        tok = self.srv.admin_token()
        for _ in range(5):
            r = self.srv.request("GET", "/api/v1/me", token=tok, conn=c)
            self.assertEqual(r.status, 200)
            self.assertNotEqual((r.header("Connection") or "").lower(), "close")
        c.close()

    def test_plain_http_on_the_https_port_gets_no_answer(self):
        c = http.client.HTTPConnection("127.0.0.1", self.srv.port, timeout=5)
        with self.assertRaises(Exception):
            c.request("GET", "/healthz")
            c.getresponse().read()
        c.close()

    def test_healthz_checks_the_database(self):
        r = self.srv.request("GET", "/healthz")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json["database"], "ok")

    def test_metrics_count_routes_by_status_in_prometheus_format(self):
        self.srv.request("GET", "/api/v1/me")
        self.srv.request("GET", "/healthz")
        r = self.srv.request("GET", "/metrics")
        self.assertEqual(r.status, 200)
        self.assertTrue(r.header("Content-Type").startswith("text/plain; version=0.0.4"))
        self.assertIn('ggzy_http_requests_total{method="GET",route="/api/v1/me",status="401"} 1', r.body)
        self.assertIn('ggzy_http_request_duration_seconds_bucket{method="GET",route="/healthz",status="200",le="+Inf"} 1', r.body)
        self.assertIn('ggzy_db_pool_connections{state="in_use"}', r.body)
        self.assertIn("ggzy_db_pool_waits_total", r.body)

    def test_openapi_document_is_served(self):
        r = self.srv.request("GET", "/api/v1/openapi.json")
        self.assertEqual(r.status, 200)
        self.assertTrue(r.json["openapi"].startswith("3."))

    def test_test_clock_exists_only_in_test_mode(self):
        r = self.srv.request("POST", "/api/v1/test/clock", {"advance_us": 86400 * 10**6})
        self.assertEqual(r.status, 200)
        srv = Server(test_mode=False)
        try:
            self.assertError(srv.request("GET", "/api/v1/test/clock"), 404, "not_found")
            self.assertError(srv.request("POST", "/api/v1/test/clock", {"advance_us": 1}), 404, "not_found")
        finally:
            srv.close()


class StaticTest(ApiTest):
    def setUp(self):
        self.web = tempfile.mkdtemp(prefix="ggzy-web-")
        os.makedirs(os.path.join(self.web, "css"))
        with open(os.path.join(self.web, "index.html"), "w") as f:
            f.write("<!doctype html><title>ggzy</title>")
        with open(os.path.join(self.web, "css", "site.css"), "w") as f:
            f.write("body{}")
        with open(os.path.join(self.web, ".secret"), "w") as f:
            f.write("hidden")
        self.outside = tempfile.mkdtemp(prefix="ggzy-outside-")
        with open(os.path.join(self.outside, "passwd"), "w") as f:
            f.write("root:x:0:0")
        os.symlink(os.path.join(self.outside, "passwd"), os.path.join(self.web, "link.txt"))
        os.symlink(self.outside, os.path.join(self.web, "linkdir"))
        self.server_args = {"web_root": self.web}
        super().setUp()
        self.addCleanup(shutil.rmtree, self.web)
        self.addCleanup(shutil.rmtree, self.outside)

    def test_files_are_served_with_their_content_type(self):
        r = self.srv.request("GET", "/")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.header("Content-Type"), "text/html; charset=utf-8")
        self.assertIn("nosniff", r.header("X-Content-Type-Options"))
        self.assertIn("default-src 'self'", r.header("Content-Security-Policy"))
        r = self.srv.request("GET", "/css/site.css")
        self.assertEqual((r.status, r.body), (200, "body{}"))
        self.assertEqual(r.header("Content-Type"), "text/css; charset=utf-8")
        self.assertEqual(self.srv.request("GET", "/css/").status, 404)  # no index there
        self.assertEqual(self.srv.request("HEAD", "/index.html").status, 200)

    def test_nothing_outside_web_can_be_reached(self):
        for path in ["/../etc/passwd", "/%2e%2e/etc/passwd", "/css/..%2f..%2fetc/passwd",
                     "/css%2f..%2f..%2fetc%2fpasswd", "/link.txt", "/linkdir/passwd",
                     "/.secret", "/%2esecret", "/css/../.secret", "//etc/passwd",
                     "/index.html%00.css", "/css\\..\\index.html"]:
            r = self.srv.request("GET", path)
            self.assertEqual(r.status, 404, path)
            self.assertEqual(r.code, "not_found", path)
            self.assertNotIn("root:x", r.body)

    def test_static_files_answer_only_get_and_head(self):
        self.assertError(self.srv.request("POST", "/index.html", {}), 404, "not_found")
