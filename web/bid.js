/*
 * bid.js — the bidder's page (bid.html): sign in, load what the lot binds, seal the bid here
 * with GGZYSeal (seal.js, WebCrypto) and submit the envelope, then show and offer the signed
 * receipt. The token lives in this page's memory only (page.js: never in storage or a cookie); the
 * private key file is read into WebCrypto as a non-extractable key and never sent. Every value
 * from the server is shown with textContent. Money: the price is typed in yuan and turned into
 * integer fen by string arithmetic, never through floating point.
 */
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  GGZYShell.mount({ title: "投标文件密封递交",
                    subtitle: "Seal and submit a bid — sealed in this browser, with your own key" });
  const S = GGZYShell.session, api = S.api, refusal = GGZYPage.refusal, beijing = GGZYPage.beijing;
  let binding = null;

  function status(text, state) {
    $("status").textContent = text;
    $("status").dataset.state = state || "busy";
  }

  /* "1234567.89" → 123456789; null for anything else (at most two decimals, below 2^53 fen) */
  function fen(text) {
    const m = /^\s*(\d{1,16})(?:\.(\d{1,2}))?\s*$/.exec(text || "");
    if (!m) return null;
    const v = Number(m[1]) * 100 + Number((m[2] || "").padEnd(2, "0"));
    return Number.isSafeInteger(v) ? v : null;
  }

  /* POST the envelope with upload progress (fetch has none). */
  function upload(path, bytes) {
    return new Promise((resolve, reject) => {
      const x = new XMLHttpRequest();
      x.open("POST", path);
      x.setRequestHeader("Authorization", "Bearer " + S.token);
      x.setRequestHeader("Content-Type", "application/octet-stream");
      x.upload.onprogress = (e) => {
        if (e.lengthComputable) $("progress").value = Math.floor((100 * e.loaded) / e.total);
      };
      x.onload = () => {
        let j = null;
        try { j = JSON.parse(x.responseText); } catch (e) { j = null; }
        resolve({ status: x.status, json: j, text: x.responseText });
      };
      x.onerror = () => reject(new Error("the connection failed: nothing was received — submit again"));
      x.send(bytes);
    });
  }

  /* The platform's Ed25519 key from its vkey (name+keyid+base64(0x01 ‖ key); the base64 may
   * hold "+" itself, so split at the first two only): {name, id, key}, or null. */
  async function platformKey(vkey) {
    const v = String(vkey), i = v.indexOf("+"), j = v.indexOf("+", i + 1);
    if (i < 1 || j < 0) return null;
    const raw = Uint8Array.from(atob(v.slice(j + 1)), (c) => c.charCodeAt(0));
    if (raw.length !== 33 || raw[0] !== 1) return null;
    const key = await crypto.subtle.importKey("raw", raw.subarray(1), { name: "Ed25519" }, false, ["verify"]);
    return { name: v.slice(0, i), id: v.slice(i + 1, j), key };
  }

  function ed25519(pk, sigB64, text) {
    const sig = Uint8Array.from(atob(sigB64), (c) => c.charCodeAt(0));
    return crypto.subtle.verify({ name: "Ed25519" }, pk.key, sig, new TextEncoder().encode(text));
  }

  /* Ed25519 over "ggzy-bid-receipt-v1\n" || receipt, with the key the answer names. This shows
   * the receipt is signed by that key; that it is the platform's key is for the bidder to
   * compare with the one the center publishes — which `ggzy receipt verify --vkey` does with a
   * pinned copy. */
  async function receiptSignature(ans) {
    try {
      const pk = await platformKey(ans.vkey);
      if (!pk) return "unknown key form";
      return await ed25519(pk, ans.signature, "ggzy-bid-receipt-v1\n" + ans.receipt)
        ? "有效 valid — signed by " + pk.name + " key " + pk.id + " (compare with the key the center publishes)"
        : "无效 INVALID — keep the files and object";
    } catch (e) {
      return "not checked here (this browser has no Ed25519): use ggzy receipt verify";
    }
  }

  /* The binding must say what the platform signed for everyone (docs/envelope.md §8): the lot's
   * opening key as in the tender announcement's opening_keys, the deadline as in the
   * announcement that sets it. Null when it does, else why not. */
  async function bindingProblem(bd) {
    const src = bd.announcements || {};
    if (!src.opening_key || !src.deadline) return "no published tender announcement carries this lot's opening key";
    const v = await api("GET", "/api/v1/audit/vkey");
    let pk = null;
    try { pk = v.status === 200 ? await platformKey(v.json.vkey) : null; } catch (e) { pk = null; }
    if (!pk) return "the platform's verifier key is not usable here (use ggzy bid seal --vkey)";
    const content = {};
    for (const [what, id] of [["keys", src.opening_key], ["deadline", src.deadline]]) {
      const r = await api("GET", "/api/v1/public/announcements/" + id + "/signature");
      if (r.status !== 200) return "announcement " + id + " cannot be read: " + refusal(r.status, r.json);
      const hash = GGZYSeal.hex(await GGZYSeal.sha256(new TextEncoder().encode(r.json.content)));
      if (!(await ed25519(pk, r.json.signature, "ggzy-announcement-v1\n" + hash + "\n")))
        return "announcement " + id + " is not signed by the platform's key";
      content[what] = JSON.parse(r.json.content);
    }
    const k = (content.keys.opening_keys || []).find((e) => e.lot === bd.lot);
    if (!k || k.key_id !== bd.opening_key_id || k.public_key.toLowerCase() !== bd.opening_pk.toLowerCase())
      return "the lot's opening key is not the one announcement " + src.opening_key + " published";
    if (content.deadline.bid_deadline_us !== bd.bid_deadline_us)
      return "the deadline is not the one announcement " + src.deadline + " published";
    return null;
  }

  function readFile(f, asText) {
    return asText ? f.text() : f.arrayBuffer().then((b) => new Uint8Array(b));
  }


  const STATES = { current: "有效 current", superseded: "已替换 superseded", withdrawn: "已撤回 withdrawn" };

  /* The organization's revisions in the lot, newest first, and the withdraw button when one is
   * current. */
  async function showMine() {
    const r = await api("GET", "/api/v1/projects/" + binding.project_id + "/lots/" + binding.lot + "/bids/mine");
    if (r.status !== 200) return;
    const body = $("mine").tBodies[0];
    body.replaceChildren();
    let current = false;
    for (const b of r.json.items.slice().sort((a, c) => c.revision - a.revision)) {
      const tr = document.createElement("tr");
      for (const t of [String(b.revision), STATES[b.state] || b.state, beijing(b.received_us), b.envelope_sha256]) {
        const td = document.createElement("td");
        td.textContent = t;
        tr.appendChild(td);
      }
      tr.dataset.state = b.state;
      body.appendChild(tr);
      current = current || b.state === "current";
    }
    $("mine-section").hidden = r.json.items.length === 0;
    $("withdraw").hidden = !current;
  }

  /* Withdrawing (撤回) is signed with the bidder's key over the exact bid (docs/envelope.md §8.3):
   * whoever knows the password cannot withdraw it. */
  $("withdraw").addEventListener("click", async () => {
    if (!binding) return;
    const keyFile = $("key").files[0];
    if (!keyFile) return status("选择私钥文件 choose your key file: it signs the withdrawal", "refused");
    const base = "/api/v1/projects/" + binding.project_id + "/lots/" + binding.lot + "/bids";
    const mine = await api("GET", base + "/mine");
    const cur = mine.status === 200 ? mine.json.items.find((b) => b.state === "current") : null;
    if (!cur) return status("no current bid to withdraw", "refused");
    try {
      const signer = await GGZYSeal.importSigningKey(await readFile(keyFile, true));
      const fields = { bid_id: cur.id, bidder_org_id: cur.bidder_org_id, envelope_sha256: cur.envelope_sha256,
                       lot: binding.lot, platform: binding.platform, project_code: binding.project_code,
                       revision: cur.revision };
      const signature = await GGZYSeal.signAct(signer.key, "ggzy-bid-withdraw-v1", fields);
      const r = await api("POST", base + "/withdrawal", { bid_id: cur.id, key_id: signer.keyId, signature });
      if (r.status === 200) status("已撤回 withdrawn: your bid no longer counts; you may still submit a new one before the deadline", "done");
      else status(refusal(r.status, r.json), "refused");
    } catch (e) {
      status("未撤回 not withdrawn: " + e.message, "refused");
    }
    await showMine();
  });

  $("lot-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    binding = null;
    $("binding").hidden = true;
    if (!S.token) return status("请先登录 sign in first", "refused");
    status("载入 loading and checking the lot…");
    const project = $("project").value.trim(), lot = $("lot").value.trim();
    if (!/^\d+$/.test(project) || !/^\d+$/.test(lot)) return status("project and lot are numbers", "refused");
    const r = await api("GET", "/api/v1/projects/" + project + "/lots/" + lot + "/bids/binding");
    if (r.status !== 200) return status(refusal(r.status, r.json), "refused");
    /* the key id names the key: check it before sealing anything to that key */
    const pk = GGZYSeal.unhex(r.json.opening_pk);
    if (pk.length !== 65 || GGZYSeal.hex(await GGZYSeal.sha256(pk)) !== r.json.opening_key_id)
      return status("the lot's opening key does not match its id: not sealing to it", "refused");
    const problem = await bindingProblem(r.json);
    if (problem) return status("not sealing to this lot: " + problem, "refused");
    binding = r.json;
    $("b-checked").textContent = "已核对 the opening key and the deadline are those signed in announcements " +
      binding.announcements.opening_key + " and " + binding.announcements.deadline;
    $("b-project").textContent = binding.project_code + " (lot " + binding.lot + ")";
    $("b-deadline").textContent = beijing(binding.bid_deadline_us);
    $("b-revision").textContent = binding.revision === 1 ? "第 1 次 first bid" : "第 " + binding.revision +
      " 次 revision " + binding.revision + " (replaces your current bid)";
    $("b-key").textContent = binding.opening_key_id;
    $("binding").hidden = false;
    await showMine();
    status("载入 loaded: ready to seal", "idle");
  });

  $("bid-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    $("result").hidden = true;
    if (!S.token) return status("请先登录 sign in first", "refused");
    if (!binding) return status("请先载入标段 load the lot first", "refused");
    const price = fen($("price").value);
    if (price === null) return status("报价 price: yuan with at most two decimals, e.g. 1234567.89", "refused");
    const days = $("duration").value.trim();
    if (!/^\d{1,6}$/.test(days)) return status("工期 duration: a whole number of days", "refused");
    const keyFile = $("key").files[0];
    if (!keyFile) return status("选择私钥文件 choose your key file", "refused");
    $("seal").disabled = true;
    try {
      status("读取 reading the key and documents…");
      const signer = await GGZYSeal.importSigningKey(await readFile(keyFile, true));
      const docs = [];
      for (const f of $("docs").files) docs.push({ name: f.name, bytes: await readFile(f, false) });
      const pt = GGZYSeal.container({ duration_days: Number(days), price_fen: price }, docs);
      const header = {
        v: 1, suite: "HPKE(DHKEM-P256-HKDF-SHA256,HKDF-SHA256,AES-256-GCM)+AES-256-GCM-64KiB+ECDSA-P256-SHA256",
        chunk_size: 65536, signer_key_id: signer.keyId, platform: binding.platform,
        project_code: binding.project_code, lot: binding.lot, bidder_org_id: binding.bidder_org_id,
        revision: binding.revision, bid_deadline_us: binding.bid_deadline_us, opening_key_id: binding.opening_key_id,
      };
      status("密封 sealing " + pt.length + " bytes…");
      const env = await GGZYSeal.seal(header, GGZYSeal.unhex(binding.opening_pk), signer.key, pt);
      const sha = GGZYSeal.hex(await GGZYSeal.sha256(env));
      pt.fill(0); /* the clear bid is not kept in the page longer than needed */
      status("递交 submitting " + env.length + " bytes…");
      $("progress").hidden = false;
      const r = await upload("/api/v1/projects/" + binding.project_id + "/lots/" + binding.lot + "/bids", env);
      $("progress").hidden = true;
      if (r.status !== 201) {
        const again = r.json && r.json.error && r.json.error.rule === "BID-REVISION" ? " (load the lot again)" : "";
        return status(refusal(r.status, r.json) + again, "refused");
      }
      if (r.json.envelope_sha256 !== sha)
        return status("the platform names another envelope hash than the one sealed here: keep bid.env and object", "refused");
      const rc = JSON.parse(r.json.receipt);
      if (rc.envelope_sha256 !== sha || rc.project_code !== binding.project_code || rc.lot !== binding.lot ||
          rc.bidder_org_id !== binding.bidder_org_id || rc.revision !== header.revision)
        return status("the receipt does not name this bid: keep bid.env and object", "refused");
      $("r-bid").textContent = r.json.bid_id + " · revision " + r.json.revision;
      $("r-time").textContent = beijing(rc.received_us);
      $("r-sha").textContent = sha;
      $("r-index").textContent = String(rc.audit_index);
      $("r-sig").textContent = await receiptSignature(r.json);
      $("receipt-json").textContent = r.text;
      $("dl-envelope").href = URL.createObjectURL(new Blob([env], { type: "application/octet-stream" }));
      $("dl-receipt").href = URL.createObjectURL(new Blob([r.text], { type: "application/json" }));
      $("result").hidden = false;
      binding.revision += 1; /* a further submission is the next revision */
      await showMine();
      status("已递交 received: keep the receipt and the envelope", "done");
    } catch (e) {
      status("未递交 not submitted: " + e.message, "refused");
    } finally {
      $("seal").disabled = false;
      $("progress").hidden = true;
    }
  });
})();
