"""Accounts, organizations, roles, sessions, keys and idempotency, through the real API."""
import json
import subprocess
import tempfile
import os

from harness import ApiTest, ADMIN_PASSWORD, credit_code

HOUR_US = 3600 * 10**6


def p256_pem():
    """A fresh ECDSA P-256 public key in PEM, made with the openssl command line."""
    with tempfile.TemporaryDirectory() as d:
        key = os.path.join(d, "k.pem")
        subprocess.run(["openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key], check=True)
        out = subprocess.run(["openssl", "ec", "-in", key, "-pubout"], check=True, capture_output=True, text=True)
        return out.stdout


class SessionTest(ApiTest):
    def test_login_returns_a_token_that_identifies_the_user(self):
        r = self.srv.request("POST", "/api/v1/auth/login", {"username": "admin", "password": ADMIN_PASSWORD})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(len(r.json["token"]), 43)
        self.assertEqual(r.json["user"]["role"], "center_admin")
        self.assertTrue(r.json["expires_at"].endswith("Z"))
        me = self.srv.request("GET", "/api/v1/me", token=r.json["token"])
        self.assertEqual((me.status, me.json["username"]), (200, "admin"))

    def test_the_database_holds_only_the_token_hash(self):
        tok = self.srv.admin_token()
        rows = self.srv.sql("SELECT HEX(token_hash) FROM sessions")
        self.assertEqual(len(rows), 1)
        self.assertNotIn(tok, str(rows))

    def test_wrong_password_or_unknown_user_is_401_bad_credentials(self):
        r = self.srv.request("POST", "/api/v1/auth/login", {"username": "admin", "password": "wrong-password"})
        self.assertError(r, 401, "bad_credentials")
        r = self.srv.request("POST", "/api/v1/auth/login", {"username": "nobody", "password": "wrong-password"})
        self.assertError(r, 401, "bad_credentials")

    def test_repeated_failed_logins_are_throttled_with_retry_after(self):
        for _ in range(5):
            r = self.srv.request("POST", "/api/v1/auth/login", {"username": "admin", "password": "wrong-password"})
            self.assertError(r, 401, "bad_credentials")
        r = self.srv.request("POST", "/api/v1/auth/login", {"username": "admin", "password": ADMIN_PASSWORD})
        self.assertError(r, 429, "too_many_requests")
        self.assertGreater(int(r.header("Retry-After")), 0)
        # after the window (15 minutes by default) the account may try again
        self.srv.request("POST", "/api/v1/test/clock", {"advance_us": 16 * 60 * 10**6})
        self.assertEqual(self.srv.request("POST", "/api/v1/auth/login",
                         {"username": "admin", "password": ADMIN_PASSWORD}).status, 200)

    def test_one_name_is_one_account_whatever_spaces_are_typed_around_it(self):
        admin = self.srv.admin_token()
        _, _ = self.make_user(admin, self.make_org(admin)["id"], "bidder", username="bidder2ce7017")
        # a name with spaces before or after is no user name: refused before any lookup
        for name in ("bidder2ce7017 ", "bidder2ce7017    ", " bidder2ce7017", "bidder2ce7017\t"):
            r = self.srv.request("POST", "/api/v1/auth/login", {"username": name, "password": "user-password-1"})
            self.assertError(r, 422, "invalid_field")
            self.assertEqual(r.json["error"]["field"], "username")
        # the throttle counts the account: five failures with the bare name, then nothing gets in
        for _ in range(5):
            r = self.srv.request("POST", "/api/v1/auth/login", {"username": "bidder2ce7017", "password": "wrong-pass"})
            self.assertError(r, 401, "bad_credentials")
        for name in ("bidder2ce7017", "bidder2ce7017 ", "BIDDER2CE7017"):
            r = self.srv.request("POST", "/api/v1/auth/login", {"username": name, "password": "user-password-1"})
            self.assertIn(r.status, (422, 429, 401), r)
            self.assertNotEqual(r.status, 200, r)
        # nor can anyone create the same name with a space, or another case
        for name in ("bidder2ce7017 ", "Bidder2ce7017"):
            r = self.srv.request("POST", "/api/v1/users", {"username": name, "display_name": "x", "org_id": 1,
                                                          "role": "center_admin", "password": "user-password-1"},
                                 token=admin)
            self.assertEqual(r.status, 422, r)
        # the database itself compares names byte for byte (NO PAD): a trailing space is another name
        self.assertEqual(self.srv.sql("SELECT COUNT(*) FROM users WHERE username = 'bidder2ce7017 '"), [["0"]])
        self.assertEqual(self.srv.sql("SELECT COUNT(*) FROM users WHERE username = 'bidder2ce7017'"), [["1"]])

    def test_logout_revokes_the_token(self):
        tok = self.srv.admin_token()
        self.assertEqual(self.srv.request("POST", "/api/v1/auth/logout", token=tok).status, 204)
        self.assertError(self.srv.request("GET", "/api/v1/me", token=tok), 401, "unauthenticated")

    def test_expired_token_is_401(self):
        tok = self.srv.admin_token()
        self.srv.request("POST", "/api/v1/test/clock", {"advance_us": 9 * HOUR_US})
        self.assertError(self.srv.request("GET", "/api/v1/me", token=tok), 401, "unauthenticated")

    def test_token_is_valid_until_just_before_expiry(self):
        tok = self.srv.admin_token()
        self.srv.request("POST", "/api/v1/test/clock", {"advance_us": 8 * HOUR_US - 60 * 10**6})
        self.assertEqual(self.srv.request("GET", "/api/v1/me", token=tok).status, 200)

    def test_password_change_revokes_other_sessions_and_needs_the_old_password(self):
        tok1 = self.srv.admin_token()
        tok2 = self.srv.admin_token()
        r = self.srv.request("POST", "/api/v1/me/password", {"old_password": "wrong-password", "new_password": "new-password-22"}, token=tok1)
        self.assertError(r, 401, "bad_credentials")
        r = self.srv.request("POST", "/api/v1/me/password", {"old_password": ADMIN_PASSWORD, "new_password": "short"}, token=tok1)
        self.assertError(r, 422, "rule_violation")
        self.assertEqual(r.json["error"]["rule"], "ACC-PASSWORD")
        r = self.srv.request("POST", "/api/v1/me/password", {"old_password": ADMIN_PASSWORD, "new_password": "new-password-22"}, token=tok1)
        self.assertEqual(r.status, 204, r)
        self.assertEqual(self.srv.request("GET", "/api/v1/me", token=tok1).status, 200)
        self.assertError(self.srv.request("GET", "/api/v1/me", token=tok2), 401, "unauthenticated")
        self.assertEqual(self.srv.login("admin", "new-password-22")[:0], "")


class RolesTest(ApiTest):
    def setUp(self):
        super().setUp()
        self.admin = self.srv.admin_token()
        bidder_org = self.make_org(self.admin, "bidder")
        self.bidder, self.bidder_tok = self.make_user(self.admin, bidder_org["id"], "bidder")

    def test_non_admin_roles_get_403_on_admin_routes(self):
        org = self.make_org(self.admin, "supervision")
        _, sup_tok = self.make_user(self.admin, org["id"], "supervisor")
        for tok in (self.bidder_tok, sup_tok):
            r = self.srv.request("POST", "/api/v1/orgs", {"name": "x", "type": "bidder",
                                 "credit_code": credit_code(), "region": "110000"}, token=tok)
            self.assertError(r, 403, "forbidden")
            r = self.srv.request("POST", "/api/v1/users/%d/disable" % self.bidder["id"], token=tok)
            self.assertError(r, 403, "forbidden")
        self.assertError(self.srv.request("GET", "/api/v1/users", token=self.bidder_tok), 403, "forbidden")
        # supervisors may read the lists
        self.assertEqual(self.srv.request("GET", "/api/v1/users", token=sup_tok).status, 200)

    def test_users_see_themselves_but_not_others(self):
        r = self.srv.request("GET", "/api/v1/users/%d" % self.bidder["id"], token=self.bidder_tok)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json["organization"]["type"], "bidder")
        self.assertError(self.srv.request("GET", "/api/v1/users/1", token=self.bidder_tok), 404, "not_found")

    def test_role_must_fit_the_organization(self):
        agency = self.make_org(self.admin, "agency")
        r = self.srv.request("POST", "/api/v1/users", {"username": "wrongrole", "display_name": "x",
                             "org_id": agency["id"], "role": "bidder", "password": "user-password-1"}, token=self.admin)
        self.assertError(r, 422, "rule_violation")
        self.assertEqual(r.json["error"]["rule"], "ACC-ROLE-ORG")
        # an expert may work for any organization (avoidance checks use it later)
        self.make_user(self.admin, agency["id"], "expert")

    def test_disabling_a_user_ends_their_sessions_and_logins(self):
        r = self.srv.request("POST", "/api/v1/users/%d/disable" % self.bidder["id"], token=self.admin)
        self.assertEqual((r.status, r.json["disabled"]), (200, True))
        self.assertError(self.srv.request("GET", "/api/v1/me", token=self.bidder_tok), 401, "unauthenticated")
        r = self.srv.request("POST", "/api/v1/auth/login", {"username": self.bidder["username"], "password": "user-password-1"})
        self.assertError(r, 401, "bad_credentials")
        r = self.srv.request("POST", "/api/v1/users/%d/enable" % self.bidder["id"], token=self.admin)
        self.assertEqual((r.status, r.json["disabled"]), (200, False))
        self.srv.login(self.bidder["username"], "user-password-1")

    def test_admin_cannot_disable_themselves(self):
        r = self.srv.request("POST", "/api/v1/users/1/disable", token=self.admin)
        self.assertError(r, 422, "rule_violation")
        self.assertEqual(r.json["error"]["rule"], "ACC-SELF-DISABLE")

    def test_disable_of_unknown_user_is_404(self):
        self.assertError(self.srv.request("POST", "/api/v1/users/999999/disable", token=self.admin), 404, "not_found")
        self.assertError(self.srv.request("POST", "/api/v1/users/abc/disable", token=self.admin), 404, "not_found")


class OrgsUsersTest(ApiTest):
    def setUp(self):
        super().setUp()
        self.admin = self.srv.admin_token()

    def test_org_with_bad_credit_code_or_region_is_422(self):
        bad = credit_code()[:17] + ("0" if credit_code()[17] != "0" else "1")
        for body, field in [({"credit_code": "91350100M000100Y44"}, "credit_code"),
                            ({"region": "010000"}, "region")]:
            b = {"name": "某公司", "type": "bidder", "credit_code": credit_code(), "region": "110000"}
            b.update(body)
            r = self.srv.request("POST", "/api/v1/orgs", b, token=self.admin)
            self.assertError(r, 422, "invalid_field")
            self.assertEqual(r.json["error"]["field"], field)
        r = self.srv.request("POST", "/api/v1/orgs", {"name": "x", "type": "hospital",
                             "credit_code": credit_code(), "region": "110000"}, token=self.admin)
        self.assertError(r, 422, "invalid_field")

    def test_duplicate_credit_code_is_409_and_creates_nothing(self):
        code = credit_code()
        b = {"name": "某公司", "type": "bidder", "credit_code": code, "region": "110000"}
        self.assertEqual(self.srv.request("POST", "/api/v1/orgs", b, token=self.admin).status, 201)
        self.assertError(self.srv.request("POST", "/api/v1/orgs", b, token=self.admin), 409, "conflict")
        self.assertEqual(self.srv.sql("SELECT COUNT(*) FROM organizations WHERE credit_code='%s'" % code), [["1"]])

    def test_duplicate_username_is_409(self):
        org = self.make_org(self.admin, "bidder")
        self.make_user(self.admin, org["id"], "bidder", username="zhangsan")
        r = self.srv.request("POST", "/api/v1/users", {"username": "zhangsan", "display_name": "张三",
                             "org_id": org["id"], "role": "bidder", "password": "user-password-1"}, token=self.admin)
        self.assertError(r, 409, "conflict")

    def test_user_in_unknown_org_is_422(self):
        r = self.srv.request("POST", "/api/v1/users", {"username": "lisi", "display_name": "李四",
                             "org_id": 424242, "role": "bidder", "password": "user-password-1"}, token=self.admin)
        self.assertError(r, 422, "invalid_field")
        self.assertEqual(r.json["error"]["field"], "org_id")

    def test_lists_page_with_a_cursor_without_skipping_or_repeating(self):
        for _ in range(5):
            self.make_org(self.admin, "bidder")
        seen, after = [], 0
        while True:
            r = self.srv.request("GET", "/api/v1/orgs?type=bidder&limit=2&after=%d" % after, token=self.admin)
            self.assertEqual(r.status, 200, r)
            seen += [o["id"] for o in r.json["items"]]
            if r.json["next_after"] is None:
                break
            after = r.json["next_after"]
        self.assertEqual(len(seen), 5)
        self.assertEqual(seen, sorted(set(seen)))
        self.assertError(self.srv.request("GET", "/api/v1/orgs?limit=0", token=self.admin), 400, "bad_request")
        self.assertError(self.srv.request("GET", "/api/v1/orgs?type=zoo", token=self.admin), 400, "bad_request")

    def test_every_state_change_writes_one_dense_audit_entry(self):
        self.srv.wait_sequenced()
        before = int(self.srv.sql("SELECT size FROM audit_head")[0][0])
        org = self.make_org(self.admin, "bidder")
        self.make_user(self.admin, org["id"], "bidder")  # user create + login
        self.srv.wait_sequenced()
        rows = self.srv.sql("SELECT idx, action FROM audit_entries ORDER BY idx")
        self.assertEqual([int(r[0]) for r in rows], list(range(len(rows))))
        # (a background job's entry may fall in between — the calendar's warning when the official
        # calendar ends within 90 days: it is the system's, not this test's)
        actions = [r[1] for r in rows[before:] if r[1] != "calendar.warn"]
        self.assertEqual(actions, ["account.org_create", "account.user_create", "auth.login"])
        self.assertEqual(int(self.srv.sql("SELECT size FROM audit_head")[0][0]), len(rows))
        # the stored bytes are what was hashed: leaf = SHA-256(0x00 || entry)
        ok = self.srv.sql("SELECT COUNT(*) FROM audit_entries WHERE LEFT(nodes, 32) = UNHEX(SHA2(CONCAT(X'00', entry), 256))")
        self.assertEqual(int(ok[0][0]), len(rows))

    def test_work_done_without_a_request_names_its_system_actor_and_carries_no_request(self):
        self.srv.wait_sequenced()
        entries = {r[0]: json.loads(r[1]) for r in self.srv.sql(
            "SELECT action, entry FROM audit_entries WHERE actor_user_id IS NULL AND action IN "
            "('account.org_create', 'account.user_create', 'trust.anchors')")}
        self.assertEqual(entries["account.org_create"]["actor"], {"name": "system:bootstrap", "role": "system"})
        self.assertEqual(entries["account.user_create"]["actor"], {"name": "system:bootstrap", "role": "system"})
        self.assertEqual(entries["trust.anchors"]["actor"], {"name": "system:trust-anchors", "role": "system"})
        for e in entries.values():
            self.assertNotIn("request_id", e)
            self.assertNotIn("client", e)
        # and what a signed-in user does through a request names the user and the request
        self.make_org(self.admin, "bidder")
        self.srv.wait_sequenced()
        e = json.loads(self.srv.sql("SELECT entry FROM audit_entries WHERE action = 'account.org_create' "
                                    "ORDER BY idx DESC LIMIT 1")[0][0])
        self.assertEqual(e["actor"]["role"], "center_admin")
        self.assertNotIn("name", e["actor"])
        self.assertRegex(e["request_id"], r"^[0-9a-f]{24}$")

    def test_a_refused_change_leaves_no_audit_entry(self):
        self.srv.wait_sequenced()
        before = self.srv.sql("SELECT size FROM audit_head")
        code = credit_code()
        b = {"name": "某公司", "type": "bidder", "credit_code": code, "region": "110000"}
        self.srv.request("POST", "/api/v1/orgs", b, token=self.admin)
        self.srv.request("POST", "/api/v1/orgs", b, token=self.admin)  # 409
        self.srv.wait_sequenced()
        after = self.srv.sql("SELECT size FROM audit_head")
        self.assertEqual(int(after[0][0]), int(before[0][0]) + 1)


class IdempotencyTest(ApiTest):
    def setUp(self):
        super().setUp()
        self.admin = self.srv.admin_token()
        self.body = {"name": "重试公司", "type": "bidder", "credit_code": credit_code(), "region": "110000"}

    def test_a_retry_with_the_same_key_returns_the_first_answer_and_creates_nothing(self):
        h = {"Idempotency-Key": "create-org-1"}
        r1 = self.srv.request("POST", "/api/v1/orgs", self.body, token=self.admin, headers=h)
        r2 = self.srv.request("POST", "/api/v1/orgs", self.body, token=self.admin, headers=h)
        self.assertEqual(r1.status, 201)
        self.assertEqual((r2.status, r2.json), (201, r1.json))
        self.assertEqual(r2.header("Idempotent-Replayed"), "true")
        self.assertEqual(self.srv.sql("SELECT COUNT(*) FROM organizations WHERE type='bidder'"), [["1"]])

    def test_the_same_key_with_another_body_is_refused(self):
        h = {"Idempotency-Key": "k-2"}
        self.srv.request("POST", "/api/v1/orgs", self.body, token=self.admin, headers=h)
        other = dict(self.body, name="别的公司", credit_code=credit_code())
        r = self.srv.request("POST", "/api/v1/orgs", other, token=self.admin, headers=h)
        self.assertError(r, 422, "idempotency_key_reused")

    def test_keys_are_scoped_to_the_user(self):
        center = self.srv.sql("SELECT id FROM organizations WHERE type='center'")[0][0]
        _, admin2 = self.make_user(self.admin, int(center), "center_admin")
        h = {"Idempotency-Key": "shared"}
        self.assertEqual(self.srv.request("POST", "/api/v1/orgs", self.body, token=self.admin, headers=h).status, 201)
        other = dict(self.body, credit_code=credit_code())
        self.assertEqual(self.srv.request("POST", "/api/v1/orgs", other, token=admin2, headers=h).status, 201)

    def test_a_refusal_is_not_remembered(self):
        h = {"Idempotency-Key": "k-3"}
        bad = dict(self.body, region="000000")
        self.assertEqual(self.srv.request("POST", "/api/v1/orgs", bad, token=self.admin, headers=h).status, 422)
        self.assertEqual(self.srv.request("POST", "/api/v1/orgs", self.body, token=self.admin, headers=h).status, 201)

    def test_malformed_keys_are_400(self):
        r = self.srv.request("POST", "/api/v1/orgs", self.body, token=self.admin, headers={"Idempotency-Key": "x" * 200})
        self.assertError(r, 400, "bad_request")


class ConcurrencyTest(ApiTest):
    def test_parallel_creations_all_land_with_dense_audit_indexes(self):
        import concurrent.futures
        admin = self.srv.admin_token()
        bodies = [{"name": "并发%d" % i, "type": "bidder", "credit_code": credit_code(), "region": "110000"}
                  for i in range(40)]
        with concurrent.futures.ThreadPoolExecutor(16) as ex:
            results = list(ex.map(lambda b: self.srv.request("POST", "/api/v1/orgs", b, token=admin), bodies))
        self.assertEqual([r.status for r in results], [201] * 40)
        self.srv.wait_sequenced()
        rows = self.srv.sql("SELECT idx FROM audit_entries ORDER BY idx")
        self.assertEqual([int(r[0]) for r in rows], list(range(len(rows))))
        self.assertEqual(int(self.srv.sql("SELECT COUNT(*) FROM audit_entries WHERE action='account.org_create'")[0][0]), 41)

    def test_parallel_retries_with_one_key_create_exactly_once(self):
        import concurrent.futures
        admin = self.srv.admin_token()
        body = {"name": "一次", "type": "bidder", "credit_code": credit_code(), "region": "110000"}
        h = {"Idempotency-Key": "same-key"}
        with concurrent.futures.ThreadPoolExecutor(8) as ex:
            results = list(ex.map(lambda _: self.srv.request("POST", "/api/v1/orgs", body, token=admin, headers=h), range(8)))
        self.assertEqual([r.status for r in results], [201] * 8, results)
        self.assertEqual(len({r.json["id"] for r in results}), 1, results)
        self.assertEqual(self.srv.sql("SELECT COUNT(*) FROM organizations WHERE credit_code='%s'" % body["credit_code"]), [["1"]])
