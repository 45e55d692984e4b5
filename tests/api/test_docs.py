"""The documents describe the code as it is: every route is in the OpenAPI document (and
nothing else is), with the same roles; every error code is in docs/errors.md and the OpenAPI
enum; every configuration key is in docs/operations.md and the example config."""
import json
import os
import re
import subprocess
import sys
import unittest

from harness import ApiTest, GGZYD, ROOT

METHODS = {"get", "post", "put", "patch", "delete"}


def registered_routes():
    out = subprocess.run([GGZYD, "routes", "--test-mode"], capture_output=True, text=True, check=True).stdout
    routes = {}
    for line in out.splitlines():
        parts = line.split()
        roles = [p for p in parts[2:] if p != "test-only" and not p.startswith("?")]
        routes[(parts[0], parts[1])] = sorted(roles)
    return routes


def registered_queries():
    """The query parameters each route declares (route.h), which the dispatcher checks."""
    out = subprocess.run([GGZYD, "routes", "--test-mode"], capture_output=True, text=True, check=True).stdout
    return {(l.split()[0], l.split()[1]): sorted(p[1:] for p in l.split()[2:] if p.startswith("?"))
            for l in out.splitlines()}


def openapi():
    with open(os.path.join(ROOT, "docs", "openapi.json")) as f:
        return json.load(f)


class OpenApiMatchesRoutesTest(unittest.TestCase):
    def test_every_registered_route_is_documented_with_its_roles(self):
        doc = openapi()
        for (method, path), roles in registered_routes().items():
            self.assertIn(path, doc["paths"], "route %s %s is missing from docs/openapi.json" % (method, path))
            op = doc["paths"][path].get(method.lower())
            self.assertIsNotNone(op, "route %s %s is missing from docs/openapi.json" % (method, path))
            self.assertEqual(sorted(op["x-roles"]), roles, "%s %s roles" % (method, path))

    def test_every_documented_route_exists(self):
        routes = registered_routes()
        for path, ops in openapi()["paths"].items():
            for method in ops:
                if method in METHODS:
                    self.assertIn((method.upper(), path), routes, "documented %s %s does not exist" % (method, path))

    def test_every_route_declares_the_query_parameters_it_documents(self):
        doc = openapi()
        for (method, path), names in registered_queries().items():
            op = doc["paths"][path][method.lower()]
            documented = sorted(p["name"] for p in op.get("parameters", []) if p.get("in") == "query")
            self.assertEqual(names, documented, "%s %s query parameters" % (method, path))

    def test_every_error_response_code_is_in_the_vocabulary(self):
        doc = openapi()
        enum = doc["components"]["schemas"]["Error"]["properties"]["error"]["properties"]["code"]["enum"]
        self.assertEqual(sorted(enum), sorted(error_codes_only()))


def error_codes():
    with open(os.path.join(ROOT, "server", "http", "errors.def")) as f:
        return re.findall(r'^ERR\(\w+,\s*"(\w+)",\s*(\d+)', f.read(), re.M)


def error_codes_only():
    return [c for c, _ in error_codes()]


class ErrorsDocTest(unittest.TestCase):
    def test_every_error_code_is_documented_with_its_status(self):
        with open(os.path.join(ROOT, "docs", "errors.md")) as f:
            text = f.read()
        documented = dict(re.findall(r"^\| `(\w+)` \| (\d+) \|", text, re.M))
        self.assertEqual(documented, dict(error_codes()))

    def test_every_rule_code_used_in_the_code_is_documented(self):
        with open(os.path.join(ROOT, "docs", "errors.md")) as f:
            text = f.read()
        used = set()
        for top in ("modules", "server", "lib"):
            for dirpath, _, files in os.walk(os.path.join(ROOT, top)):
                for fn in files:
                    if fn.endswith(".c"):
                        with open(os.path.join(dirpath, fn)) as f:
                            src = f.read()
                        used |= set(re.findall(r'req_rule(?:_as)?\(r, (?:E_\w+, )?"([A-Z0-9-]+)"', src))
                        # rule codes returned by rule functions (refusals built elsewhere)
                        used |= set(re.findall(r'"((?:KEY|BID|ANN|ENT|ACC|AUD|VENUE|EXP|DRAW|EVAL|AWARD)-[A-Z0-9-]+)"', src))
        self.assertTrue(used)
        for code in used:
            self.assertIn("`%s`" % code, text)


class ModuleContractTest(unittest.TestCase):
    """Each module's descriptor declares the rule codes its refusals carry: every code its own
    sources use (by its prefixes) is declared, each declared code is documented, and no code has
    two owners."""

    PREFIXES = {"accounts": ("ACC", "KEY"), "audit": ("AUD",), "entry": ("ENT",),
                "venues": ("VENUE",), "announce": ("ANN",), "bids": ("BID",),
                "experts": ("EXP", "DRAW"), "outbox": (), "deposits": ("DEP",),
                "evaluation": ("EVAL", "AWARD")}

    def declared(self):
        out = subprocess.run([GGZYD, "modules"], capture_output=True, text=True, check=True).stdout
        mods, cur = {}, None
        for line in out.splitlines():
            if not line.startswith(" "):
                cur = mods.setdefault(line.strip(), set())
            elif line.strip().startswith("rule: "):
                cur.add(line.strip()[6:])
        return mods

    def test_every_rule_code_a_module_uses_is_declared_once_and_documented(self):
        with open(os.path.join(ROOT, "docs", "errors.md")) as f:
            text = f.read()
        mods = self.declared()
        self.assertEqual(set(self.PREFIXES), set(mods) - {"core"})
        owners = {}
        for m, codes in mods.items():
            for c in codes:
                self.assertNotIn(c, owners, "%s is declared by %s and %s" % (c, owners.get(c), m))
                owners[c] = m
                self.assertIn("`%s`" % c, text, c)
        for m, prefixes in self.PREFIXES.items():
            used = set()
            folder = os.path.join(ROOT, "modules", m)
            for fn in os.listdir(folder):
                if fn.endswith(".c"):
                    with open(os.path.join(folder, fn)) as f:
                        used |= set(re.findall(r'"((?:%s)-[A-Z0-9]+(?:-[A-Z0-9]+)*)"' % "|".join(prefixes),
                                               f.read()))
            self.assertTrue(used or not prefixes, m)
            self.assertLessEqual(used, mods[m], "%s uses undeclared codes" % m)


class ConfigDocTest(unittest.TestCase):
    def test_every_key_is_documented_and_in_the_example(self):
        keys = subprocess.run([GGZYD, "config-keys"], capture_output=True, text=True, check=True).stdout.split()
        with open(os.path.join(ROOT, "docs", "operations.md")) as f:
            ops = f.read()
        with open(os.path.join(ROOT, "etc", "ggzyd.conf.example")) as f:
            example = f.read()
        for k in keys:
            self.assertIn("`%s`" % k, ops, k)
            self.assertRegex(example, r"(?m)^#? ?%s = " % re.escape(k))


class RulesDocTest(unittest.TestCase):
    def test_every_statutory_rule_is_documented_with_its_value_and_source(self):
        out = subprocess.run([GGZYD, "rules"], capture_output=True, text=True, check=True).stdout
        with open(os.path.join(ROOT, "docs", "rules.md")) as f:
            doc = f.read()
        rows = [l.split("\t") for l in out.strip().splitlines()]
        self.assertGreater(len(rows), 5)
        for code, cat, value, unit, source in rows:
            self.assertIn("| `%s` | %s | %s %s | %s |" % (code, cat, value, unit, source), doc)


class DrawDocTest(unittest.TestCase):
    """docs/draw.md lets an outsider replay a draw without our code: its Python, run as it
    stands, prints exactly the vectors the page shows (and lib/draw.c's unit test checks)."""

    def test_the_draw_pages_python_prints_its_vectors(self):
        with open(os.path.join(ROOT, "docs", "draw.md")) as f:
            doc = f.read()
        code = re.search(r"```python\n(.*?)```", doc, re.S).group(1)
        printed = re.search(r"It prints\n\n```\n(.*?)```", doc, re.S).group(1)
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
        self.assertEqual(out, printed)
        self.assertIn("5c74428f0f45b961ca13b606821720ccb34b28ad651d6cd12111b7dc1163945e", out)


class ServedDocumentTest(ApiTest):
    def test_the_served_document_is_the_file(self):
        r = self.srv.request("GET", "/api/v1/openapi.json")
        self.assertEqual(r.json, openapi())


if __name__ == "__main__":
    unittest.main()
