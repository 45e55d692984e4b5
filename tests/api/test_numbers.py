"""Exact integers everywhere, by the schema layer (docs/errors.md "Numbers"): every integer field
of every route's request body, as docs/openapi.json declares them, is sent tokens a double would
round to an integer — 100.0000000000000001, 99.99999999999999999, 1e2, 1.0, -0, 2^53 — and each
is refused with 422 invalid_field naming the field, before any handler runs. Derived from the
document, so a route added later is covered without a line here."""
import json
import urllib.parse

from harness import ApiTest

TOKENS = ["100.0000000000000001", "99.99999999999999999", "1e2", "1.0", "-0", "9007199254740992"]


def integer_fields(doc):
    """(method, path, roles, [field path]) for every JSON body's integer fields."""
    comp = doc["components"]["schemas"]

    def res(s):
        while "$ref" in s:
            s = comp[s["$ref"].rsplit("/", 1)[1]]
        return s

    def walk(s, path, out, depth=0):
        s = res(s)
        if depth > 6:
            return
        if s.get("type") == "integer":
            out.append(path)
        for k, v in s.get("properties", {}).items():
            walk(v, path + [k], out, depth + 1)
        if s.get("type") == "array" and "items" in s:
            walk(s["items"], path + [0], out, depth + 1)
        for k in ("oneOf", "anyOf", "allOf"):
            for x in s.get(k, []):
                walk(x, path, out, depth + 1)

    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            body = op.get("requestBody", {}).get("content", {}).get("application/json")
            if not body:
                continue
            out = []
            walk(body["schema"], [], out)
            if out:
                yield method.upper(), path, op["x-roles"], out


def body_with(field, token):
    """A JSON body text holding token (raw) at field, e.g. ["notice", "amount_fen"]."""
    marker = "\u0000MARK\u0000"
    value = marker
    for k in reversed(field):
        value = [value] if k == 0 else {k: value}
    return json.dumps(value).replace(json.dumps(marker), token)


def field_name(field):
    out = ""
    for k in field:
        out += "[0]" if k == 0 else ("." if out else "") + k
    return out


class NumbersTest(ApiTest):
    def test_every_integer_field_of_every_route_refuses_tokens_that_are_not_integers(self):
        doc = self.srv.request("GET", "/api/v1/openapi.json").json
        admin = self.srv.admin_token()
        tokens = {"center_admin": admin}
        for role, org_type in (("agent", "agency"), ("bidder", "bidder"), ("expert", "bidder"),
                               ("supervisor", "supervision"), ("tenderer", "tenderer")):
            org = self.make_org(admin, org_type)
            tokens[role] = self.make_user(admin, org["id"], role)[1]
        checked = 0
        for method, path, roles, fields in integer_fields(doc):
            url = path.replace("{key_id}", "0" * 64).replace("{pseudonym}", "0" * 16)
            url = "/".join("1" if p.startswith("{") else p for p in url.split("/"))
            tok = None if "public" in roles else tokens[roles[0]]
            for field in fields:
                for t in TOKENS:
                    r = self.srv.request(method, url, raw=body_with(field, t).encode(), token=tok,
                                         headers={"Content-Type": "application/json"})
                    where = "%s %s %s = %s" % (method, path, field_name(field), t)
                    self.assertEqual((r.status, r.code), (422, "invalid_field"), where + ": %r" % r)
                    self.assertEqual(r.json["error"].get("field"), field_name(field), where)
                    checked += 1
        self.assertGreater(checked, 400)  # every route's every integer field, six tokens each
        # nothing of it was stored
        self.assertEqual(self.srv.sql("SELECT COUNT(*) FROM deposit_notices"), [["0"]])

    def test_a_bank_notice_signed_over_100_but_sent_as_100_point_something_is_not_booked(self):
        r = self.srv.request("POST", "/api/v1/deposits/bank/notices",
                             raw=b'{"notice":{"amount_fen":100.0000000000000001},"signature":"x"}',
                             headers={"Content-Type": "application/json"})
        self.assertEqual((r.status, r.json["error"]["field"]), (422, "notice.amount_fen"), r)
        r = self.srv.request("POST", "/api/v1/deposits/bank/notices",
                             raw=b'{"notice":{"amount_fen":99.99999999999999999},"signature":"x"}',
                             headers={"Content-Type": "application/json"})
        self.assertEqual(r.status, 422, r)


class QueryTest(ApiTest):
    def test_every_query_parameter_is_checked_against_its_schema_before_the_handler(self):
        """The newer lists answered 200 with an empty list for ?state=maybe, ?late=maybe: now
        every query parameter of every route, as docs/openapi.json declares it, is checked by the
        dispatcher — a bad value, an unknown name or a name given twice is 400 naming it."""
        doc = self.srv.request("GET", "/api/v1/openapi.json").json
        comp = doc["components"]["schemas"]
        admin = self.srv.admin_token()
        tokens = {"center_admin": admin}
        for role, org_type in (("agent", "agency"), ("bidder", "bidder"), ("expert", "bidder"),
                               ("supervisor", "supervision"), ("tenderer", "tenderer")):
            org = self.make_org(admin, org_type)
            tokens[role] = self.make_user(admin, org["id"], role)[1]
        checked = 0
        for path, ops in doc["paths"].items():
            for method, op in ops.items():
                if method not in ("get", "post", "put", "delete"):
                    continue
                url = "/".join("1" if p.startswith("{") else p for p in path.split("/"))
                tok = None if "public" in op["x-roles"] else tokens[op["x-roles"][0]]
                params = [p for p in op.get("parameters", []) if p.get("in") == "query"]
                bad = [("zzz", "1")]  # a parameter the route does not take
                for p in params:
                    s = p["schema"]
                    s = comp[s["$ref"].rsplit("/", 1)[1]] if "$ref" in s else s
                    if s.get("type") == "integer":
                        bad += [(p["name"], v) for v in ("x", "1.5", "1e2", "")]
                        if "minimum" in s:
                            bad.append((p["name"], str(s["minimum"] - 1)))
                        if "maximum" in s:
                            bad.append((p["name"], str(s["maximum"] + 1)))
                    if "enum" in s:
                        bad.append((p["name"], "maybe"))
                    if "maxLength" in s:
                        bad.append((p["name"], "字" * (s["maxLength"] + 1)))
                if params:  # twice
                    first = params[0]["name"]
                    bad.append((first + "=1&" + first, "1"))
                for name, value in bad:
                    r = self.srv.request(method.upper(), "%s?%s=%s" % (url, name, urllib.parse.quote(value)),
                                         token=tok)
                    where = "%s %s ?%s=%s" % (method.upper(), path, name, value)
                    self.assertEqual((r.status, r.code), (400, "bad_request"), where + ": %r" % r)
                    self.assertEqual(r.json["error"]["field"], name.split("=")[0], where)
                    checked += 1
        self.assertGreater(checked, 200)
        # and the values the documents allow still pass
        r = self.srv.request("GET", "/api/v1/deposits/refunds?late=1&state=paid&limit=500", token=admin)
        self.assertEqual(r.status, 200, r)
