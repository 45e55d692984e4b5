"""Every act a role may take is reachable from a page (issue 27): each mutating route of
docs/openapi.json is called by some page's script (web/*.js), unless a row below says why not —
an outside party's endpoint (a bank, an insurer, a recorder), a command-line tool's, test mode's,
or a page still to be built (named, so the list shrinks as the pages come). A route with a page
and a row, or a row for a route that no longer exists, fails too: the list stays true."""
import glob
import json
import os
import re
import unittest

from harness import ROOT

NO_PAGE = {
    # outside parties, each a separate process speaking its protocol
    "POST /api/v1/deposits/bank/notices": "the bank's signed notices (tests/sim/bank.py)",
    "POST /api/v1/deposits/guarantees": "an insurer's or bank's signed guarantee",
    "POST /api/v1/venues/recordings": "a recorder device's signed recording",
    # command-line tools (docs name them)
    "POST /api/v1/envelopes/check": "ggzy bid check (the bid page checks on submission)",
    "POST /api/v1/audit/checkpoints": "ggzy / operators: a checkpoint on demand",
    "POST /api/v1/audit/checkpoints/{size}/cosignatures": "ggzy audit cosign (the supervisor's own machine)",
    # test mode and the demonstration clock
    "POST /api/v1/test/audit/deadlines": "test mode",
    "POST /api/v1/test/audit/entries": "test mode",
    "POST /api/v1/test/clock": "test mode and the demonstration clock (scripts/demo.py)",
    "POST /api/v1/test/events": "test mode",
    # pages still to be built (issue 27)
    "POST /api/v1/auth/logout": "issue 27: sessions (sign-out everywhere)",
    "POST /api/v1/orgs": "issue 27: organization registration",
    "POST /api/v1/me/keys": "issue 27: the key page (a key is registered with ggzy key register)",
    "POST /api/v1/venues/sites/{id}/rooms": "issue 27: room administration",
    "POST /api/v1/venues/rooms/{id}/state": "issue 27: room administration",
    "POST /api/v1/experts/{id}/state": "issue 27: the library's administration (suspend, remove)",
    "POST /api/v1/me/password": "issue 27: the account page",
    "DELETE /api/v1/me/keys/{key_id}": "issue 27: the key page",
    "POST /api/v1/me/inbox/{id}/read": "issue 27: the inbox page",
    "POST /api/v1/users": "issue 27: user registration",
    "POST /api/v1/users/{id}/disable": "issue 27: user administration",
    "POST /api/v1/users/{id}/enable": "issue 27: user administration",
    "POST /api/v1/experts/me/relations": "issue 27: the expert's profile",
    "POST /api/v1/experts/me/leaves": "issue 27: the expert's profile",
    "POST /api/v1/experts/{id}/relations/{rid}/end": "issue 27: the expert's profile",
    "POST /api/v1/agencies/{id}/registration": "issue 27: the agency register's page",
    "POST /api/v1/agency-draws": "issue 27: the tenderer's agency draw",
    "POST /api/v1/draws/{id}/members/{pseudonym}/rating": "issue 27: rating an expert",
    "POST /api/v1/draws/{id}/members/{pseudonym}/replace": "issue 27: replacing a drawn member",
    "POST /api/v1/projects/{id}/lots/{lot}/forfeitures": "issue 27: the forfeiture proposal",
    "POST /api/v1/venues/bookings/{id}/witness": "issue 27: the witness log",
    "POST /api/v1/venues/recorders/{id}/revoke": "issue 27: recorder administration",
    "POST /api/v1/venues/rooms/{id}/recorders": "issue 27: recorder administration",
}


def page_scripts():
    text = ""
    for f in glob.glob(os.path.join(ROOT, "web", "*.js")) + glob.glob(os.path.join(ROOT, "web", "lib", "*.js")):
        with open(f, encoding="utf-8") as fh:
            text += fh.read()
    return text


def called(path, js):
    """Does a page's script build this path? The literal after its last parameter (or the whole
    path) appears in a string of the scripts."""
    if "{" not in path:
        return ('"%s"' % path) in js or ("'%s'" % path) in js or ('"%s?' % path) in js
    literal = re.split(r"\{[^}]+\}", path)[-1] or re.split(r"\{[^}]+\}", path)[-2]
    last = "/" + literal.rstrip("/").rsplit("/", 1)[-1]  # a script may join the last segment to a base
    return any(re.search(r"[\"']%s[\"'?]" % re.escape(x), js) for x in (literal, last))


class RouteCoverageTest(unittest.TestCase):
    def test_every_mutating_route_has_a_page_or_a_reason(self):
        with open(os.path.join(ROOT, "docs", "openapi.json")) as f:
            doc = json.load(f)
        js = page_scripts()
        missing, stale, known = [], [], set()
        for path, ops in doc["paths"].items():
            for method in ops:
                if method not in ("post", "put", "patch", "delete"):
                    continue
                key = "%s %s" % (method.upper(), path)
                known.add(key)
                if called(path, js):
                    if key in NO_PAGE:
                        stale.append(key)
                elif key not in NO_PAGE:
                    missing.append(key)
        self.assertEqual(missing, [], "mutating routes no page calls (add the page, or a row saying why)")
        self.assertEqual(stale, [], "routes a page calls now: drop their rows")
        self.assertEqual(sorted(set(NO_PAGE) - known), [], "rows for routes that do not exist")


if __name__ == "__main__":
    unittest.main()
