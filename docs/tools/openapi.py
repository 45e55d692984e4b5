"""docs/tools/openapi.py — writes docs/openapi.json (run from the repository root:
python3 docs/tools/openapi.py server/errors.def > docs/openapi.json). Every route of ggzyd is
listed here with its roles; tests/api/test_docs.py fails when this and the route table differ."""
import json
ERR = {"$ref": "#/components/responses/Error"}
def resp(code, desc, schema=None):
    r = {"description": desc}
    if schema:
        r["content"] = {"application/json": {"schema": schema}}
    return {str(code): r}
def ref(n): return {"$ref": "#/components/schemas/" + n}
def errs(*codes):
    out = {}
    for c in codes:
        out[str(c)] = ERR
    return out
def op(summary, roles, ok, body=None, params=(), errors=(), idem=False, query=(), desc=None):
    o = {"summary": summary, "x-roles": roles, "responses": {}}
    if desc: o["description"] = desc
    o["responses"].update(ok)
    std = set(errors)
    if roles != ["public"]:
        std |= {401, 403}
        o["security"] = [{"bearer": []}]
    else:
        o["security"] = []
    if body:
        std |= {400, 413, 415, 422}
        o["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    std |= {500, 503}
    o["responses"].update(errs(*sorted(std)))
    ps = []
    for p in params:
        if p == "key_id":
            sch = {"type": "string", "pattern": "^[0-9a-f]{64}$"}
        else:
            sch = {"type": "integer", "minimum": 0 if p == "size" else 1}
        ps.append({"name": p, "in": "path", "required": True, "schema": sch})
    for q, sch, d in query:
        ps.append({"name": q, "in": "query", "required": False, "schema": sch, "description": d})
    if idem:
        ps.append({"$ref": "#/components/parameters/IdempotencyKey"})
    if ps: o["parameters"] = ps
    return o
PAGE = [("after", {"type": "integer", "minimum": 0}, "Return items with an id greater than this (the previous page's next_after)."),
        ("limit", {"type": "integer", "minimum": 1, "maximum": 200, "default": 50}, "Page size.")]
USERS = ["center_admin", "agent", "bidder", "expert", "supervisor"]
STAFF = ["center_admin", "supervisor"]
paths = {
 "/healthz": {"get": op("Health: the server and its database answer", ["public"], resp(200, "Healthy", ref("Health")))},
 "/metrics": {"get": op("Prometheus metrics (loopback clients only unless metrics.remote = on)", ["public"], {"200": {"description": "Prometheus text format 0.0.4", "content": {"text/plain": {"schema": {"type": "string"}}}}})},
 "/api/v1/openapi.json": {"get": op("This document", ["public"], resp(200, "The OpenAPI document", {"type": "object"}))},
 "/api/v1/auth/login": {"post": op("Log in: exchange username and password for a session token", ["public"], resp(200, "Logged in", ref("Session")), body=ref("LoginRequest"), errors=(429,), desc="Failed attempts are counted per username and per client address; past auth.throttle_failures failures within auth.throttle_window_s seconds (four times that per address) the answer is 429 with Retry-After, and the password is not checked.")},
 "/api/v1/auth/logout": {"post": op("Log out: revoke this session's token", USERS, resp(204, "Logged out"), errors=(413,))},
 "/api/v1/me": {"get": op("Who am I", USERS, resp(200, "The caller", ref("Principal")))},
 "/api/v1/me/password": {"post": op("Change my password (ends my other sessions)", USERS, resp(204, "Changed"), body=ref("PasswordChange"))},
 "/api/v1/me/keys": {
   "get": op("My registered public keys", USERS, resp(200, "Keys, revoked ones included", ref("KeyList"))),
   "post": op("Register a public key (ECDSA P-256, PEM)", USERS, resp(201, "Registered", ref("PublicKey")), body=ref("KeyRequest"), errors=(409,), idem=True)},
 "/api/v1/me/keys/{key_id}": {"delete": op("Revoke one of my keys (it stays listed, with revoked_at)", USERS, resp(204, "Revoked"), params=("key_id",), errors=(404,))},
 "/api/v1/orgs": {
   "get": op("List organizations", STAFF, resp(200, "A page", ref("OrganizationPage")), errors=(400,), query=PAGE + [("type", {"$ref": "#/components/schemas/OrganizationType"}, "Only this type.")]),
   "post": op("Create an organization", ["center_admin"], resp(201, "Created", ref("Organization")), body=ref("OrganizationRequest"), errors=(409,), idem=True)},
 "/api/v1/orgs/{id}": {"get": op("One organization", USERS, resp(200, "The organization", ref("Organization")), params=("id",), errors=(404,))},
 "/api/v1/users": {
   "get": op("List users", STAFF, resp(200, "A page", ref("UserPage")), errors=(400,), query=PAGE + [("org_id", {"type": "integer", "minimum": 1}, "Only members of this organization."), ("role", {"$ref": "#/components/schemas/Role"}, "Only this role.")]),
   "post": op("Create a user in an organization", ["center_admin"], resp(201, "Created", ref("User")), body=ref("UserRequest"), errors=(409,), idem=True)},
 "/api/v1/users/{id}": {"get": op("One user (staff: anyone; others: themselves only)", USERS, resp(200, "The user", ref("User")), params=("id",), errors=(404,))},
 "/api/v1/users/{id}/keys": {"get": op("A user's public keys (for verifying their signatures)", USERS, resp(200, "Keys", ref("KeyList")), params=("id",), errors=(404,))},
 "/api/v1/users/{id}/disable": {"post": op("Disable a user: no logins, sessions revoked", ["center_admin"], resp(200, "The user", ref("User")), params=("id",), errors=(404, 413, 422))},
 "/api/v1/users/{id}/enable": {"post": op("Enable a disabled user", ["center_admin"], resp(200, "The user", ref("User")), params=("id",), errors=(404, 413))},
 "/api/v1/test/clock": {
   "get": op("Test mode only: the clock", ["public"], resp(200, "Now", ref("Clock"))),
   "post": op("Test mode only: set or advance the clock", ["public"], resp(200, "Now", ref("Clock")), body=ref("ClockRequest"))},
 "/api/v1/test/sleep": {"get": op("Test mode only: a request that takes ms milliseconds (shutdown tests)", ["public"], resp(200, "Slept", {"type": "object"}), errors=(400,), query=[("ms", {"type": "integer", "minimum": 0, "maximum": 60000}, "Milliseconds.")])},
 "/api/v1/audit/vkey": {"get": op("The audit log's verifier key (signed-note vkey form), and every key it has used", ["public"], resp(200, "Keys", ref("VerifierKeys")))},
 "/api/v1/audit/checkpoint": {"get": op("The latest signed checkpoint, or the first at or after a size", ["public"], resp(200, "A checkpoint", ref("Checkpoint")), errors=(400, 404), query=[("at_least", {"type": "integer", "minimum": 0}, "The first checkpoint whose size is at least this.")])},
 "/api/v1/audit/checkpoints": {
   "get": op("Every signed checkpoint, by size", ["public"], resp(200, "A page", ref("CheckpointPage")), errors=(400,), query=[("after", {"type": "integer", "minimum": 0}, "Checkpoints with a larger size (the previous page's next_after)."), ("limit", {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}, "Page size.")]),
   "post": op("Sign a checkpoint now, covering everything committed before this request", ["center_admin", "supervisor"], resp(200, "The checkpoint", ref("Checkpoint")), errors=(413,))},
 "/api/v1/audit/checkpoints/{size}": {"get": op("The checkpoint of one size", ["public"], resp(200, "A checkpoint", ref("Checkpoint")), params=("size",), errors=(404,))},
 "/api/v1/audit/checkpoints/{size}/cosignatures": {"post": op("Cosign a checkpoint as a witness (ECDSA P-256 with a registered key, signed-note type 0x02)", ["supervisor"], resp(201, "The checkpoint with its cosignatures", ref("Checkpoint")), params=("size",), body=ref("CosignRequest"), errors=(404, 409), idem=True)},
 "/api/v1/audit/entries": {"get": op("Entries by index: every index is served; bytes only of entries the caller may see", ["center_admin", "agent", "bidder", "expert", "supervisor"], resp(200, "A page", ref("EntryPage")), errors=(400,), query=[("from", {"type": "integer", "minimum": 0}, "First index."), ("limit", {"type": "integer", "minimum": 1, "maximum": 1000, "default": 1000}, "Page size.")])},
 "/api/v1/audit/proofs/inclusion": {"get": op("Inclusion proof of an entry in a tree size (RFC 9162 §2.1.3)", ["center_admin", "agent", "bidder", "expert", "supervisor"], resp(200, "The proof", ref("InclusionProof")), errors=(400, 404), query=[("index", {"type": "integer", "minimum": 0}, "The entry."), ("size", {"type": "integer", "minimum": 1}, "The tree size (a checkpoint's).")])},
 "/api/v1/audit/proofs/consistency": {"get": op("Consistency proof between two tree sizes (RFC 9162 §2.1.4); from 0 is refused", ["public"], resp(200, "The proof", ref("ConsistencyProof")), errors=(400, 404), query=[("from", {"type": "integer", "minimum": 1}, "The older size."), ("to", {"type": "integer", "minimum": 1}, "The newer size.")])},
 "/api/v1/audit/projects/{id}/timeline": {"get": op("A project's entries with their inclusion proofs against the latest checkpoint", ["center_admin", "agent", "bidder", "expert", "supervisor"], resp(200, "The timeline", ref("Timeline")), params=("id",), errors=(404,))},
 "/api/v1/test/audit/deadlines": {"post": op("Test mode only: schedule a deadline checkpoint", ["public"], resp(204, "Scheduled"), body={"type": "object"})},
 "/api/v1/test/audit/entries": {"post": op("Test mode only: append an arbitrary audit entry", ["center_admin", "agent", "bidder", "expert", "supervisor"], resp(201, "Appended"), body={"type": "object"})},
 "/api/v1/projects": {
   "get": op("Projects: an agent's organization's; staff see all", ["agent", "center_admin", "supervisor"], resp(200, "A page", ref("ProjectPage")), errors=(400,), query=PAGE + [("state", {"$ref": "#/components/schemas/ProjectState"}, "Only this state.")]),
   "post": op("Register a project (draft) for a tenderer", ["agent"], resp(201, "The project", ref("Project")), body=ref("ProjectRequest"), errors=(409,), idem=True)},
 "/api/v1/projects/{id}": {
   "get": op("One project with its lots and documents", ["agent", "center_admin", "supervisor"], resp(200, "The project", ref("Project")), params=("id",), errors=(404,)),
   "put": op("Amend a draft project", ["agent"], resp(200, "The project", ref("Project")), params=("id",), body=ref("ProjectRequest"), errors=(404, 409))},
 "/api/v1/projects/{id}/transitions": {"post": op("Move a project through the state machine (submit, accept with its code, return with reasons, suspend, resume, terminate, fail, ...)", ["agent", "center_admin", "supervisor"], resp(200, "The project", ref("Project")), params=("id",), body=ref("TransitionRequest"), errors=(404, 409))},
 "/api/v1/projects/{id}/documents": {"post": op("Attach a document to a draft project: the body is the file (PDF, PNG, JPEG, ZIP, DOCX, XLSX, DOC; its content must match its type; 20 MiB at most); ?name= names it", ["agent"], resp(201, "The document's record with its SHA-256", {"type": "object"}), params=("id",), errors=(400, 404, 409, 413, 415, 422), idem=True, query=[("name", {"type": "string", "maxLength": 200}, "The file name.")])},
 "/api/v1/projects/{id}/documents/{doc}": {"get": op("Download a document", ["agent", "center_admin", "supervisor"], {"200": {"description": "The file", "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}}, params=("id", "doc"), errors=(404,))},
 "/api/v1/projects/{id}/lots/{lot}/opening-key": {"post": op("Make a lot's opening key (the time lock, docs/envelope.md §7): a fresh P-256 key pair whose private scalar is split k-of-n among the custodians with Feldman VSS, each share sealed with HPKE to the custodian's registered key; the scalar is wiped and never stored. Before bidding starts (project accepted or announced); one key per lot", ["agent", "center_admin"], resp(201, "The lot's opening key", ref("OpeningKey")), params=("id", "lot"), body=ref("OpeningKeyRequest"), errors=(404, 409), idem=True),
                                                    "get": op("A lot's opening public key, its id, the Feldman commitments and the custodians: what a bidder seals to and a custodian checks a share against", ["public"], resp(200, "The lot's opening key", ref("OpeningKey")), params=("id", "lot"), errors=(404,))},
 "/api/v1/projects/{id}/lots/{lot}/opening-key/share": {"get": op("The caller's own share of a lot's opening key, sealed to their registered key (ciphertext only: only their private key opens it)", ["agent", "center_admin", "supervisor"], resp(200, "The lot's opening key, with the caller's sealed share under share", ref("OpeningKey")), params=("id", "lot"), errors=(404,))},
 "/api/v1/envelopes/check": {"post": dict(op("Check a sealed bid envelope before submitting it: the body (application/octet-stream, streamed, at most bids.max_envelope_bytes) must be a well-formed envelope (docs/envelope.md) signed with one of the caller's live registered keys. Nothing is stored; the answer names the envelope's SHA-256", ["bidder"], resp(200, "The envelope's SHA-256, sizes and header; signature verified", {"type": "object"}), errors=(413, 422)), requestBody={"required": True, "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}})},
 "/api/v1/projects/{id}/lots/{lot}/bids/binding": {"get": op("What the caller's organization seals for this lot (the LOT.json of ggzy bid seal): platform, project code, lot, bidder organization, next revision, bid deadline in force, opening key id and public key", ["bidder"], resp(200, "The lot binding", ref("LotBinding")), params=("id", "lot"), errors=(404, 422))},
 "/api/v1/projects/{id}/lots/{lot}/bids": {"post": dict(op("Submit a sealed bid (docs/envelope.md §8): the body (application/octet-stream, streamed, at most bids.max_envelope_bytes) is checked as it arrives, then its signature, binding, revision and the deadline; the envelope is stored durably before the bid commits with its audit entry bid.receive; the answer carries the receipt signed by the platform. A new revision supersedes the current one", ["bidder"], resp(201, "Received: the bid and its signed receipt", ref("BidReceived")), params=("id", "lot"), errors=(404, 409, 413, 422)), requestBody={"required": True, "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}})},
 "/api/v1/projects/{id}/lots/{lot}/bids/mine": {
   "get": op("The caller's organization's revisions for the lot (current, superseded, withdrawn), with their opening outcome once opened", ["bidder"], resp(200, "The revisions", ref("BidPage")), params=("id", "lot"), errors=(404,)),
   "delete": op("Withdraw the current bid before the deadline (撤回): audited as bid.withdraw; a new revision may follow", ["bidder"], resp(200, "The withdrawn bid", ref("Bid")), params=("id", "lot"), errors=(404, 422))},
 "/api/v1/bids/{id}/receipt": {"get": op("A bid's receipt, signed by the platform, with an inclusion proof of its bid.receive entry under the latest signed checkpoint once one covers it (ggzy receipt verify). The bidder's own organization, or the project's parties", USERS, resp(200, "The bid, its receipt and inclusion proof", ref("BidReceipt")), params=("id",), errors=(404,))},
 "/api/v1/bids/{id}/envelope": {"get": op("The stored envelope bytes: to its own bidder at any time; to the project's agent, center staff and supervisors once the lot is opened (ggzy opening verify)", USERS, {"200": {"description": "The envelope", "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}}, params=("id",), errors=(404,))},
 "/api/v1/projects/{id}/lots/{lot}/opening": {
   "post": op("Start the lot's opening at or after the opening time (BID-OPENING-TIME before it). Fewer current bids than R-MIN-BIDS: the lot fails unopened (the project fails when every lot has). Otherwise the opening awaits the custodians' shares. An opening interrupted by a crash resumes", ["agent", "center_admin"], resp(200, "The opening record", ref("Opening")), params=("id", "lot"), errors=(404, 409, 422)),
   "get": op("The opening record, growing while envelopes are opened: state, shares handed in, every opened or rejected bid with its summary or reason and legal class, objections with answers, and once opened the opening private key (anyone can re-derive every content key)", ["public"], resp(200, "The opening record", ref("Opening")), params=("id", "lot"), errors=(404,))},
 "/api/v1/projects/{id}/lots/{lot}/opening/shares": {"post": op("A custodian hands in their share (ggzy custodian share), refused before the opening time; it must match the published commitments (BID-SHARE). The k-th share rebuilds the key, which must be the lot's opening key, opens every current envelope and publishes the key", ["agent", "center_admin", "supervisor"], resp(200, "The opening record", ref("Opening")), params=("id", "lot"), body=ref("ShareRequest"), errors=(404, 409, 422))},
 "/api/v1/projects/{id}/lots/{lot}/opening/objections": {"post": op("A bidder of the lot raises an objection at the opening (recorded, audited)", ["bidder"], resp(201, "The objection", ref("Objection")), params=("id", "lot"), body=ref("ObjectionRequest"), errors=(404, 409), idem=True)},
 "/api/v1/projects/{id}/lots/{lot}/opening/objections/{oid}/answer": {"post": op("Answer an objection on the spot (recorded, audited)", ["agent", "center_admin", "supervisor"], resp(200, "The opening record", ref("Opening")), params=("id", "lot", "oid"), body=ref("AnswerRequest"), errors=(404,))},
 "/api/v1/projects/{id}/announcements": {"post": op("Draft an announcement for an accepted project", ["agent"], resp(201, "The draft", ref("Announcement")), params=("id",), body=ref("AnnouncementRequest"), errors=(404, 409), idem=True)},
 "/api/v1/announcements/{id}": {
   "get": op("An announcement, drafts included, for the project's parties", ["agent", "center_admin", "supervisor"], resp(200, "The announcement", ref("Announcement")), params=("id",), errors=(404,)),
   "put": op("Change a draft (a published announcement never changes: 409)", ["agent"], resp(200, "The draft", ref("Announcement")), params=("id",), body=ref("AnnouncementRequest"), errors=(404, 409))},
 "/api/v1/announcements/{id}/publish": {"post": op("Publish: statutory checks (422 rule_violation with the rule and its legal source), immutable from then on, signed, the project's next state", ["agent"], resp(200, "The published announcement", ref("Announcement")), params=("id",), errors=(404, 409, 413, 422))},
 "/api/v1/public/announcements": {"get": op("Published announcements, newest first; no login", ["public"], resp(200, "A page", ref("AnnouncementPage")), errors=(400,), query=[
     ("type", {"$ref": "#/components/schemas/AnnouncementType"}, "Only this type."),
     ("category", {"$ref": "#/components/schemas/Category"}, "Only this trading category."),
     ("region", {"type": "string", "pattern": "^[1-9][0-9]{5}$"}, "Only this region."),
     ("from_us", {"type": "integer", "minimum": 0}, "Published at or after (µs)."),
     ("to_us", {"type": "integer", "minimum": 0}, "Published before (µs)."),
     ("q", {"type": "string", "maxLength": 100}, "Text in the title."),
     ("before", {"type": "integer", "minimum": 1}, "The cursor: the previous page's next_before."),
     ("limit", {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}, "Page size.")])},
 "/api/v1/public/announcements/{id}": {"get": op("One published announcement with its version chain", ["public"], resp(200, "The announcement", ref("Announcement")), params=("id",), errors=(404,))},
 "/api/v1/public/announcements/{id}/signature": {"get": op("The published content, its SHA-256 and the platform's Ed25519 signature (verify with openssl)", ["public"], resp(200, "The signature", ref("AnnouncementSignature")), params=("id",), errors=(404,))},
 "/api/v1/public/projects/{id}/ocds/releases": {"get": op("OCDS 1.1 release package: a release per published announcement", ["public"], resp(200, "An OCDS release package (standard.open-contracting.org, 1.1.5 schemas)", {"type": "object"}), params=("id",), errors=(404,))},
 "/api/v1/public/projects/{id}/ocds/record": {"get": op("OCDS 1.1 record package: the releases and the compiled release", ["public"], resp(200, "An OCDS record package", {"type": "object"}), params=("id",), errors=(404,))},
 "/api/v1/public/feed.atom": {"get": op("Atom feed of the latest 50 publications", ["public"], {"200": {"description": "Atom 1.0 (RFC 4287)", "content": {"application/atom+xml": {"schema": {"type": "string"}}}}})},
}
for p in ("/api/v1/test/clock", "/api/v1/test/sleep", "/api/v1/test/audit/deadlines", "/api/v1/test/audit/entries"):
    for m in paths[p].values():
        m["x-test-only"] = True
TIME = {"type": "string", "format": "date-time", "description": "UTC, RFC 3339 with microseconds, from ggzyd's one clock"}
schemas = {
 "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "object", "required": ["code", "message", "request_id"], "properties": {
    "code": {"type": "string", "enum": "__CODES__"}, "message": {"type": "string"}, "request_id": {"type": "string"},
    "field": {"type": "string", "description": "The body field at fault (invalid_field, missing_field, unknown_field)."},
    "rule": {"type": "string", "description": "The rule code (rule_violation); see docs/errors.md."}}}}},
 "Health": {"type": "object", "properties": {"status": {"type": "string", "enum": ["ok"]}, "database": {"type": "string", "enum": ["ok"]}}},
 "Role": {"type": "string", "enum": USERS},
 "OrganizationType": {"type": "string", "enum": ["bidder", "agency", "tenderer", "center", "supervision"]},
 "LoginRequest": {"type": "object", "additionalProperties": False, "required": ["username", "password"], "properties": {"username": {"type": "string", "maxLength": 64}, "password": {"type": "string", "maxLength": 512}}},
 "Session": {"type": "object", "properties": {"token": {"type": "string", "description": "32 random bytes, base64url; send as Authorization: Bearer <token>"}, "token_type": {"type": "string", "enum": ["Bearer"]}, "expires_at": TIME, "user": ref("User")}},
 "Principal": {"type": "object", "properties": {"id": {"type": "integer"}, "username": {"type": "string"}, "role": ref("Role"), "org_id": {"type": "integer"}}},
 "PasswordChange": {"type": "object", "additionalProperties": False, "required": ["old_password", "new_password"], "properties": {"old_password": {"type": "string"}, "new_password": {"type": "string", "minLength": 10}}},
 "KeyRequest": {"type": "object", "additionalProperties": False, "required": ["public_key"], "properties": {"public_key": {"type": "string", "description": "PEM SubjectPublicKeyInfo of an ECDSA P-256 key"}, "label": {"type": "string", "maxLength": 100}}},
 "PublicKey": {"type": "object", "properties": {"key_id": {"type": "string", "description": "hex SHA-256 of the DER SubjectPublicKeyInfo"}, "public_key": {"type": "string"}, "algorithm": {"type": "string", "enum": ["ECDSA-P256-SHA256"]}, "label": {"type": "string"}, "created_at": TIME, "revoked_at": {"oneOf": [TIME, {"type": "null"}]}}},
 "KeyList": {"type": "object", "properties": {"items": {"type": "array", "items": ref("PublicKey")}}},
 "OrganizationRequest": {"type": "object", "additionalProperties": False, "required": ["name", "type", "credit_code", "region"], "properties": {"name": {"type": "string", "maxLength": 200}, "type": ref("OrganizationType"), "credit_code": {"type": "string", "minLength": 18, "maxLength": 18, "description": "Unified social credit code with a valid check character (GB 32100-2015)"}, "region": {"type": "string", "pattern": "^[1-9][0-9]{5}$", "description": "Administrative division code (GB/T 2260)"}}},
 "Organization": {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}, "type": ref("OrganizationType"), "credit_code": {"type": "string"}, "region": {"type": "string"}, "created_at": TIME}},
 "OrganizationPage": {"type": "object", "properties": {"items": {"type": "array", "items": ref("Organization")}, "next_after": {"type": ["integer", "null"]}}},
 "UserRequest": {"type": "object", "additionalProperties": False, "required": ["username", "display_name", "org_id", "role", "password"], "properties": {"username": {"type": "string", "pattern": "^[a-z][a-z0-9._-]{2,63}$"}, "display_name": {"type": "string", "maxLength": 100}, "org_id": {"type": "integer"}, "role": ref("Role"), "password": {"type": "string", "minLength": 10}}},
 "User": {"type": "object", "properties": {"id": {"type": "integer"}, "username": {"type": "string"}, "display_name": {"type": "string"}, "role": ref("Role"), "organization": {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}, "type": ref("OrganizationType")}}, "disabled": {"type": "boolean"}, "created_at": TIME}},
 "UserPage": {"type": "object", "properties": {"items": {"type": "array", "items": ref("User")}, "next_after": {"type": ["integer", "null"]}}},
 "VerifierKeys": {"type": "object", "properties": {"origin": {"type": "string"}, "vkey": {"type": "string", "description": "name+hex(key id)+base64(0x01 || Ed25519 public key)"}, "all_vkeys": {"type": "array", "items": {"type": "string"}}}},
 "Checkpoint": {"type": "object", "properties": {"size": {"type": "integer"}, "root": {"type": "string", "description": "base64 RFC 6962 root hash"}, "signed_at": TIME, "kind": {"type": "string", "enum": ["periodic", "requested", "deadline"]}, "note": {"type": "string", "description": "the C2SP signed note, with the cosignature lines appended"}, "cosignatures": {"type": "array", "items": {"type": "object", "properties": {"user_id": {"type": "integer"}, "key_id": {"type": "string"}, "line": {"type": "string"}, "signed_at": TIME}}}}},
 "CheckpointPage": {"type": "object", "properties": {"items": {"type": "array", "items": ref("Checkpoint")}, "next_after": {"type": ["integer", "null"]}}},
 "CosignRequest": {"type": "object", "additionalProperties": False, "required": ["signature"], "properties": {"signature": {"type": "string", "description": "base64(4-byte key id || ASN.1 DER ECDSA signature over the checkpoint text)"}}},
 "Entry": {"type": "object", "properties": {"index": {"type": "integer"}, "leaf_hash": {"type": "string"}, "time": TIME, "action": {"type": "string"}, "entry": {"type": ["string", "null"], "description": "base64 of the canonical entry bytes; null when withheld from this caller"}, "redacted": {"type": "object", "description": "the entry with withheld fields replaced, when any are"}}},
 "EntryPage": {"type": "object", "properties": {"items": {"type": "array", "items": ref("Entry")}, "next_from": {"type": ["integer", "null"]}}},
 "InclusionProof": {"type": "object", "properties": {"index": {"type": "integer"}, "size": {"type": "integer"}, "leaf_hash": {"type": "string"}, "proof": {"type": "array", "items": {"type": "string"}}}},
 "ConsistencyProof": {"type": "object", "properties": {"from": {"type": "integer"}, "to": {"type": "integer"}, "proof": {"type": "array", "items": {"type": "string"}}}},
 "Timeline": {"type": "object", "properties": {"project_id": {"type": "integer"}, "checkpoint": ref("Checkpoint"), "entries": {"type": "array", "items": {"allOf": [ref("Entry"), {"type": "object", "properties": {"proof": {"type": "array", "items": {"type": "string"}}}}]}}}},
 "Category": {"type": "string", "enum": ["engineering", "procurement", "land_mineral", "state_property"]},
 "ProjectState": {"type": "string", "enum": ["draft", "submitted", "accepted", "announced", "bidding", "opened", "evaluating", "candidates_published", "awarded", "contracted", "closed", "suspended", "terminated", "failed"]},
 "Method": {"type": "string", "enum": ["open_tender", "invited_tender", "competitive_negotiation", "competitive_consultation", "single_source", "inquiry", "auction", "listing", "negotiated_transfer"], "description": "The methods a category allows: engineering open/invited tender; procurement those and competitive negotiation/consultation, single source, inquiry; land and mineral rights open tender, auction, listing; state-owned property listing, auction, negotiated transfer"},
 "ProjectRequest": {"type": "object", "additionalProperties": False, "required": ["name", "category", "method", "region", "tenderer_org_id", "budget_fen", "funding_source", "legally_required", "lots"], "properties": {"name": {"type": "string", "maxLength": 200}, "category": ref("Category"), "method": ref("Method"), "region": {"type": "string"}, "tenderer_org_id": {"type": "integer"}, "budget_fen": {"type": "integer", "minimum": 1}, "funding_source": {"type": "string"}, "legally_required": {"type": "boolean"}, "lots": {"type": "array", "minItems": 1, "maxItems": 50, "items": {"type": "object", "required": ["name", "estimate_fen"], "properties": {"name": {"type": "string"}, "estimate_fen": {"type": "integer", "minimum": 1}}}}, "retender_of": {"type": "integer", "description": "the failed project this one tenders again"}}},
 "Project": {"type": "object", "properties": {"id": {"type": "integer"}, "code": {"type": ["string", "null"], "description": "region-year-category-sequence, given at acceptance"}, "name": {"type": "string"}, "category": ref("Category"), "method": ref("Method"), "state": ref("ProjectState"), "budget_fen": {"type": "integer"}, "lots": {"type": "array", "items": {"type": "object"}}, "documents": {"type": "array", "items": {"type": "object"}}}},
 "ProjectPage": {"type": "object", "properties": {"items": {"type": "array", "items": ref("Project")}, "next_after": {"type": ["integer", "null"]}}},
 "OpeningKeyRequest": {"type": "object", "additionalProperties": False, "required": ["custodians"], "properties": {"custodians": {"type": "array", "minItems": 2, "maxItems": 16, "items": {"type": "object", "additionalProperties": False, "required": ["user_id", "key_id"], "properties": {"user_id": {"type": "integer", "minimum": 1}, "key_id": {"type": "string", "pattern": "^[0-9a-f]{64}$", "description": "the custodian's registered key (POST /api/v1/me/keys)"}}}, "description": "share x = position + 1; at least one agent of the project's agency, one supervisor and one center_admin"}, "threshold": {"type": "integer", "minimum": 2, "maximum": 16, "default": 2}}},
 "LotBinding": {"type": "object", "properties": {"platform": {"type": "string"}, "project_code": {"type": "string"}, "project_id": {"type": "integer"}, "lot": {"type": "integer"}, "bidder_org_id": {"type": "integer"}, "revision": {"type": "integer"}, "bid_deadline_us": {"type": "integer"}, "bid_deadline_at": TIME, "opening_us": {"type": "integer"}, "opening_key_id": {"type": "string"}, "opening_pk": {"type": "string", "description": "hex, 65-byte uncompressed P-256 point"}, "announcements": {"type": "object", "description": "the published announcements whose signed content carries the deadline and the opening key (check them with GET /api/v1/public/announcements/{id}/signature)", "properties": {"deadline": {"type": "integer"}, "opening_key": {"type": ["integer", "null"]}}}}},
 "Bid": {"type": "object", "properties": {"id": {"type": "integer"}, "project_id": {"type": "integer"}, "lot": {"type": "integer"}, "bidder_org_id": {"type": "integer"}, "revision": {"type": "integer"}, "envelope_sha256": {"type": "string"}, "size": {"type": "integer"}, "received_us": {"type": "integer"}, "received_at": TIME, "audit_index": {"type": ["integer", "null"]}, "state": {"type": "string", "enum": ["current", "superseded", "withdrawn"]}, "state_us": {"type": "integer"}, "opening": {"type": "object", "description": "once opened", "properties": {"status": {"type": "string", "enum": ["opened", "rejected"]}, "summary": {"type": "object"}, "price_fen": {"type": "integer"}, "class": {"type": "string", "enum": ["revocation", "withdrawal"], "description": "撤销 (the bidder's envelope is at fault) or 撤回 (the platform's side)"}, "reason": {"type": "string"}, "opened_us": {"type": "integer"}}}}},
 "BidPage": {"type": "object", "properties": {"items": {"type": "array", "items": ref("Bid")}, "next_after": {"type": "null"}}},
 "BidReceived": {"type": "object", "properties": {"bid_id": {"type": "integer"}, "revision": {"type": "integer"}, "envelope_sha256": {"type": "string"}, "received_us": {"type": "integer"}, "received_at": TIME, "supersedes": {"type": "integer"}, "receipt": {"type": "string", "description": "canonical JSON of the receipt, exactly as signed"}, "signature": {"type": "string", "description": "base64 Ed25519 over 'ggzy-bid-receipt-v1\\n' || receipt"}, "vkey": {"type": "string"}}},
 "BidReceipt": {"allOf": [ref("Bid"), {"type": "object", "properties": {"receipt": {"type": "string"}, "signature": {"type": "string"}, "vkey": {"type": "string"}, "inclusion": {"type": ["object", "null"], "properties": {"index": {"type": "integer"}, "size": {"type": "integer"}, "checkpoint": {"type": "string"}, "entry": {"type": "string"}, "leaf_hash": {"type": "string"}, "proof": {"type": "array", "items": {"type": "string"}}}}}}]},
 "Opening": {"type": "object", "properties": {"project_id": {"type": "integer"}, "lot": {"type": "integer"}, "state": {"type": "string", "enum": ["awaiting_shares", "opening", "opened", "failed"]}, "bids": {"type": "integer"}, "started_us": {"type": "integer"}, "completed_us": {"type": "integer"}, "reason": {"type": "string"}, "opening_key_id": {"type": "string"}, "public_key": {"type": "string"}, "threshold": {"type": "integer"}, "private_key": {"type": ["string", "null"], "description": "hex scalar, published once every envelope is opened"}, "shares": {"type": "array", "items": {"type": "object"}}, "records": {"type": "array", "items": {"allOf": [ref("Bid"), {"type": "object", "properties": {"bidder_name": {"type": "string"}}}]}}, "objections": {"type": "array", "items": ref("Objection")}}},
 "ShareRequest": {"type": "object", "required": ["x", "share"], "additionalProperties": False, "properties": {"x": {"type": "integer", "minimum": 1, "maximum": 16}, "share": {"type": "string", "pattern": "^[0-9a-fA-F]{64}$"}}},
 "Objection": {"type": "object", "properties": {"id": {"type": "integer"}, "org_id": {"type": "integer"}, "text": {"type": "string"}, "created_us": {"type": "integer"}, "answer": {"type": ["string", "null"]}, "answered_us": {"type": "integer"}}},
 "ObjectionRequest": {"type": "object", "required": ["text"], "additionalProperties": False, "properties": {"text": {"type": "string", "minLength": 1, "maxLength": 2000}}},
 "AnswerRequest": {"type": "object", "required": ["answer"], "additionalProperties": False, "properties": {"answer": {"type": "string", "minLength": 1, "maxLength": 2000}}},
 "OpeningKey": {"type": "object", "properties": {"project_id": {"type": "integer"}, "lot": {"type": "integer"}, "key_id": {"type": "string", "description": "hex SHA-256 of public_key"}, "public_key": {"type": "string", "description": "hex, 65-byte uncompressed P-256 point"}, "suite": {"type": "string"}, "threshold": {"type": "integer"}, "commitments": {"type": "array", "items": {"type": "string"}, "description": "Feldman commitments, hex points, in order"}, "custodians": {"type": "array", "items": {"type": "object", "properties": {"x": {"type": "integer"}, "user_id": {"type": "integer"}, "role": {"type": "string"}, "key_id": {"type": "string"}}}}, "created_us": {"type": "integer"}, "share": {"type": "object", "properties": {"x": {"type": "integer"}, "key_id": {"type": "string"}, "enc": {"type": "string"}, "sealed": {"type": "string"}}, "description": "only in the custodian's own view"}}},
 "TransitionRequest": {"type": "object", "additionalProperties": False, "required": ["to"], "properties": {"to": ref("ProjectState"), "reason": {"type": "string", "description": "required to return, suspend or terminate"}}},
 "AnnouncementType": {"type": "string", "enum": ["tender", "amendment", "candidates", "award", "failed", "termination"]},
 "AnnouncementRequest": {"type": "object", "additionalProperties": False, "required": ["type", "title", "body"], "properties": {"type": ref("AnnouncementType"), "title": {"type": "string", "maxLength": 300}, "body": {"type": "string"}, "amends_id": {"type": "integer"}, "affects_bids": {"type": "boolean"}, "docs_from_us": {"type": "integer"}, "docs_until_us": {"type": "integer"}, "bid_deadline_us": {"type": "integer"}, "opening_us": {"type": "integer"}, "publicity_from_us": {"type": "integer"}, "publicity_until_us": {"type": "integer"}, "deposits": {"type": "array", "items": {"type": "object", "properties": {"lot": {"type": "integer"}, "deposit_fen": {"type": "integer"}}}}}},
 "Announcement": {"type": "object", "properties": {"id": {"type": "integer"}, "project_id": {"type": "integer"}, "project_code": {"type": "string"}, "type": ref("AnnouncementType"), "title": {"type": "string"}, "state": {"type": "string", "enum": ["draft", "published"]}, "content_sha256": {"type": "string"}, "public_seq": {"type": "integer"}, "versions": {"type": "array", "items": {"type": "object"}}}},
 "AnnouncementPage": {"type": "object", "properties": {"items": {"type": "array", "items": ref("Announcement")}, "next_before": {"type": ["integer", "null"]}}},
 "AnnouncementSignature": {"type": "object", "properties": {"id": {"type": "integer"}, "content": {"type": "string", "description": "the canonical JSON that was hashed"}, "content_sha256": {"type": "string"}, "signed_message": {"type": "string", "description": "ggzy-announcement-v1\\n<sha256 hex>\\n"}, "signature": {"type": "string"}, "algorithm": {"type": "string", "enum": ["Ed25519"]}, "vkey": {"type": "string"}}},
 "Clock": {"type": "object", "properties": {"now_us": {"type": "integer"}, "now": TIME}},
 "ClockRequest": {"type": "object", "additionalProperties": False, "properties": {"set_us": {"type": "integer"}, "advance_us": {"type": "integer"}}},
}
import re, sys
codes = re.findall(r'^ERR\(\w+,\s*"(\w+)"', open(sys.argv[1]).read(), re.M)
schemas["Error"]["properties"]["error"]["properties"]["code"]["enum"] = codes
doc = {"openapi": "3.1.0",
 "info": {"title": "ggzy — public-resource trading platform API", "version": "1.0.0",
          "description": "Every refusal is an Error with a documented code (docs/errors.md). Times are UTC RFC 3339 strings with microseconds; money is integer fen. x-roles lists the roles a route admits (the server refuses every other caller with 403); 'public' needs no login. Creating POSTs accept an Idempotency-Key header."},
 "servers": [{"url": "https://localhost:8443"}],
 "paths": paths,
 "components": {"schemas": schemas,
   "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "description": "The token from POST /api/v1/auth/login"}},
   "parameters": {"IdempotencyKey": {"name": "Idempotency-Key", "in": "header", "required": False, "schema": {"type": "string", "minLength": 1, "maxLength": 128}, "description": "A retry with the same key (same user, same request) returns the first answer and creates nothing; the same key with a different request is refused with idempotency_key_reused. Kept for idempotency.ttl_s seconds."}},
   "responses": {"Error": {"description": "A refusal; see docs/errors.md for the codes", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}}}
print(json.dumps(doc, indent=2, ensure_ascii=False))
