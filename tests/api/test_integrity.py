"""The integrity of the competition (issue 10): every misuse an insider tried — reopening bidding
after the deadline, shortening it, driving the project past its own steps, opening a lot with
shares one party controls, withdrawing a bid with a password alone — is refused through the API
with its rule code; and the same misuse, written into a log as if a future bug had let it
through, is named by `ggzy audit replay` with its index, from the log alone. A whole lawful
tender, signed acts and all, replays clean."""
import base64
import hashlib
import json
import os

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from harness import issue_cert, make_ca, sign_act
from test_opening import Ceremony, DAY

MINUTE = 60 * 10**6


class IntegrityTest(Ceremony):
    # -- helpers --

    def amend(self, **kw):
        body = {"type": "amendment", "amends_id": self.ann, "title": "变更公告", "body": "……"}
        body.update(kw)
        r = self.srv.request("POST", "/api/v1/projects/%d/announcements" % self.pid, body, token=self.agent_tok)
        self.assertEqual(r.status, 201, r)
        return self.srv.request("POST", "/api/v1/announcements/%d/publish" % r.json["id"], token=self.agent_tok)

    def assertRule(self, r, status, rule):
        self.assertEqual(r.status, status, r)
        self.assertEqual(r.json["error"]["rule"], rule, r)

    def replay(self):
        self.srv.request("POST", "/api/v1/audit/checkpoints", token=self.sup_tok)
        self.srv.wait_sequenced()
        r = self.srv.request("POST", "/api/v1/audit/checkpoints", token=self.sup_tok)
        self.assertIn(r.status, (200, 201), r)
        return self.ggzy("audit", "replay", "--project", str(self.pid),
                         "--vkey", self.srv.request("GET", "/api/v1/audit/vkey").json["vkey"], token=self.sup_tok)

    def inject(self, action, payload, object_type="lot", system_actor=None, object_id=1):
        """Write an entry into the log as a future bug would (test mode only); returns its index."""
        body = {"action": action, "object_type": object_type, "object_id": object_id, "project_id": self.pid,
                "payload": payload}
        if system_actor:
            body["system_actor"] = system_actor
        r = self.srv.request("POST", "/api/v1/test/audit/entries", body, token=self.admin)
        self.assertEqual(r.status, 201, r)
        self.srv.wait_sequenced()
        return int(self.srv.sql("SELECT MAX(idx) FROM audit_entries")[0][0])

    def bid_three(self):
        for i, b in enumerate(self.bidders[:3]):
            status, j = self.submit(b, self.seal(b, price=100000000 + i))
            self.assertEqual(status, 201, j)

    # -- 1. deadlines only move later, by a published amendment that keeps the statute --

    def test_an_agent_cannot_reopen_bidding_after_the_deadline(self):
        self.bid_three()
        self.clock(self.deadline + MINUTE)
        # a new deadline 16 days out, a minute after the deadline: refused
        r = self.amend(affects_bids=True, bid_deadline_us=self.deadline + 16 * DAY,
                       opening_us=self.deadline + 16 * DAY)
        self.assertRule(r, 422, "ANN-DEADLINE-PASSED")
        # a late bidder, and a withdrawal after the deadline: refused
        late = self.bidders[3]
        self.assertEqual(self.submit(late, self.seal(late, price=1))[1]["error"]["rule"], "BID-DEADLINE")
        self.assertRule(self.withdraw_req(self.bidders[0]), 422, "BID-DEADLINE")
        # whatever the state field says: a DBA sets the project back to bidding
        self.srv.sql("UPDATE projects SET state = 'bidding' WHERE id = %d" % self.pid)
        self.assertEqual(self.submit(late, self.seal(late, price=1))[1]["error"]["rule"], "BID-DEADLINE")
        # once the opening started, no amendment touches the lot: 409
        self.clock(self.deadline)
        self.assertEqual(self.start_req(self.admin).status, 200)
        self.clock(self.deadline + MINUTE)
        r = self.amend(title="澄清", body="澄清：不影响投标")
        self.assertEqual(r.status, 409, r)
        self.assertEqual(r.json["error"]["rule"], "ANN-OPENING-STARTED")
        # and the bid and withdrawal refused there are nowhere in the log
        self.srv.wait_sequenced()
        self.assertEqual(self.count("SELECT COUNT(*) FROM audit_entries WHERE action IN ('bid.withdraw')"), 0)

    def test_an_agent_cannot_shorten_the_bidding_period(self):
        # from +20 days to +1 hour "without affecting the bids": moved earlier, refused
        r = self.amend(affects_bids=False, bid_deadline_us=self.now + 3600 * 10**6,
                       opening_us=self.now + 3600 * 10**6)
        self.assertRule(r, 422, "ANN-DEADLINE-EARLIER")
        # later, but 14 days after publication (the flag says no effect: the server decides)
        self.clock(self.now + 6 * DAY)
        later = self.now + 20 * DAY + 3600 * 10**6  # an hour later than in force: 14 days away
        r = self.amend(affects_bids=False, bid_deadline_us=later, opening_us=later)
        self.assertRule(r, 422, "R-AMEND-NOTICE")
        # 15 days after publication: lawful, and published as affecting the bids whatever was said
        r = self.amend(affects_bids=False, bid_deadline_us=self.now + 21 * DAY, opening_us=self.now + 21 * DAY)
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.json["affects_bids"])
        sig = self.srv.request("GET", "/api/v1/public/announcements/%d/signature" % r.json["id"]).json
        self.assertTrue(json.loads(sig["content"])["affects_bids"])
        # the opening place is the booked room's: a typed other place is refused
        self.clock(self.now + 7 * DAY)
        r = self.amend(affects_bids=False, opening_place="开标二室")
        self.assertRule(r, 422, "ANN-OPENING-VENUE")
        # the room breaks down: the center relocates the opening, the platform drafts the change
        # notice, and another place is a change that affects the bids, so it needs 15 days
        spare = self.srv.request("POST", "/api/v1/venues/sites/%d/rooms" % self._opening_site["id"], {
            "name": "开标二室", "kind": "opening", "capacity": 200, "opens": "00:00", "closes": "24:00"},
            token=self.admin)
        self.assertEqual(spare.status, 201, spare)
        room = self._opening_rooms[self.pid]
        r = self.srv.request("POST", "/api/v1/venues/rooms/%d/relocate" % room["id"], {"reason": "录像系统故障"},
                             token=self.admin)
        self.assertEqual(r.status, 200, r)
        self.assertEqual([m["to_room_id"] for m in r.json["moves"]], [spare.json["id"]])
        draft = r.json["drafted"][0]
        self.assertIn("开标二室", draft["opening_place"])
        got = self.srv.request("GET", "/api/v1/announcements/%d" % draft["announcement_id"], token=self.agent_tok)
        self.assertEqual(got.json["state"], "draft", got)
        self.assertEqual(got.json["opening_place"], draft["opening_place"])
        r = self.srv.request("POST", "/api/v1/announcements/%d/publish" % draft["announcement_id"], token=self.agent_tok)
        self.assertRule(r, 422, "R-AMEND-NOTICE")

    # -- 2. each state is reached only by the action that owns it --

    def test_nobody_drives_the_project_past_its_own_steps(self):
        self.bid_three()
        for to in ("opened", "evaluating", "failed"):
            for tok in (self.agent_tok, self.admin):
                r = self.srv.request("POST", "/api/v1/projects/%d/transitions" % self.pid,
                                     {"to": to, "reason": "x"}, token=tok)
                self.assertEqual(r.status, 409, r)
        self.srv.sql("UPDATE projects SET state = 'evaluating' WHERE id = %d" % self.pid)  # a DBA's edit
        r = self.srv.request("POST", "/api/v1/projects/%d/announcements" % self.pid,
                             {"type": "candidates", "title": "候选人公示", "body": "……", "publicity_from_us": self.now,
                              "publicity_until_us": self.now + 3 * DAY}, token=self.agent_tok)
        r = self.srv.request("POST", "/api/v1/announcements/%d/publish" % r.json["id"], token=self.agent_tok)
        self.assertRule(r, 409, "ANN-NO-EVALUATION")

    # -- 3. every act that binds a party is signed with a certified key --

    def test_center_staff_alone_cannot_hold_a_lots_opening_key(self):
        # the admin makes a supervision body and a supervisor it controls: no CA certifies it
        org = self.make_org(self.admin, "supervision")
        fake, fake_tok = self.make_user(self.admin, org["id"], "supervisor")
        key = ec.generate_private_key(ec.SECP256R1())
        _, r = self.register_key(fake_tok, key, cert=issue_cert(key.public_key(), org["credit_code"], ca=make_ca()),
                                 expect=422)
        self.assertEqual(r.json["error"]["rule"], "KEY-CERT-CHAIN")
        # so a custodian set agent / that supervisor / center names a key nobody certified
        self.srv.sql("UPDATE projects SET state = 'accepted' WHERE id = %d" % self.pid)
        self.srv.sql("DELETE FROM opening_shares WHERE opening_key IN (SELECT id FROM opening_keys WHERE lot_seq = 2)")
        self.srv.sql("DELETE FROM opening_keys WHERE lot_seq = 2")
        r = self.srv.request("POST", "/api/v1/projects/%d/lots/2/opening-key" % self.pid, {"custodians": [
            {"user_id": self.cust[0]["user_id"], "key_id": self.cust[0]["key_id"]},
            {"user_id": fake["id"], "key_id": hashlib.sha256(b"none").hexdigest()},
            {"user_id": self.cust[2]["user_id"], "key_id": self.cust[2]["key_id"]}]}, token=self.admin)
        self.assertRule(r, 422, "BID-CUSTODIAN-KEY")

    def test_a_password_alone_withdraws_nothing_starts_nothing_and_hands_in_nothing(self):
        self.bid_three()
        b = self.bidders[0]
        other = ec.generate_private_key(ec.SECP256R1())
        # the admin knows the bidder's password (it set it) but not its key
        self.assertRule(self.withdraw_req(b, key=other), 422, "BID-SIGNATURE")
        self.clock(self.deadline)
        stranger = dict(self.cust[2], key=other)
        self.assertRule(self.start_req(self.admin, signer=stranger), 422, "BID-SIGNATURE")
        self.assertRule(self.start_req(self.admin, signed_us=self.deadline - 10 * MINUTE), 422, "BID-SIGNED-TIME")
        # someone else's key, registered but not the caller's
        self.assertRule(self.start_req(self.admin, signer=self.cust[0]), 422, "BID-SIGNER-KEY")
        self.assertEqual(self.start_req(self.admin).status, 200)
        self.assertRule(self.share_req(self.agent_tok, 1, "11" * 32, signer=dict(self.cust[0], key=other)), 422,
                        "BID-SIGNATURE")
        self.assertEqual(self.count("SELECT COUNT(*) FROM opening_share_subs"), 0)

    # -- 5. the replay catches it --

    def test_a_whole_lawful_tender_replays_clean(self):
        self.bid_three()
        self.withdraw_req(self.bidders[2])
        status, _ = self.submit(self.bidders[2], self.seal(self.bidders[2], price=7))
        self.assertEqual(status, 201)
        self.clock(self.deadline)
        self.assertEqual(self.start_req(self.agent_tok).status, 200)
        for i in (0, 1):
            p = self.share(i)
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        p = self.replay()
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        for action in ("trust.anchors", "opening_key.create", "announce.publish", "bid.receive", "bid.withdraw",
                       "opening.start", "opening.share", "bid.decrypt", "opening.complete"):
            self.assertIn(action, p.stdout)
        self.assertIn("every invariant holds", p.stdout)

    def replay_log(self):
        """The whole log exported by a supervisor and replayed with the venue ledger."""
        self.replay()  # a checkpoint covers everything
        vkey = self.srv.request("GET", "/api/v1/audit/vkey").json["vkey"]
        p = self.ggzy("audit", "export", token=self.sup_tok)
        self.assertEqual(p.returncode, 0, p.stderr)
        path = os.path.join(self.tmp, "log.export")
        with open(path, "w") as f:
            f.write(p.stdout)
        return self.ggzy("audit", "replay", "--file", path, "--vkey", vkey, token=self.sup_tok)

    def test_the_whole_log_replays_its_venues_clean_and_names_each_misuse(self):
        self.bid_three()
        self.clock(self.deadline)
        self.assertEqual(self.start_req(self.agent_tok).status, 200)
        p = self.replay_log()
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("every venue, draw, deposit and evaluation invariant holds", p.stdout)
        room = self._opening_rooms[self.pid]["id"]
        booking = [b for b in self.srv.request("GET", "/api/v1/venues/bookings?project=%d" % self.pid,
                                               token=self.admin).json["items"] if b["purpose"] == "opening"][0]
        hour = 3600 * 10**6
        want = {}
        # a DBA's row booking the opening room for the same hour
        want["INV-VENUE-OVERLAP"] = self.inject("venue.booking.request", {
            "room_id": room, "purpose": "evaluation", "lots": [1], "start_us": self.deadline,
            "end_us": self.deadline + hour, "buffer_us": 0, "people": 5, "state": "approved"},
            object_type="booking", object_id=99999)
        # the opening moved to another room with no change notice, then lot 2 opened there
        self.inject("venue.room.relocate", {"room_id": room, "reason": "x", "moves": [{
            "booking_id": booking["id"], "project_id": self.pid, "purpose": "opening", "to_room_id": 424242,
            "start_us": booking["start_us"], "end_us": booking["end_us"]}]}, object_type="room", object_id=room)
        want["INV-VENUE-OPENING"] = self.inject("opening.start", {"lot": "2"})
        # a booking that ended long ago with neither a recording nor the monitor's warning
        self.inject("venue.booking.request", {
            "room_id": 777, "purpose": "opening", "lots": [2], "start_us": self.deadline - 10 * DAY,
            "end_us": self.deadline - 10 * DAY + hour, "buffer_us": 0, "people": 5, "state": "approved"},
            object_type="booking", object_id=99998)
        p = self.replay_log()
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        for code, idx in want.items():
            self.assertIn("VIOLATION %s at index %d" % (code, idx), p.stdout)
        self.assertIn("VIOLATION INV-VENUE-RECORDING", p.stdout)
        self.assertIn("booking 99998", p.stdout)

    def test_each_misuse_written_into_the_log_is_named_by_the_replay_with_its_index(self):
        self.bid_three()
        want = {}
        # an opening step before the earliest opening time ever announced (and before the
        # opening time in force)
        want["INV-OPENING-EARLY"] = want["INV-BID-OPENING"] = self.inject("bid.decrypt", {"lot": "2"})
        # a deadline moved after it passed, and earlier; a period below the statute; a date
        # change published as not affecting bids
        self.clock(self.deadline + MINUTE)
        want["INV-DEADLINE-PASSED"] = self.inject("announce.publish", {
            "announcement_id": 90, "type": "amendment", "content_sha256": "aa" * 32, "supersedes": self.ann,
            "affects_bids": True, "deadlines": [{"lot": "1", "bid_deadline_us": self.deadline + 16 * DAY,
                                                 "opening_us": self.deadline + 16 * DAY}]}, "announcement")
        want["INV-DEADLINE-EARLIER"] = self.inject("announce.publish", {
            "announcement_id": 91, "type": "amendment", "content_sha256": "bb" * 32, "supersedes": self.ann,
            "affects_bids": False, "deadlines": [{"lot": "1", "bid_deadline_us": self.now + DAY,
                                                  "opening_us": self.now + DAY}]}, "announcement")
        # (that amendment is also a period below the statute and a date change "not affecting bids")
        want["INV-PERIOD"] = want["INV-AMEND-AFFECTS"] = want["INV-DEADLINE-EARLIER"]
        # a bid after the deadline in force at its time
        want["INV-BID-DEADLINE"] = self.inject("bid.receive", {"lot": "1", "bid_id": 999})
        # a state reached by hand
        want["INV-STATE-OWNER"] = self.inject("project.transition", {"from": "bidding", "to": "opened"}, "project")
        # a signature by a key no published anchor certifies
        rogue = ec.generate_private_key(ec.SECP256R1())
        cert = x509.load_pem_x509_certificate(issue_cert(rogue.public_key(), "91110000MA00000000", ca=make_ca()).encode())
        spki = rogue.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        fields = {"bid_id": 998}
        want["INV-SIGNATURE"] = self.inject("bid.withdraw", {"lot": "1", "bid_id": 998, "signed": {
            "domain": "ggzy-bid-withdraw-v1", "fields": fields, "signature": sign_act(rogue, "ggzy-bid-withdraw-v1", fields),
            "signer": {"key_id": hashlib.sha256(spki).hexdigest(),
                       "certificate": [base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()]}}})
        # a custodian set one organization controls: the center's credit code under two sides
        center_code = self.srv.sql("SELECT credit_code FROM organizations WHERE type = 'center'")[0][0]
        shares = []
        for i, (side, org) in enumerate((("agent", self.agency_code()), ("supervision", center_code),
                                         ("center", center_code))):
            k = ec.generate_private_key(ec.SECP256R1())
            c = x509.load_pem_x509_certificate(issue_cert(k.public_key(), org, side).encode())
            sp = k.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
            shares.append({"x": i + 1, "user_id": 500 + i, "custodian": {
                "key_id": hashlib.sha256(sp).hexdigest(),
                "certificate": [base64.b64encode(c.public_bytes(serialization.Encoding.DER)).decode()]}})
        want["INV-CUSTODIANS"] = self.inject("opening_key.create", {"lot": 3, "threshold": 2, "shares": shares},
                                             "opening_key")
        # an act claimed by a system job, as a DBA's queued row would be
        want["INV-ACTOR"] = self.inject("project.document_add", {"document_id": 1}, "document",
                                        system_actor="system:refund-scheduler")
        p = self.replay()
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        for rule, idx in want.items():
            self.assertIn("VIOLATION %s at index %d:" % (rule, idx), p.stdout, rule)

    def agency_code(self):
        return self.srv.sql("SELECT o.credit_code FROM organizations o JOIN users u ON u.org_id = o.id "
                            "WHERE u.id = %d" % self.agent["id"])[0][0]

    # -- 4. exact integers everywhere --

    def test_integers_stay_exact_from_the_sealed_summary_to_every_answer(self):
        biggest, big = 2 ** 53 - 1, 1797700740000000  # cJSON printed the second 1.79770074e+15
        # the sealers refuse such a summary before anything is sealed
        summ = os.path.join(self.tmp, "big.json")
        with open(summ, "w") as f:
            f.write('{"price_fen":%d}' % (2 ** 53 + 1))
        b = self.bidders[1]
        p = self.ggzy("bid", "seal", "--binding", self.binding_file(b), "--summary", summ, "--key", b["pem"],
                      "--out", os.path.join(self.tmp, "x.env"), token=b["tok"])
        self.assertNotEqual(p.returncode, 0, p.stdout)
        self.assertIn("2^53", p.stdout + p.stderr)
        import seal_envelope
        with self.assertRaises(ValueError):
            seal_envelope.container({"price_fen": 2 ** 53 + 1}, [])
        for b, price in zip(self.bidders, (biggest, big, 12345, 2 ** 53 + 1)):
            status, j = self.submit(b, self.seal(b, price=price))  # the last: sealed by other software
            self.assertEqual(status, 201, j)
        self.clock(self.deadline)
        self.assertEqual(self.start_req(self.admin).status, 200)
        for i in (0, 2):
            self.assertEqual(self.share(i).returncode, 0)
        r = self.srv.request("GET", "/api/v1/projects/%d/lots/1/opening" % self.pid)  # parse_json: no exponent
        self.assertIn('"price_fen":%d' % biggest, r.body)
        self.assertIn('"price_fen":%d' % big, r.body)
        recs = {x["bidder_org_id"]: x["opening"] for x in r.json["records"]}
        for b, price in zip(self.bidders[:3], (biggest, big, 12345)):
            op = recs[b["org"]]
            self.assertEqual((op["status"], op["price_fen"]), ("opened", price))
            sealed = json.dumps({"duration_days": 365, "price_fen": price}, sort_keys=True, separators=(",", ":"))
            self.assertEqual(base64.b64decode(op["summary_b64"]).decode(), sealed)  # verbatim
        beyond = recs[self.bidders[3]["org"]]
        self.assertEqual((beyond["status"], beyond["class"]), ("rejected", "revocation"))
        self.assertIn("2^53", beyond["reason"])
        p = self.ggzy("opening", "verify", "--project", str(self.pid), "--lot", "1", token=self.sup_tok)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

    def binding_file(self, b):
        path = os.path.join(self.tmp, "lot-%d.json" % b["org"])
        with open(path, "w") as f:
            json.dump(self.binding(b), f)
        return path
