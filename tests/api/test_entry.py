"""Project entry through the real API: registration, amendment, the one state machine (every
legal and illegal transition), project codes allocated without gaps under concurrency, and
documents checked and hashed."""
import concurrent.futures
import hashlib
import re
import urllib.parse

from harness import ApiTest

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


class EntryTest(ApiTest):
    def setUp(self):
        super().setUp()
        self.admin = self.srv.admin_token()
        self.agency = self.make_org(self.admin, "agency")
        self.tenderer = self.make_org(self.admin, "tenderer")
        self.agent, self.agent_tok = self.make_user(self.admin, self.agency["id"], "agent")
        sup_org = self.make_org(self.admin, "supervision")
        _, self.sup_tok = self.make_user(self.admin, sup_org["id"], "supervisor")

    def body(self, **kw):
        b = {"name": "某某学校教学楼新建工程", "category": "engineering", "method": "open_tender",
             "region": "110000", "tenderer_org_id": self.tenderer["id"], "budget_fen": 1000000000,
             "funding_source": "财政资金", "legally_required": True,
             "lots": [{"name": "施工一标段", "estimate_fen": 600000000},
                      {"name": "施工二标段", "estimate_fen": 400000000}]}
        b.update(kw)
        return b

    def create(self, **kw):
        r = self.srv.request("POST", "/api/v1/projects", self.body(**kw), token=self.agent_tok)
        self.assertEqual(r.status, 201, r)
        return r.json

    def move(self, pid, to, token=None, reason=None):
        b = {"to": to}
        if reason:
            b["reason"] = reason
        return self.srv.request("POST", "/api/v1/projects/%d/transitions" % pid, b, token=token or self.agent_tok)

    def accepted(self):
        p = self.create()
        self.assertEqual(self.move(p["id"], "submitted").status, 200)
        r = self.move(p["id"], "accepted", token=self.admin)
        self.assertEqual(r.status, 200, r)
        return r.json

    def test_an_agent_registers_a_project_with_lots(self):
        p = self.create()
        self.assertEqual(p["state"], "draft")
        self.assertIsNone(p["code"])
        self.assertEqual([l["estimate_fen"] for l in p["lots"]], [600000000, 400000000])
        self.assertEqual(p["agent_org_id"], self.agency["id"])

    def test_bad_registrations_are_refused_with_their_rule(self):
        r = self.srv.request("POST", "/api/v1/projects", self.body(method="auction"), token=self.agent_tok)
        self.assertError(r, 422, "rule_violation")
        self.assertEqual(r.json["error"]["rule"], "ENT-METHOD")
        r = self.srv.request("POST", "/api/v1/projects", self.body(budget_fen=999999999), token=self.agent_tok)
        self.assertEqual(r.json["error"]["rule"], "ENT-LOTS-BUDGET")
        r = self.srv.request("POST", "/api/v1/projects", self.body(tenderer_org_id=self.agency["id"]), token=self.agent_tok)
        self.assertError(r, 422, "invalid_field")
        r = self.srv.request("POST", "/api/v1/projects", self.body(budget_fen=10.5), token=self.agent_tok)
        self.assertError(r, 422, "invalid_field")
        r = self.srv.request("POST", "/api/v1/projects", self.body(lots=[{"name": "x", "estimate_fen": 0}]), token=self.agent_tok)
        self.assertError(r, 422, "invalid_field")
        self.assertEqual(r.json["error"]["field"], "lots[].estimate_fen")
        self.assertError(self.srv.request("POST", "/api/v1/projects", self.body(), token=self.admin), 403, "forbidden")

    def test_procurement_allows_its_own_methods(self):
        p = self.create(category="procurement", method="competitive_consultation")
        self.assertEqual(p["method"], "competitive_consultation")

    def test_only_people_s_decisions_go_through_the_transitions_route(self):
        p = self.accepted()
        self.assertRegex(p["code"], r"^110000-\d{4}-GC-00001$")
        # bidding begins with the tender's publication, opened with the opening ceremony: no
        # role, the center admin included, makes them by hand — whatever the state field says
        for frm, to in [("accepted", "bidding"), ("bidding", "opened"), ("bidding", "failed"),
                        ("evaluating", "candidates_published"), ("candidates_published", "awarded"),
                        ("awarded", "contracted"), ("contracted", "closed"), ("opened", "failed")]:
            self.srv.sql("UPDATE projects SET state = '%s' WHERE id = %d" % (frm, p["id"]))
            for tok in (self.agent_tok, self.admin, self.sup_tok):
                r = self.move(p["id"], to, token=tok, reason="x")
                self.assertError(r, 409, "invalid_transition")
                self.assertIn("by hand", r.json["error"]["message"])
        # the evaluation begins only once the bids are opened
        self.srv.sql("UPDATE projects SET state = 'opened' WHERE id = %d" % p["id"])
        r = self.move(p["id"], "evaluating")
        self.assertError(r, 422, "rule_violation")
        self.assertEqual(r.json["error"]["rule"], "ENT-NOT-OPENED")
        self.srv.wait_sequenced()
        rows = self.srv.sql("SELECT COUNT(*) FROM audit_entries WHERE action = 'project.transition' AND project_id = %d" % p["id"])
        self.assertEqual(rows, [["2"]])  # submitted, accepted: nothing else was made

    def test_illegal_transitions_are_409_with_both_states(self):
        p = self.create()
        for to in ["accepted", "bidding", "closed", "failed", "suspended", "draft"]:
            r = self.move(p["id"], to, token=self.admin)
            self.assertError(r, 409, "invalid_transition")
            self.assertEqual((r.json["error"]["current"], r.json["error"]["requested"]), ("draft", to))

    def test_returning_needs_a_reason_and_the_agent_can_amend_and_resubmit(self):
        p = self.create()
        self.move(p["id"], "submitted")
        self.assertError(self.move(p["id"], "draft", token=self.admin), 422, "missing_field")
        r = self.move(p["id"], "draft", token=self.admin, reason="缺少资金证明")
        self.assertEqual((r.json["state"], r.json["return_reason"]), ("draft", "缺少资金证明"))
        r = self.srv.request("PUT", "/api/v1/projects/%d" % p["id"], self.body(name="改后的名称"), token=self.agent_tok)
        self.assertEqual((r.status, r.json["name"]), (200, "改后的名称"))
        self.assertEqual(self.move(p["id"], "submitted").status, 200)
        r = self.srv.request("PUT", "/api/v1/projects/%d" % p["id"], self.body(), token=self.agent_tok)
        self.assertError(r, 409, "invalid_transition")  # submitted: no more changes

    def test_only_staff_accept_and_others_cannot_see_the_project(self):
        p = self.create()
        self.move(p["id"], "submitted")
        self.assertError(self.move(p["id"], "accepted"), 403, "forbidden")
        other_agency = self.make_org(self.admin, "agency")
        _, other = self.make_user(self.admin, other_agency["id"], "agent")
        self.assertError(self.srv.request("GET", "/api/v1/projects/%d" % p["id"], token=other), 404, "not_found")
        self.assertError(self.move(p["id"], "terminated", token=other, reason="x"), 404, "not_found")
        self.assertEqual(self.srv.request("GET", "/api/v1/projects/%d" % p["id"], token=self.sup_tok).status, 200)

    def test_suspension_resumes_where_it_left_and_failure_leads_to_a_retender(self):
        p = self.accepted()
        self.srv.sql("UPDATE projects SET state = 'bidding' WHERE id = %d" % p["id"])
        self.assertEqual(self.move(p["id"], "suspended", token=self.sup_tok, reason="投诉处理").status, 200)
        self.assertError(self.move(p["id"], "evaluating", token=self.sup_tok), 409, "invalid_transition")
        self.assertEqual(self.move(p["id"], "bidding", token=self.sup_tok).json["state"], "bidding")
        self.assertError(self.move(p["id"], "failed"), 409, "invalid_transition")  # the opening's
        self.srv.sql("UPDATE projects SET state = 'failed' WHERE id = %d" % p["id"])
        self.assertError(self.move(p["id"], "bidding"), 409, "invalid_transition")
        again = self.create(retender_of=p["id"])
        self.assertEqual(again["retender_of"], p["id"])
        r = self.srv.request("POST", "/api/v1/projects", self.body(retender_of=again["id"]), token=self.agent_tok)
        self.assertEqual(r.json["error"]["rule"], "ENT-RETENDER")

    def test_codes_are_allocated_without_gaps_or_duplicates_under_concurrency(self):
        ids = []
        for _ in range(12):
            p = self.create()
            self.move(p["id"], "submitted")
            ids.append(p["id"])
        with concurrent.futures.ThreadPoolExecutor(12) as ex:
            results = list(ex.map(lambda i: self.move(i, "accepted", token=self.admin), ids))
        self.assertEqual([r.status for r in results], [200] * 12)
        seqs = sorted(int(r.json["code"].rsplit("-", 1)[1]) for r in results)
        self.assertEqual(seqs, list(range(1, 13)))

    def test_documents_are_hashed_and_their_type_checked(self):
        p = self.create()
        name = urllib.parse.quote("招标文件.pdf")
        r = self.srv.request("POST", "/api/v1/projects/%d/documents?name=%s" % (p["id"], name), raw=PDF,
                             token=self.agent_tok, headers={"Content-Type": "application/pdf"})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["sha256"], hashlib.sha256(PDF).hexdigest())
        self.assertEqual(r.json["name"], "招标文件.pdf")
        got = self.srv.request("GET", "/api/v1/projects/%d/documents/%d" % (p["id"], r.json["id"]), token=self.sup_tok)
        self.assertEqual((got.status, got.body[:5]), (200, "%PDF-"))
        self.assertEqual(got.header("Content-Type"), "application/pdf")
        bad = self.srv.request("POST", "/api/v1/projects/%d/documents?name=x.pdf" % p["id"], raw=b"MZ\x90\x00 not a pdf",
                               token=self.agent_tok, headers={"Content-Type": "application/pdf"})
        self.assertError(bad, 415, "unsupported_media_type")
        bad = self.srv.request("POST", "/api/v1/projects/%d/documents?name=x.exe" % p["id"], raw=b"MZ",
                               token=self.agent_tok, headers={"Content-Type": "application/x-msdownload"})
        self.assertError(bad, 415, "unsupported_media_type")
        # 21 MiB declared: refused from the headers alone, before any of it is read
        c = self.srv.connection()
        c.putrequest("POST", "/api/v1/projects/%d/documents?name=x.pdf" % p["id"])
        c.putheader("Authorization", "Bearer " + self.agent_tok)
        c.putheader("Content-Type", "application/pdf")
        c.putheader("Content-Length", str(21 << 20))
        c.endheaders()
        big = c.getresponse()
        self.assertEqual(big.status, 413)
        big.read()
        c.close()
        detail = self.srv.request("GET", "/api/v1/projects/%d" % p["id"], token=self.agent_tok).json
        self.assertEqual(len(detail["documents"]), 1)


class TransitionMatrixTest(ApiTest):
    """Every pair of states, through the API, for every staff role, against the law's division
    of who decides what (written out here, independently of lib/project_states.c)."""

    STATES = ["draft", "submitted", "accepted", "bidding", "opened", "evaluating",
              "candidates_published", "awarded", "contracted", "closed", "suspended", "terminated", "failed"]
    # decisions the law gives to people, and who makes them
    PEOPLE = {("draft", "submitted"): {"agent"},
              ("submitted", "accepted"): {"center_admin"},
              ("submitted", "draft"): {"center_admin"},
              ("opened", "evaluating"): {"agent", "center_admin"}}
    for s in ("accepted", "bidding", "opened", "evaluating", "candidates_published"):
        PEOPLE[(s, "suspended")] = {"center_admin", "supervisor"}
        PEOPLE[("suspended", s)] = {"center_admin", "supervisor"}
    for s in STATES:
        if s not in ("closed", "terminated", "failed"):
            PEOPLE[(s, "terminated")] = {"agent", "center_admin"}
    # transitions an action owns: never made through the route
    OWNED = {("accepted", "bidding"), ("bidding", "opened"), ("bidding", "failed"),
             ("opened", "failed"), ("evaluating", "failed"), ("evaluating", "candidates_published"),
             ("candidates_published", "awarded"), ("awarded", "contracted"), ("contracted", "closed")}

    def test_every_transition_legal_and_illegal(self):
        admin = self.srv.admin_token()
        agency = self.make_org(admin, "agency")
        tenderer = self.make_org(admin, "tenderer")
        sup_org = self.make_org(admin, "supervision")
        _, agent = self.make_user(admin, agency["id"], "agent")
        _, sup = self.make_user(admin, sup_org["id"], "supervisor")
        tokens = {"agent": agent, "center_admin": admin, "supervisor": sup}
        body = {"name": "矩阵", "category": "engineering", "method": "open_tender", "region": "110000",
                "tenderer_org_id": tenderer["id"], "budget_fen": 100, "funding_source": "x",
                "legally_required": False, "lots": [{"name": "a", "estimate_fen": 100}]}
        pid = self.srv.request("POST", "/api/v1/projects", body, token=agent).json["id"]
        checked = 0
        for frm in self.STATES:
            for to in self.STATES:
                for role, tok in tokens.items():
                    # put the project in `frm` (a suspended one left for `to`)
                    self.srv.sql("UPDATE projects SET state = '%s', suspended_from = %s WHERE id = %d"
                                 % (frm, "'%s'" % to if frm == "suspended" and to != "terminated" else "NULL", pid))
                    r = self.srv.request("POST", "/api/v1/projects/%d/transitions" % pid,
                                         {"to": to, "reason": "矩阵测试"}, token=tok)
                    pair = (frm, to)
                    if pair in self.PEOPLE and role in self.PEOPLE[pair]:
                        if pair == ("opened", "evaluating"):  # no opening was recorded
                            self.assertError(r, 422, "rule_violation")
                            self.assertEqual(r.json["error"]["rule"], "ENT-NOT-OPENED")
                        else:
                            self.assertEqual(r.status, 200, (frm, to, role, r))
                            self.assertEqual(r.json["state"], to)
                    elif pair in self.PEOPLE:
                        self.assertError(r, 403, "forbidden")
                    else:
                        self.assertError(r, 409, "invalid_transition")
                        self.assertEqual((r.json["error"]["current"], r.json["error"]["requested"]), (frm, to))
                        if pair in self.OWNED:
                            self.assertIn("by hand", r.json["error"]["message"])
                    checked += 1
        self.assertEqual(checked, 13 * 13 * 3)
