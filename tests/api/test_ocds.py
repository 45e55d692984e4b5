"""OCDS 1.1 output of a project — a release per published event and a compiled record —
validated against the official OCDS 1.1.5 schemas (tests/vectors/ocds-1.1.5) with
python3-jsonschema."""
import json
import os

import jsonschema

from harness import ApiTest, ROOT
from test_announce import DAY, us

SCHEMAS = os.path.join(ROOT, "tests", "vectors", "ocds-1.1.5")


def validator(name):
    store = {}
    for f in os.listdir(SCHEMAS):
        if f.endswith(".json"):
            with open(os.path.join(SCHEMAS, f)) as fh:
                s = json.load(fh)
            store[s["id"]] = s
    schema = store["https://standard.open-contracting.org/schema/1__1__5/%s" % name]
    resolver = jsonschema.RefResolver.from_schema(schema, store=store)
    return jsonschema.Draft4Validator(schema, resolver=resolver)


class OcdsTest(ApiTest):
    def setUp(self):
        super().setUp()
        self.admin = self.srv.admin_token()
        agency = self.make_org(self.admin, "agency", name="某招标代理有限公司")
        tenderer = self.make_org(self.admin, "tenderer", name="某市教育局")
        _, self.tok = self.make_user(self.admin, agency["id"], "agent")
        self.now = us(2026, 3, 2)
        self.srv.request("POST", "/api/v1/test/clock", {"set_us": self.now})
        b = {"name": "某中学教学楼", "category": "engineering", "method": "open_tender", "region": "110000",
             "tenderer_org_id": tenderer["id"], "budget_fen": 123456789, "funding_source": "财政",
             "legally_required": True, "lots": [{"name": "一标段", "estimate_fen": 100000000},
                                                {"name": "二标段", "estimate_fen": 23456789}]}
        self.p = self.srv.request("POST", "/api/v1/projects", b, token=self.tok).json
        self.srv.request("POST", "/api/v1/projects/%d/transitions" % self.p["id"], {"to": "submitted"}, token=self.tok)
        self.srv.request("POST", "/api/v1/projects/%d/transitions" % self.p["id"], {"to": "accepted"}, token=self.admin)
        self.make_opening_keys(self.p["id"], 2, self.tok)

    def publish(self, **kw):
        a = self.srv.request("POST", "/api/v1/projects/%d/announcements" % self.p["id"], kw, token=self.tok).json
        if kw.get("type") == "tender":
            self.book_opening(self.p["id"], kw["opening_us"], self.tok)
        r = self.srv.request("POST", "/api/v1/announcements/%d/publish" % a["id"], token=self.tok)
        self.assertEqual(r.status, 200, r)
        return r.json

    def test_a_project_with_nothing_published_has_no_ocds(self):
        self.assertError(self.srv.request("GET", "/api/v1/public/projects/%d/ocds/releases" % self.p["id"]), 404, "not_found")

    def test_releases_and_the_record_validate_against_the_official_schemas(self):
        t = self.publish(type="tender", title="招标公告", body="……", docs_from_us=self.now,
                         docs_until_us=self.now + 5 * DAY, bid_deadline_us=self.now + 20 * DAY,
                         opening_us=self.now + 20 * DAY)
        self.publish(type="amendment", amends_id=t["id"], title="变更公告", body="顺延截止时间",
                     affects_bids=True, bid_deadline_us=self.now + 25 * DAY, opening_us=self.now + 25 * DAY)
        # (candidates and awards come from an evaluation result, which nothing makes yet)
        rel = self.srv.request("GET", "/api/v1/public/projects/%d/ocds/releases" % self.p["id"]).json
        errors = sorted(validator("release-package-schema.json").iter_errors(rel), key=str)
        self.assertEqual(errors, [], [e.message for e in errors][:5])
        self.assertEqual([r["tag"] for r in rel["releases"]], [["tender"], ["tenderAmendment"]])
        broken = json.loads(json.dumps(rel))  # the validator does refuse what is wrong
        broken["releases"][0]["tag"] = ["bogus"]
        del broken["releases"][1]["ocid"]
        broken["releases"][1]["tender"]["status"] = "open"
        self.assertEqual(len(list(validator("release-package-schema.json").iter_errors(broken))), 3)
        ocid = rel["releases"][0]["ocid"]
        self.assertTrue(ocid.startswith("ocds-213czf-110000-"))
        self.assertEqual(rel["releases"][0]["tender"]["value"], {"amount": 1234567.89, "currency": "CNY"})
        rec = self.srv.request("GET", "/api/v1/public/projects/%d/ocds/record" % self.p["id"]).json
        errors = sorted(validator("record-package-schema.json").iter_errors(rec), key=str)
        self.assertEqual(errors, [], [e.message for e in errors][:5])
        compiled = rec["records"][0]["compiledRelease"]
        self.assertEqual(compiled["tag"], ["compiled"])
        self.assertEqual(compiled["tender"]["status"], "active")
        # the amendment moved the deadline, and the compiled release says so
        self.assertEqual(compiled["tender"]["tenderPeriod"]["endDate"][:10], "2026-03-27")
        self.assertEqual(len(compiled["tender"]["amendments"]), 1)
        self.assertEqual([l["id"] for l in compiled["tender"]["lots"]], ["1", "2"])

    def test_a_failed_tender_is_an_unsuccessful_tender(self):
        self.publish(type="tender", title="招标公告", body="……", docs_from_us=self.now,
                     docs_until_us=self.now + 5 * DAY, bid_deadline_us=self.now + 20 * DAY,
                     opening_us=self.now + 20 * DAY)
        self.srv.sql("UPDATE projects SET state = 'opened' WHERE id = %d" % self.p["id"])
        self.publish(type="failed", title="流标公告", body="投标人不足三家")
        rec = self.srv.request("GET", "/api/v1/public/projects/%d/ocds/record" % self.p["id"]).json
        self.assertEqual(list(validator("record-package-schema.json").iter_errors(rec)), [])
        self.assertEqual(rec["records"][0]["compiledRelease"]["tender"]["status"], "unsuccessful")
        self.assertEqual(self.srv.request("GET", "/api/v1/projects/%d" % self.p["id"], token=self.tok).json["state"], "failed")
