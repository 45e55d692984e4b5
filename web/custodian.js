/*
 * custodian.js — the opening for those who hold the opening key's shares (custodian.html):
 * sign in, load the lot (the caller's sealed share, the key's commitments, the opening's
 * state), start the opening (the agent or the center), and hand in one's share — each step
 * signed with the custodian's certified key (docs/envelope.md §9.1). The share is
 * opened here with GGZYSeal.hpkeOpen (WebCrypto) and the custodian's own key file, as
 * `ggzy custodian share` does; the clear share exists in this page only between opening it and
 * sending it, and the page keeps nothing. The page checks what needs no curve arithmetic — the
 * key id is the key's hash, the first commitment is the key itself, the share is sealed to the
 * key loaded — and the platform checks the share against the Feldman commitments (BID-SHARE).
 */
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  GGZYShell.mount({ title: "开标 · 密钥分片",
                    subtitle: "The opening — for the agent, the center and the supervisor who hold the key's shares" });
  const S = GGZYShell.session, api = S.api;
  const te = new TextEncoder();
  let lot = null; /* {project, lot, key: GET …/opening-key/share} once loaded */

  function status(text, state) {
    $("status").textContent = text;
    $("status").dataset.state = state || "busy";
  }

  const base = (p, l) => "/api/v1/projects/" + p + "/lots/" + l;
  const STATES = {
    awaiting_shares: "等待密钥分片 awaiting the custodians' shares",
    opening: "正在解密 opening the envelopes",
    opened: "开标完成 opened",
    failed: "流标 failed (not opened)",
  };

  async function showState() {
    const r = await api("GET", base(lot.project, lot.lot) + "/opening");
    if (r.status === 404) {
      $("k-state").textContent = "尚未开始 not started";
      $("k-state").dataset.state = "not_started";
    } else if (r.status === 200) {
      $("k-state").textContent = (STATES[r.json.state] || r.json.state) + " · 分片 shares " +
        r.json.shares.length + " / " + r.json.threshold + (r.json.reason ? " · " + r.json.reason : "");
      $("k-state").dataset.state = r.json.state;
    }
  }

  GGZYShell.onSignIn((me) => {
    $("start").hidden = !["agent", "center_admin"].includes(me.role);
  });

  $("lot-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    lot = null;
    $("lot-info").hidden = true;
    if (!S.token) return status("请先登录 sign in first", "refused");
    const project = $("project").value.trim(), l = $("lot").value.trim();
    if (!/^[1-9]\d*$/.test(project) || !/^[1-9]\d*$/.test(l)) return status("project and lot are numbers", "refused");
    status("载入 loading…");
    const r = await api("GET", base(project, l) + "/opening-key/share");
    if (r.status !== 200) return status(GGZYPage.refusal(r.status, r.json), "refused");
    const k = r.json, pk = GGZYSeal.unhex(k.public_key);
    if (GGZYSeal.hex(await GGZYSeal.sha256(pk)) !== k.key_id)
      return status("the key id is not the hash of the opening key: do not hand in a share", "refused");
    if (!k.commitments.length || k.commitments[0].toLowerCase() !== k.public_key.toLowerCase())
      return status("the commitments are not to this opening key (C_0 is not its public key): do not hand in a share", "refused");
    lot = { project, lot: l, key: k };
    $("k-id").textContent = k.key_id;
    $("k-share").textContent = "第 " + k.share.x + " 份 share " + k.share.x + " · any " + k.threshold + " open";
    $("record-link").href = "/opening.html?project=" + project + "&lot=" + l;
    $("record-link").hidden = false;
    $("lot-info").hidden = false;
    await showState();
    status("载入 loaded", "idle");
  });

  /* What every signed step of the opening carries (docs/envelope.md §9.1), dated by the
   * platform's clock, which the step is checked against. */
  async function stepFields(extra) {
    const h = await api("GET", "/healthz");
    const f = { lot: Number(lot.lot), opening_key_id: lot.key.key_id, platform: lot.key.platform,
                project_code: lot.key.project_code, signed_us: h.json ? h.json.now_us : 0 };
    return Object.assign(f, extra || {});
  }

  async function signer() {
    const f = $("key").files[0];
    if (!f) throw new Error("选择私钥文件 choose your key file: it signs the step");
    return GGZYSeal.importSigningKey(await f.text());
  }

  $("start").addEventListener("click", async () => {
    if (!lot) return status("请先载入标段 load the lot first", "refused");
    status("开始 starting…");
    try {
      const s = await signer(), f = await stepFields();
      const r = await api("POST", base(lot.project, lot.lot) + "/opening", {
        key_id: s.keyId, signed_us: f.signed_us, signature: await GGZYSeal.signAct(s.key, "ggzy-opening-start-v1", f) });
      if (r.status === 200) status("已开始 started: " + (STATES[r.json.state] || r.json.state), "done");
      else status(GGZYPage.refusal(r.status, r.json), "refused");
    } catch (e) {
      status("未开始 not started: " + e.message, "refused");
    }
    await showState();
  });

  $("share-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    if (!lot) return status("请先载入标段 load the lot first", "refused");
    const f = $("key").files[0];
    if (!f) return status("选择私钥文件 choose your key file", "refused");
    $("hand-in").disabled = true;
    let y = null;
    try {
      status("解密 opening your share…");
      const me = await GGZYSeal.importAgreementKey(await f.text());
      const share = lot.key.share, pk = GGZYSeal.unhex(lot.key.public_key);
      /* info = "ggzy-opening-share-v1" || SHA-256(opening public key) || x  (docs/envelope.md §7) */
      const info = GGZYSeal.concat(te.encode("ggzy-opening-share-v1"), await GGZYSeal.sha256(pk),
                                   new Uint8Array([share.x]));
      try {
        y = await GGZYSeal.hpkeOpen(me, GGZYSeal.unhex(share.enc), info, GGZYSeal.unhex(share.sealed));
      } catch (e) {
        return status("share " + share.x + " does not open with this key file: it is sealed to your key " +
                      share.key_id, "refused");
      }
      status("签名并提交 signing and handing in share " + share.x + "…");
      const s = await signer();
      const fields = await stepFields({ x: share.x, share_sha256: GGZYSeal.hex(await GGZYSeal.sha256(y)) });
      const body = { x: share.x, share: GGZYSeal.hex(y), key_id: s.keyId, signed_us: fields.signed_us,
                     signature: await GGZYSeal.signAct(s.key, "ggzy-share-handin-v1", fields) };
      const r = await api("POST", base(lot.project, lot.lot) + "/opening/shares", body);
      body.share = "";
      if (r.status === 200)
        status("已提交 share " + share.x + " handed in: " + (STATES[r.json.state] || r.json.state), "done");
      else status(GGZYPage.refusal(r.status, r.json), "refused");
    } catch (e) {
      status("未提交 not handed in: " + e.message, "refused");
    } finally {
      if (y) y.fill(0); /* the clear share is not kept */
      $("hand-in").disabled = false;
      await showState();
    }
  });
})();
