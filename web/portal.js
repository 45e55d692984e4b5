/*
 * portal.js — the public portal (index.html), the page most people see first: the published
 * announcements with filters (type, category, region, dates, title) and a cursor ("more"), and
 * one announcement (?id=N) shown from the very content the platform signed, with its version
 * chain, its signature checked in this browser (SHA-256 and Ed25519 on WebCrypto, as docs/audit.md
 * §5 does with openssl), and links to its OCDS release package and record and to the Atom feed.
 * No sign-in is needed; everything from the server is set with textContent.
 */
"use strict";

(function () {
  GGZYShell.mount({ title: "公共资源交易平台", subtitle: "Public-resource trading platform · 信息公开 public notices" });
  const $ = (id) => document.getElementById(id);
  const beijing = (us) => GGZYPage.beijing(us).slice(0, 19);
  const TYPES = { tender: "招标公告 tender", amendment: "变更公告 amendment", candidates: "中标候选人公示 candidates",
                  award: "中标结果 award", failed: "流标公告 failed", termination: "终止公告 termination" };
  let cursor = null;

  function cell(tr, text) {
    const td = document.createElement("td");
    td.textContent = text;
    tr.appendChild(td);
    return td;
  }

  /* Beijing midnight of a yyyy-mm-dd date input, as µs since the epoch (0: none). */
  function dayUs(v, plusDay) {
    if (!v) return 0;
    const ms = Date.parse(v + "T00:00:00+08:00");
    return Number.isFinite(ms) ? (ms + (plusDay ? 86400000 : 0)) * 1000 : 0;
  }

  function query() {
    const p = new URLSearchParams();
    if ($("f-type").value) p.set("type", $("f-type").value);
    if ($("f-category").value) p.set("category", $("f-category").value);
    if ($("f-region").value.trim()) p.set("region", $("f-region").value.trim());
    if ($("f-q").value.trim()) p.set("q", $("f-q").value.trim());
    const from = dayUs($("f-from").value, false), to = dayUs($("f-to").value, true);
    if (from) p.set("from_us", String(from));
    if (to) p.set("to_us", String(to));
    return p;
  }

  async function load(more) {
    const p = query();
    if (more && cursor) p.set("before", String(cursor));
    $("list-status").textContent = "载入中 loading…";
    $("list-status").dataset.state = "busy";
    const r = await GGZYShell.session.api("GET", "/api/v1/public/announcements?" + p.toString());
    if (r.status !== 200) {
      $("list-status").textContent = GGZYPage.refusal(r.status, r.json);
      $("list-status").dataset.state = "refused";
      return;
    }
    const tb = document.querySelector("#announcements tbody");
    if (!more) tb.textContent = "";
    for (const a of r.json.items) {
      const tr = document.createElement("tr");
      tr.dataset.id = String(a.id);
      cell(tr, beijing(a.published_at ? Date.parse(a.published_at) * 1000 : null));
      cell(tr, TYPES[a.type] || a.type);
      const link = document.createElement("a");
      link.href = "/?id=" + encodeURIComponent(a.id);
      link.textContent = a.title;
      cell(tr, "").appendChild(link);
      cell(tr, a.project_code || "—");
      cell(tr, a.region || "");
      tb.appendChild(tr);
    }
    cursor = r.json.next_before;
    $("more").hidden = cursor === null || cursor === undefined;
    const n = tb.children.length;
    $("list-status").textContent = n ? n + " 条公告 announcements" : "没有符合条件的公告 no announcement matches";
    $("list-status").dataset.state = "done";
  }

  function b64bytes(s) {
    const bin = atob(s);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }

  function hex(buf) {
    return Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, "0")).join("");
  }

  /* Check the signature: the content's SHA-256, the signed message, Ed25519 by the vkey's key.
   * Returns null when it holds, else what does not. */
  async function checkSignature(s) {
    const content = new TextEncoder().encode(s.content);
    const sha = hex(await crypto.subtle.digest("SHA-256", content));
    if (sha !== s.content_sha256) return "the content does not hash to content_sha256";
    const msg = "ggzy-announcement-v1\n" + sha + "\n";
    if (msg !== s.signed_message) return "the signed message is not the content's hash";
    /* name+hash+base64(0x01 || key): the base64 may itself hold "+" */
    const vk = b64bytes(s.vkey.split("+").slice(2).join("+"));
    if (vk.length !== 33 || vk[0] !== 1) return "the verifier key is not an Ed25519 key";
    let key;
    try {
      key = await crypto.subtle.importKey("raw", vk.slice(1), { name: "Ed25519" }, false, ["verify"]);
    } catch (e) {
      return "this browser cannot check Ed25519 (" + e.message + "): use openssl, docs/audit.md §5";
    }
    const ok = await crypto.subtle.verify({ name: "Ed25519" }, key, b64bytes(s.signature),
                                          new TextEncoder().encode(msg));
    return ok ? null : "the signature does not verify";
  }

  function term(dl, label, value) {
    if (value === undefined || value === null || value === "") return;
    const dt = document.createElement("dt"), dd = document.createElement("dd");
    dt.textContent = label;
    dd.textContent = value;
    dl.append(dt, dd);
  }

  async function show(id) {
    $("list-section").hidden = true;
    $("announcement").hidden = false;
    const api = GGZYShell.session.api;
    const [a, s] = await Promise.all([api("GET", "/api/v1/public/announcements/" + id),
                                      api("GET", "/api/v1/public/announcements/" + id + "/signature")]);
    if (a.status !== 200) return GGZYShell.error(GGZYPage.refusal(a.status, a.json));
    const v = a.json;
    /* what is shown is what was signed, when the signature holds */
    let signed = null;
    if (s.status === 200) {
      try { signed = JSON.parse(s.json.content); } catch (e) { signed = null; }
    }
    const c = signed || v;
    document.title = (c.title || v.title) + " · 公共资源交易平台";
    $("a-title").textContent = c.title || v.title;
    $("a-meta").textContent = (TYPES[v.type] || v.type) + " · " + (v.project_code || "") + " · " +
      "发布 published " + beijing(Date.parse(v.published_at) * 1000) + " (UTC+8)";
    const dl = $("a-terms");
    dl.textContent = "";
    term(dl, "文件获取 Documents from", v.docs_from_us ? beijing(v.docs_from_us) : null);
    term(dl, "文件获取截止 Documents until", v.docs_until_us ? beijing(v.docs_until_us) : null);
    term(dl, "投标截止 Bid deadline", v.bid_deadline_us ? beijing(v.bid_deadline_us) : null);
    term(dl, "开标时间 Opening", v.opening_us ? beijing(v.opening_us) : null);
    term(dl, "开标地点 Opening place", v.opening_place);
    term(dl, "公示期 Publicity", v.publicity_from_us ? beijing(v.publicity_from_us) + " — " + beijing(v.publicity_until_us) : null);
    for (const d of v.deposits || [])
      term(dl, "标段 " + d.lot + " 投标保证金 deposit (元)", GGZYPage.yuan(d.deposit_fen));
    /* the result a candidates' publicity or an award announcement carries, as it was signed */
    const rows = [];
    for (const l of c.candidates || [])
      for (const x of l.candidates || []) rows.push([l.lot, x]);
    for (const x of c.awards || []) rows.push([x.lot, x]);
    $("a-result").hidden = !rows.length;
    $("a-result-caption").textContent = c.awards ? "中标结果 The award" : "中标候选人 The candidates (公示 publicity)";
    const rb = $("a-result").tBodies[0];
    rb.textContent = "";
    for (const [lot, x] of rows) {
      const tr = document.createElement("tr");
      for (const t of [String(lot), String(x.rank), x.name || String(x.org_id), GGZYPage.yuan(x.price_fen)]) {
        const td = document.createElement("td");
        td.textContent = t;
        tr.appendChild(td);
      }
      rb.appendChild(tr);
    }
    $("a-body").textContent = c.body || v.body || "";
    const ol = $("a-versions");
    ol.textContent = "";
    for (const x of v.versions || []) {
      const li = document.createElement("li"), link = document.createElement("a");
      link.href = "/?id=" + encodeURIComponent(x.id);
      link.textContent = (TYPES[x.type] || x.type) + " · " + x.title + " · " + beijing(Date.parse(x.published_at) * 1000);
      if (x.id === v.id) link.setAttribute("aria-current", "page");
      li.appendChild(link);
      ol.appendChild(li);
    }
    const links = $("a-links");
    links.textContent = "";
    for (const [href, label] of [
      ["/api/v1/public/projects/" + v.project_id + "/ocds/releases", "OCDS release package (JSON)"],
      ["/api/v1/public/projects/" + v.project_id + "/ocds/record", "OCDS record (JSON)"],
      ["/api/v1/public/announcements/" + v.id + "/signature", "签名 The signature (JSON)"],
      ["/api/v1/public/feed.atom", "Atom feed"]]) {
      const li = document.createElement("li"), link = document.createElement("a");
      link.href = href;
      link.textContent = label;
      li.appendChild(link);
      links.appendChild(li);
    }
    if (s.status !== 200) {
      $("sig").textContent = GGZYPage.refusal(s.status, s.json);
      $("sig").dataset.state = "bad";
      return;
    }
    $("a-vkey").textContent = s.json.vkey;
    $("a-content").textContent = s.json.content;
    const why = await checkSignature(s.json);
    $("sig").textContent = why ? "✗ 签名无效 " + why : "✓ 签名有效 verified: the content shown is what the platform signed (SHA-256 " + s.json.content_sha256.slice(0, 16) + "…)";
    $("sig").dataset.state = why ? "bad" : "ok";
  }

  $("filters").addEventListener("submit", (ev) => {
    ev.preventDefault();
    cursor = null;
    load(false);
  });
  $("more").addEventListener("click", () => load(true));
  const id = new URLSearchParams(location.search).get("id");
  if (id && /^\d{1,15}$/.test(id)) show(id);
  else load(false);
})();
