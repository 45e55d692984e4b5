"""The module template, checked over the tree (tests/layers/README.md): every module folder has
its CMakeLists.txt, routes.c, store.c and rules.c; SQL is written only in store.c; no database
column is read by a literal index (each SELECT names its columns with an X-macro); rule functions
are named <module>_rule_*; routes.c stays a few hundred lines. In the modules built facts → rule →
effects from the start (STRICT), a use-case file never refuses by itself: no req_rule call outside
rules.c, store.c, routes.c and views.c — a refusal comes from a <module>_rule_* function's struct
refusal. Prints each breach; exits 1 on any."""
import os
import re
import sys

ROOT = sys.argv[1]
bad = []
sql = re.compile(r'"(SELECT|INSERT|UPDATE|DELETE|REPLACE) ')
literal = re.compile(r'dbres_(?:i64|str|len|take)\([^();]*?,\s*\d+\s*\)|req_page_reply\([^;]*?"\w+",\s*\d+,'
                     r'|(?:\.|->)cell\[|(?:\.|->)len\[(?:\d|\w+ \* )')
for top in ("server", "modules"):
    for dirpath, _, files in os.walk(os.path.join(ROOT, top)):
        for fn in files:
            if not fn.endswith(".c"):
                continue
            path = os.path.join(dirpath, fn)
            rel = os.path.relpath(path, ROOT)
            with open(path) as f:
                text = f.read()
            if rel != os.path.join("server", "db", "db.c"):
                for m in literal.finditer(text):
                    line = text.count("\n", 0, m.start()) + 1
                    bad.append("%s:%d: a column read by a literal index: %s" % (rel, line, m.group(0)[:60]))
            if top == "modules" and fn != "store.c" and sql.search(text):
                line = text.count("\n", 0, sql.search(text).start()) + 1
                bad.append("%s:%d: SQL outside store.c" % (rel, line))
STRICT = ("evaluation",)
for m in STRICT:
    folder = os.path.join(ROOT, "modules", m)
    for fn in sorted(os.listdir(folder)) if os.path.isdir(folder) else ():
        if fn.endswith(".c") and fn not in ("rules.c", "store.c", "routes.c", "views.c"):
            text = open(os.path.join(folder, fn)).read()
            for mm in re.finditer(r"\breq_rule(?:_as)?\(", text):
                line = text.count("\n", 0, mm.start()) + 1
                bad.append("modules/%s/%s:%d: a use case refusing by itself (req_rule): the refusal "
                           "belongs in %s_rule_* (rules.c)" % (m, fn, line, m))
mods = os.path.join(ROOT, "modules")
for m in sorted(os.listdir(mods)):
    folder = os.path.join(mods, m)
    if not os.path.isdir(folder):
        continue
    for need in ("CMakeLists.txt", "routes.c", "store.c", "rules.c"):
        if not os.path.exists(os.path.join(folder, need)):
            bad.append("modules/%s: no %s" % (m, need))
    routes = os.path.join(folder, "routes.c")
    if os.path.exists(routes):
        n = sum(1 for _ in open(routes))
        if n > 400:
            bad.append("modules/%s/routes.c: %d lines (a use case beyond a few hundred goes in its own file)" % (m, n))
    rules = os.path.join(folder, "rules.c")
    if os.path.exists(rules):
        for name in re.findall(r"^(?!static)[^\n]*\n(\w+)\(", open(rules).read(), re.M):
            if not name.startswith(m + "_rule_"):
                bad.append("modules/%s/rules.c: %s is not named %s_rule_*" % (m, name, m))
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
