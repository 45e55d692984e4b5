/*
 * projects.js — the projects page (projects.html), in the page shell: the caller's projects and,
 * for one of them, what its role may do there. An agent registers a project with its lots
 * (项目统一进场), uploads the tender documents (the SHA-256 shown as the server computed it),
 * submits it, makes each lot's opening key with its custodians, drafts each announcement (招标公告 with its times, deposits and evaluation method;
 * 变更; 中标候选人公示; 中标结果; 流标; 终止), previews the draft as stored and publishes it
 * (信息统一发布), and moves an opened project to its evaluation; center staff accept or return a
 * submitted project. A button is offered only in the state where
 * the server takes it; the server decides and its refusal is shown as it is. (A supervisor's
 * suspension and resumption have no button yet.) Everything from the
 * server is set with textContent; money in 元 with separators, times in Beijing time.
 */
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  GGZYShell.mount({ title: "项目与公告", subtitle: "Projects: entry, documents and announcements" });
  const S = GGZYShell.session, api = S.api;
  const STATES = { draft: "草稿", submitted: "待受理", accepted: "已受理", bidding: "招标中", opened: "已开标",
                   evaluating: "评标中", candidates_published: "候选人公示", awarded: "已定标", contracted: "已签合同",
                   closed: "已结束", suspended: "已暂停", terminated: "已终止", failed: "已流标" };
  /* the transitions a role may ask, by state (the server's table decides: lib/project_states.c) */
  const MOVES = {
    agent: { draft: [["submitted", "提交入场 Submit"]], opened: [["evaluating", "进入评标 To the evaluation"]] },
    center_admin: { submitted: [["accepted", "受理 Accept"], ["draft", "退回修改 Return"]] },
  };
  let me = null, cur = null, draft = null;

  const el = GGZYPage.el, say = GGZYPage.say;

  /* ---- the list ---- */

  async function loadList() {
    const r = await api("GET", "/api/v1/projects?limit=200");
    const body = $("projects").tBodies[0];
    body.textContent = "";
    if (r.status !== 200) return say("list-status", GGZYPage.refusal(r.status, r.json), "refused");
    for (const p of r.json.items) {
      const tr = el("tr", undefined, { "data-project": p.id });
      const b = el("button", "打开 Open", { type: "button" });
      b.addEventListener("click", () => show(p.id));
      const td = el("td");
      td.append(b);
      tr.append(el("td", String(p.id)), el("td", p.code || "（受理后赋码）"), el("td", p.name),
                el("td", STATES[p.state] || p.state), td);
      body.append(tr);
    }
    say("list-status", r.json.items.length ? "" : "没有项目 no project yet", "idle");
  }

  /* ---- registration ---- */

  $("create-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const budget = GGZYPage.fen($("p-budget").value);
    const lots = [];
    for (const l of $("p-lots").value.split("\n").map((x) => x.trim()).filter(Boolean)) {
      const m = /^(.*?)\s*[，,]\s*([\d,，.]+)\s*$/.exec(l); /* the name, then the amount */
      const est = m ? GGZYPage.fen(m[2]) : null;
      if (est === null) return say("create-status", "标段写作“名称，估算金额”：" + l, "refused");
      lots.push({ name: m[1], estimate_fen: est });
    }
    if (budget === null) return say("create-status", "预算金额写作元，如 1,000,000.00", "refused");
    const r = await api("POST", "/api/v1/projects", {
      name: $("p-name").value.trim(), category: $("p-category").value, method: $("p-method").value,
      region: $("p-region").value.trim(), tenderer_org_id: Number($("p-tenderer").value),
      budget_fen: budget, funding_source: $("p-funding").value.trim(), legally_required: $("p-required").checked,
      lots });
    if (r.status !== 201) return say("create-status", GGZYPage.refusal(r.status, r.json), "refused");
    say("create-status", "已登记 registered: #" + r.json.id, "done");
    await loadList();
    await show(r.json.id);
  });

  /* ---- one project ---- */

  async function show(id) {
    const r = await api("GET", "/api/v1/projects/" + id);
    if (r.status !== 200) return say("list-status", GGZYPage.refusal(r.status, r.json), "refused");
    cur = r.json;
    const p = cur;
    $("detail").hidden = false;
    $("detail").dataset.project = p.id;
    $("d-title").textContent = "#" + p.id + " " + p.name + "（" + (STATES[p.state] || p.state) + "）";
    $("d-info").textContent = "项目编号 " + (p.code || "—") + " · 预算 " + GGZYPage.yuan(p.budget_fen) + " 元 · " +
      p.lots.map((l) => "第 " + l.seq + " 标段 " + l.name + "（估算 " + GGZYPage.yuan(l.estimate_fen) + " 元）").join("；") +
      (p.return_reason ? " · 退回理由：" + p.return_reason : "");
    const links = $("d-links");
    links.textContent = "";
    for (const [href, label] of [["/bid.html?project=", "投标 Bid"], ["/deposits.html?project=", "保证金 Deposits"],
                                 ["/opening.html?project=", "开标 Opening"], ["/evaluation.html?project=", "评标 Evaluation"],
                                 ["/award.html?project=", "定标 Award"]])
      links.append(el("a", label, { href: href + p.id }), " ");
    const agent = me.role === "agent";
    $("docs-box").hidden = !(agent || me.role === "tenderer" || me.role === "center_admin" || me.role === "supervisor");
    $("doc-form").hidden = !(agent && ["draft", "submitted", "accepted"].includes(p.state));
    const docs = $("docs");
    docs.textContent = "";
    for (const d of p.documents) docs.append(el("li", d.name + "（" + d.size + " 字节，SHA-256 " + d.sha256 + "）"));
    if (!p.documents.length) docs.append(el("li", "没有 none"));
    $("ann-box").hidden = !agent || ["draft", "submitted", "closed", "terminated", "failed"].includes(p.state);
    $("key-box").hidden = !(agent || me.role === "center_admin") || p.state !== "accepted";
    renderMoves();
  }

  function renderMoves() {
    const box = $("moves");
    box.textContent = "";
    const acts = ((MOVES[me.role] || {})[cur.state]) || [];
    for (const [to, label] of acts) {
      const b = el("button", label, { type: "button", "data-to": to });
      b.addEventListener("click", () => move(to));
      box.append(b, " ");
    }
    if (!acts.length) box.append(el("span", "当前状态下您没有可办理的流转 nothing for your role in this state"));
  }

  async function move(to) {
    const body = { to };
    const reason = $("m-reason").value.trim();
    if (reason) body.reason = reason;
    const r = await api("POST", "/api/v1/projects/" + cur.id + "/transitions", body);
    if (r.status !== 200) return say("move-status", GGZYPage.refusal(r.status, r.json), "refused");
    say("move-status", "已办理 done: " + (STATES[r.json.state] || r.json.state), "done");
    await loadList();
    await show(cur.id);
  }

  /* ---- documents: the bytes as chosen, the hash as the server computed it ---- */

  $("doc-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const f = $("doc-file").files[0];
    if (!f) return;
    say("doc-status", "上传中 uploading…", "busy");
    const r = await fetch("/api/v1/projects/" + cur.id + "/documents?name=" + encodeURIComponent(f.name), {
      method: "POST", body: f, cache: "no-store", credentials: "omit",
      headers: { Authorization: "Bearer " + S.token, "Content-Type": f.type || "application/octet-stream" } });
    let j = null;
    try { j = await r.json(); } catch (e) { j = null; }
    if (r.status !== 201) return say("doc-status", GGZYPage.refusal(r.status, j), "refused");
    say("doc-status", "已上传 uploaded: " + j.name + "，SHA-256 " + j.sha256, "done");
    await show(cur.id);
  });

  /* ---- a lot's opening key, split among its custodians ---- */

  $("key-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const custodians = [];
    for (const l of $("k-custodians").value.split("\n").map((x) => x.trim()).filter(Boolean)) {
      const m = /^(\d+)\s*[，,\s]\s*([0-9a-f]{64})$/.exec(l);
      if (!m) return say("key-status", "保管人写作“用户编号，密钥编号（64 位十六进制）”：" + l, "refused");
      custodians.push({ user_id: Number(m[1]), key_id: m[2] });
    }
    const lot = Number($("k-lot").value);
    const r = await api("POST", "/api/v1/projects/" + cur.id + "/lots/" + lot + "/opening-key",
                        { custodians, threshold: Number($("k-threshold").value || 2) });
    if (r.status !== 201) return say("key-status", GGZYPage.refusal(r.status, r.json), "refused");
    say("key-status", "第 " + lot + " 标段开标密钥已生成 made: " + r.json.key_id, "done");
  });

  /* ---- announcements ---- */

  function showFields() {
    const t = $("a-type").value;
    for (const e of document.querySelectorAll("#ann-form [class*='t-']"))
      e.hidden = !e.classList.contains("t-" + t);
    $("f-times").hidden = !["tender", "amendment", "candidates"].includes(t);
  }
  $("a-type").addEventListener("change", showFields);

  function method() {
    const m = { method: $("m-method").value, object: $("m-object").value, decimals: Number($("m-decimals").value) };
    if (m.method === "lowest_price") return m;
    const pts = GGZYPage.fen($("m-price").value);
    if (pts === null) throw new Error("价格分写作分值，如 30");
    m.price_points = pts;
    m.criteria = [];
    for (const l of $("m-criteria").value.split("\n").map((x) => x.trim()).filter(Boolean)) {
      const f = l.split(/[,，]/).map((x) => x.trim());
      const p = GGZYPage.fen(f[2]);
      if (f.length < 3 || p === null) throw new Error("评审因素写作“代码，名称，分值”：" + l);
      const c = { code: f[0], name: f[1], max_points: p };
      if (f[3] === "客观" || f[3] === "objective") c.objective = true;
      m.criteria.push(c);
    }
    return m;
  }

  function annBody() {
    const t = $("a-type").value;
    const b = { type: t, title: $("a-title").value.trim(), body: $("a-body").value };
    const time = (id, key) => {
      if (!$(id).value) return;
      const us = GGZYPage.fromBeijing($(id).value);
      if (us === null) throw new Error("时间格式不对 not a time: " + $(id).value);
      b[key] = us;
    };
    if (t === "tender" || t === "amendment") {
      time("a-docs-from", "docs_from_us");
      time("a-docs-until", "docs_until_us");
      time("a-deadline", "bid_deadline_us");
      time("a-opening", "opening_us");
      if (t === "tender" || $("m-criteria").value.trim()) b.evaluation = method();
    }
    if (t === "tender") {
      b.deposits = [];
      for (const l of $("a-deposits").value.split("\n").map((x) => x.trim()).filter(Boolean)) {
        const m = /^(\d+)\s*[，,]\s*(.+)$/.exec(l); /* the lot, then the amount */
        const lot = m ? Number(m[1]) : 0, fen = m ? GGZYPage.fen(m[2]) : null;
        if (!lot || fen === null) throw new Error("保证金写作“标段，金额”：" + l);
        b.deposits.push({ lot, deposit_fen: fen });
      }
    }
    if (t === "amendment") {
      if ($("a-amends").value) b.amends_id = Number($("a-amends").value);
      b.affects_bids = $("a-affects").checked;
    }
    if (t === "candidates") {
      time("a-pub-from", "publicity_from_us");
      time("a-pub-until", "publicity_until_us");
    }
    return b;
  }

  $("ann-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    try {
      const r = await api("POST", "/api/v1/projects/" + cur.id + "/announcements", annBody());
      if (r.status !== 201) return say("ann-status", GGZYPage.refusal(r.status, r.json), "refused");
      draft = r.json;
      say("ann-status", "草稿已保存 draft saved: #" + draft.id, "done");
      await preview();
    } catch (e) {
      say("ann-status", e.message, "refused");
    }
  });

  /* the draft as stored, in words a reader checks before it goes out */
  async function preview() {
    const r = await api("GET", "/api/v1/announcements/" + draft.id);
    if (r.status !== 200) return say("ann-status", GGZYPage.refusal(r.status, r.json), "refused");
    const a = r.json, out = [];
    out.push(a.title, "", a.body, "");
    for (const [k, label] of [["docs_from_us", "招标文件发售起"], ["docs_until_us", "发售止"], ["bid_deadline_us", "投标截止"],
                              ["opening_us", "开标时间"], ["publicity_from_us", "公示起"], ["publicity_until_us", "公示止"]])
      if (typeof a[k] === "number") out.push(label + "：" + GGZYPage.beijing(a[k]).slice(0, 16) + "（北京时间）");
    for (const d of a.deposits || []) out.push("第 " + d.lot + " 标段投标保证金：" + GGZYPage.yuan(d.deposit_fen) + " 元");
    if (a.evaluation) {
      const m = a.evaluation;
      out.push("评标办法：" + (m.method === "comprehensive" ? "综合评估法" : "经评审的最低投标价法") +
               (m.price_points ? "，价格分 " + GGZYPage.yuan(m.price_points) + " 分" : ""));
      for (const c of m.criteria || [])
        out.push("  " + c.code + " " + c.name + "：" + GGZYPage.yuan(c.max_points) + " 分" + (c.objective ? "（客观）" : ""));
    }
    $("pv-id").textContent = "#" + a.id + "（" + (a.state === "published" ? "已发布" : "草稿") + "）";
    $("pv-text").textContent = out.join("\n");
    $("preview").hidden = false;
    $("publish").hidden = a.state === "published";
  }

  $("publish").addEventListener("click", async () => {
    const r = await api("POST", "/api/v1/announcements/" + draft.id + "/publish");
    if (r.status !== 200) return say("ann-status", GGZYPage.refusal(r.status, r.json), "refused");
    say("ann-status", "已发布 published: #" + draft.id, "done");
    await preview();
    await loadList();
    await show(cur.id);
  });

  GGZYShell.onSignIn(async (m) => {
    me = m;
    $("create-section").hidden = me.role !== "agent";
    showFields();
    await loadList();
    const q = new URLSearchParams(location.search).get("project");
    if (q) await show(Number(q));
  });
})();
