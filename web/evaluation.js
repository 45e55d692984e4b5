/*
 * evaluation.js — the evaluation page (evaluation.html), in the page shell: the sessions the
 * caller may see; a session's live board (the committee's progress, the bids, the indicators,
 * the live record pushed by the server's event stream — read with fetch, since EventSource
 * cannot send the Authorization header); a member's console (the act of the current step, signed
 * in the page with the member's key file, which never leaves it, and the acts outside the steps:
 * a clarification asked and the chair's finding, more time, rejecting every bid, the chair's
 * send-back, a correction after summing); a supervisor's pause and
 * resume; the agency's "open the session"; the tenderer's designation of its representative on
 * the committee; the signed report. Everything from the server is set
 * with textContent; money in 元 with separators, times in Beijing time.
 */
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  GGZYShell.mount({ title: "评标", subtitle: "Evaluation — the committee's session, watched live" });
  const S = GGZYShell.session, api = S.api;
  const STEPS = { pledge: "承诺与回避声明", chair: "推选组长", qualification: "资格评审",
                  preliminary: "初步评审", detailed: "详细评审", report: "评标报告签署", done: "已完成" };
  const STATES = { open: "进行中 open", paused: "已暂停 paused", reported: "报告已签署 reported" };
  const GROUNDS = [["51-3", "不符合资格条件（第五十一条第三项）"], ["51-5", "报价低于成本或高于最高限价（第五项）"],
                   ["51-6", "未响应实质性要求（第六项）"], ["51-1", "未盖章签字（第一项）"],
                   ["51-2", "联合体无共同投标协议（第二项）"], ["51-4", "提交两个以上不同的投标文件或报价（第四项）"],
                   ["51-7", "串通、弄虚作假、行贿（第七项）"], ["substantive", "不满足招标文件实质性要求（★）"]];
  let me = null, cur = null, streamAbort = null, consoleKey = "";

  const el = GGZYPage.el, say = GGZYPage.say;
  const when = (us) => (typeof us === "number" ? GGZYPage.beijing(us).slice(0, 19) : "—");

  /* a signed act of the signed-in person, with the key file chosen on the page */
  const signed = (domain, fields) => GGZYSeal.signedBody($("key"), me, domain, fields);

  /* ---- the list ---- */

  async function loadList() {
    const r = await api("GET", "/api/v1/evaluations");
    const body = $("list").tBodies[0];
    body.textContent = "";
    if (r.status !== 200) return say("list-status", GGZYPage.refusal(r.status, r.json), "refused");
    for (const s of r.json.items) {
      const tr = el("tr", undefined, { "data-id": s.id });
      const b = el("button", "查看 View", { type: "button" });
      b.addEventListener("click", () => show(s.id));
      const td = el("td");
      td.append(b);
      tr.append(el("td", String(s.id)), el("td", String(s.project_id)), el("td", String(s.lot)),
                el("td", STEPS[s.step] || s.step), el("td", STATES[s.state] || s.state), td);
      body.append(tr);
    }
    say("list-status", r.json.items.length ? "" : "没有可查看的评标 no session for you", "loaded");
  }

  $("open-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const r = await api("POST", "/api/v1/evaluations", { booking_id: Number($("open-booking").value),
                                                         lot: Number($("open-lot").value) });
    if (r.status !== 201) return say("list-status", GGZYPage.refusal(r.status, r.json), "refused");
    say("list-status", "评标已开始 the session is open (#" + r.json.id + ")", "done");
    await loadList();
    show(r.json.id);
  });

  /* ---- one session ---- */

  function renderBoard(s) {
    $("board").hidden = false;
    $("b-title").textContent = "评标 #" + s.id + " · 项目 " + s.project_id + " 第 " + s.lot + " 标段";
    say("b-state", "当前环节 Step: " + (STEPS[s.step] || s.step) + " · " + (STATES[s.state] || s.state) +
        (s.chair ? " · 组长 chair: " + s.chair : "") + " · 第 " + s.chair_round + " 轮推选", s.state);
    const mb = $("members").tBodies[0];
    mb.textContent = "";
    for (const m of s.members) {
      const done = m.acts.map((a) => (STEPS[a.kind] || a.kind) + " " + when(a.signed_us).slice(11)).join("；");
      const tr = el("tr", undefined, { "data-member": m.pseudonym });
      tr.append(el("td", m.pseudonym), el("td", m.sitting ? "在席" : "已离席"), el("td", done || "—"));
      mb.append(tr);
    }
    const bb = $("bids").tBodies[0];
    bb.textContent = "";
    for (const b of s.bids) {
      const tr = el("tr", undefined, { "data-bid": b.bid_id });
      tr.append(el("td", String(b.bid_id)), el("td", String(b.org_id)), el("td", GGZYPage.yuan(b.price_fen)),
                el("td", b.valid === undefined ? "—" : b.valid ? "有效 valid" : "否决 rejected (" + (STEPS[b.rejected_at] || b.rejected_at) + ")"));
      bb.append(tr);
    }
    const ind = $("indicators");
    ind.textContent = "";
    for (const i of s.indicators || []) ind.append(el("li", i.code + "：" + i.subject + "（" + i.evidence + "）"));
    if (!(s.indicators || []).length) ind.append(el("li", s.indicators ? "无 none" : "仅委员会与监督人员可见 committee and supervisors only"));
    $("pause-form").hidden = !(me && me.role === "supervisor") || s.state === "reported";
    /* the chair's send-back awaits a supervisor's decision */
    $("back-form").hidden = !(me && me.role === "supervisor" && s.send_back);
    if (s.send_back)
      $("back-ask").textContent = "组长申请退回至「" + (STEPS[s.send_back.to] || s.send_back.to) + "」，理由：" + s.send_back.reason;
    const rep = s.report || s.draft_report;
    $("report").hidden = !rep;
    if (rep) {
      const rb = $("ranking").tBodies[0];
      rb.textContent = "";
      for (const x of rep.ranking) {
        const tr = el("tr");
        tr.append(el("td", String(x.rank) + (x.tied ? "（并列 tied）" : "")), el("td", String(x.bid_id)),
                  el("td", String(x.org_id)), el("td", GGZYPage.yuan(x.price_fen)), el("td", x.price_score || "—"),
                  el("td", x.subjective || "—"), el("td", x.total || "—"));
        rb.append(tr);
      }
      $("candidates").textContent = "中标候选人 Candidates: " + rep.candidates.join("、") + (s.report ? "" : "（草稿 draft，待全体签署）");
      $("corrections").textContent = "";
      for (const c of rep.corrections || [])
        $("corrections").append(el("li", "评分修改（财政部令第87号 第六十四条）：" + c.member + " 对投标 " + c.bid_id + " 的 " + c.criterion +
                                         " 由 " + c.from + " 改为 " + c.to + "（" + (c.reason === "extreme" ? "评分畸高、畸低" : "客观评审因素评分不一致") + "）：" + c.note));
      $("signatures").textContent = "";
      for (const g of rep.signatures || [])
        $("signatures").append(el("li", g.member + "：" + (g.agree ? "同意" : "不同意：" + g.dissent) + (g.counted_as_agreement ? "（未说明理由，视为同意）" : "")));
    }
    renderConsole(s);
  }

  function criterionInputs(s, b) {
    const box = el("span");
    for (const c of s.method.criteria || []) {
      const l = el("label", c.name + "（≤" + (c.max_points / 100) + "）");
      l.append(el("input", undefined, { "data-bid": b.bid_id, "data-crit": c.code, inputmode: "decimal", required: "", size: "5" }));
      box.append(l, " ");
    }
    return box;
  }

  function renderConsole(s) {
    const mine = s.my_pseudonym;
    $("console").hidden = !mine || s.state !== "open";
    if ($("console").hidden) return;
    renderSide(s);
    $("c-me").textContent = "（" + mine + "，" + (STEPS[s.step] || s.step) + "）";
    const f = $("act-fields");
    const did = s.members.find((m) => m.pseudonym === mine).acts.some((a) => a.kind === s.step && (s.step !== "chair" || a.round === s.chair_round));
    /* rebuilt only when the step, the round or the member's part changes: a live refresh
     * never wipes the scores being typed */
    const key = s.id + "|" + s.step + "|" + s.chair_round + "|" + did + "|" + s.members.filter((m) => m.sitting).length;
    if (key === consoleKey) return;
    consoleKey = key;
    f.textContent = "";
    if (did) {
      f.append(el("p", "您已提交本环节，等待其他成员。You have given this step; the others are still at it."));
      $("act").disabled = true;
      return;
    }
    $("act").disabled = false;
    if (s.step === "pledge") {
      const l = el("label", "本人与投标人存在利害关系，申请回避 I have a conflict of interest ");
      l.append(el("input", undefined, { type: "checkbox", id: "conflict" }));
      f.append(el("p", "本人承诺客观、公正地履行职责，遵守职业道德，对评审意见承担个人责任。"), l);
    } else if (s.step === "chair") {
      const l = el("label", "推选组长 Chair ");
      const sel = el("select", undefined, { id: "chair" });
      for (const m of s.members.filter((m) => m.sitting)) sel.append(el("option", m.pseudonym, { value: m.pseudonym }));
      l.append(sel);
      f.append(l);
    } else if (s.step === "qualification" || s.step === "preliminary") {
      for (const b of s.bids.filter((b) => b.valid !== false)) {
        const row = el("fieldset", undefined, { "data-bid": b.bid_id });
        row.append(el("legend", "投标 " + b.bid_id + "（" + GGZYPage.yuan(b.price_fen) + " 元）"));
        const pass = el("select", undefined, { "data-pass": b.bid_id });
        pass.append(el("option", "通过 pass", { value: "1" }), el("option", "不通过 fail", { value: "0" }));
        const g = el("select", undefined, { "data-ground": b.bid_id });
        for (const [v, t] of GROUNDS) g.append(el("option", t, { value: v }));
        row.append(pass, " ", g, " ", el("input", undefined, { "data-reason": b.bid_id, placeholder: "否决理由 reasons" }));
        f.append(row);
      }
    } else if (s.step === "detailed") {
      for (const b of s.bids.filter((b) => b.valid !== false)) {
        const row = el("fieldset");
        row.append(el("legend", "投标 " + b.bid_id), criterionInputs(s, b));
        f.append(row);
      }
    } else if (s.step === "report") {
      const l = el("label", "同意评标报告 I agree with the report ");
      l.append(el("input", undefined, { type: "checkbox", id: "agree", checked: "" }));
      f.append(l, " ", el("input", undefined, { id: "dissent", placeholder: "不同意的理由 reasons of dissent" }));
    }
  }

  /* ---- the acts outside the steps, as the step and the member's office allow them ---- */
  const SIDE = {
    clarify: "要求投标人澄清 Ask a bidder to clarify（实施条例 第五十二条）",
    finding: "组长：记录对澄清的认定 The chair's finding on an answer",
    more_time: "评标时间不够，申请延长 More time（第四十八条）",
    reject_all: "有效投标不足，否决全部投标 Reject every bid（暂行规定 第二十七条）",
    send_back: "组长：申请退回重评 Send a step back（监督人员审核）",
    correct: "汇总后修改本人评分 Correct my score（财政部令第87号 第六十四条）",
  };
  const REVIEWS = ["qualification", "preliminary", "detailed"];

  function sideKinds(s) {
    const chair = s.chair && s.chair === s.my_pseudonym, k = [];
    if (REVIEWS.includes(s.step)) {
      k.push("clarify", "more_time", "reject_all");
      if (chair && (s.clarifications || []).some((c) => c.answer !== null && c.substantive === undefined)) k.push("finding");
    }
    if (chair && (REVIEWS.includes(s.step) || s.step === "report")) k.push("send_back");
    if (s.step === "report" && (s.method.criteria || []).length &&
        !s.members.some((m) => m.acts.some((a) => a.kind === "report"))) k.push("correct");
    return k;
  }

  function field(label, input) {
    const l = el("label", label + " ");
    l.append(input);
    return el("p").appendChild(l).parentNode;
  }
  function bidSelect(s, attr) {
    const sel = el("select", undefined, { id: attr });
    for (const b of s.bids.filter((b) => b.valid !== false)) sel.append(el("option", "投标 " + b.bid_id, { value: b.bid_id }));
    return sel;
  }

  function renderSideFields(s) {
    const f = $("side-fields"), kind = $("side-kind").value;
    f.textContent = "";
    if (kind === "clarify") {
      f.append(field("投标 Bid", bidSelect(s, "s-bid")),
               field("问题 Question", el("textarea", undefined, { id: "s-question", rows: "2", maxlength: "600", required: "" })),
               field("答复时限（小时）Hours to answer", el("input", undefined, { id: "s-hours", inputmode: "numeric", value: "24", size: "3" })));
    } else if (kind === "finding") {
      const sel = el("select", undefined, { id: "s-clar" });
      for (const c of (s.clarifications || []).filter((c) => c.answer !== null && c.substantive === undefined))
        sel.append(el("option", "#" + c.id + " " + c.answer.slice(0, 30), { value: c.id }));
      f.append(field("澄清 Clarification", sel),
               field("改变了实质性内容 It changes the bid's substance", el("input", undefined, { type: "checkbox", id: "s-subst" })),
               field("认定意见 Note", el("input", undefined, { id: "s-note", required: "" })));
    } else if (kind === "send_back") {
      const sel = el("select", undefined, { id: "s-to" });
      for (const st of REVIEWS) sel.append(el("option", STEPS[st], { value: st }));
      f.append(field("退回至 Back to", sel), field("理由 Reason", el("input", undefined, { id: "s-reason", required: "" })));
    } else if (kind === "correct") {
      const crit = el("select", undefined, { id: "s-crit" });
      for (const c of s.method.criteria) crit.append(el("option", c.name + (c.objective ? "（客观）" : ""), { value: c.code }));
      const why = el("select", undefined, { id: "s-why" });
      why.append(el("option", "客观评审因素评分不一致（三）objective factor scored unlike", { value: "objective_mismatch" }),
                 el("option", "评分畸高、畸低（四）abnormally high or low", { value: "extreme" }));
      f.append(field("投标 Bid", bidSelect(s, "s-bid")), field("评审因素 Criterion", crit),
               field("改为 New score", el("input", undefined, { id: "s-points", inputmode: "decimal", size: "5", required: "" })),
               field("依据 Reason", why), field("说明 Note", el("input", undefined, { id: "s-note", required: "" })));
    } else if (kind) {
      f.append(field("理由 Reason", el("input", undefined, { id: "s-reason", required: "" })));
    }
  }

  let sideKey = "";
  function renderSide(s) {
    const kinds = s.my_pseudonym && s.state === "open" ? sideKinds(s) : [];
    $("side-form").hidden = !kinds.length;
    /* the live record refreshes the board often: what a member is typing stays */
    const key = s.id + "|" + kinds.join() + "|" + s.bids.filter((b) => b.valid !== false).map((b) => b.bid_id).join();
    if (key === sideKey) return;
    sideKey = key;
    const sel = $("side-kind"), was = sel.value;
    sel.textContent = "";
    for (const k of kinds) sel.append(el("option", SIDE[k], { value: k }));
    if (kinds.includes(was)) sel.value = was;
    renderSideFields(s);
  }
  $("side-kind").addEventListener("change", () => cur && renderSideFields(cur));

  async function sidePayload(kind) {
    if (kind === "clarify") {
      const now = (await api("GET", "/healthz")).json.now_us;
      return { bid_id: Number($("s-bid").value), question: $("s-question").value.trim(),
               answer_by_us: now + Math.min(72, Math.max(1, Number($("s-hours").value) || 24)) * 3600 * 1000000 };
    }
    if (kind === "finding") return { clarification_id: Number($("s-clar").value), substantive: $("s-subst").checked, note: $("s-note").value.trim() };
    if (kind === "send_back") return { to: $("s-to").value, reason: $("s-reason").value.trim() };
    if (kind === "correct")
      return { bid_id: Number($("s-bid").value), criterion: $("s-crit").value, points: $("s-points").value.trim(),
               reason: $("s-why").value, note: $("s-note").value.trim() };
    return { reason: $("s-reason").value.trim() };
  }

  $("side-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    if (!cur) return;
    say("side-status", "签名中 signing…", "busy");
    try {
      const kind = $("side-kind").value, payload = await sidePayload(kind);
      const body = await signed("ggzy-evaluation-act-v1", { evaluation_id: cur.id, kind, payload });
      const r = await api("POST", "/api/v1/evaluations/" + cur.id + "/acts", Object.assign({ kind, payload }, body));
      if (r.status !== 201) return say("side-status", GGZYPage.refusal(r.status, r.json), "refused");
      say("side-status", "已提交 given: " + SIDE[kind], "done");
      cur = r.json;
      renderBoard(cur);
    } catch (e) {
      say("side-status", e.message, "refused");
    }
  });

  function payloadFor(s) {
    if (s.step === "pledge") return { conflict: $("conflict").checked };
    if (s.step === "chair") return { chair: $("chair").value };
    if (s.step === "qualification" || s.step === "preliminary") {
      return { bids: s.bids.filter((b) => b.valid !== false).map((b) => {
        const pass = document.querySelector("[data-pass='" + b.bid_id + "']").value === "1";
        const o = { bid_id: b.bid_id, pass };
        if (!pass) {
          o.ground = document.querySelector("[data-ground='" + b.bid_id + "']").value;
          o.reason = document.querySelector("[data-reason='" + b.bid_id + "']").value;
        }
        return o;
      }) };
    }
    if (s.step === "detailed") {
      return { scores: s.bids.filter((b) => b.valid !== false).map((b) => {
        const points = {};
        for (const c of s.method.criteria) points[c.code] = document.querySelector("[data-bid='" + b.bid_id + "'][data-crit='" + c.code + "']").value.trim();
        return { bid_id: b.bid_id, points };
      }) };
    }
    const agree = $("agree").checked, why = $("dissent").value.trim();
    return agree || !why ? { agree } : { agree, reason: why };
  }

  $("act-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    if (!cur) return;
    say("act-status", "签名中 signing…", "busy");
    try {
      const payload = payloadFor(cur);
      const kind = cur.step;
      const body = await signed("ggzy-evaluation-act-v1", { evaluation_id: cur.id, kind, payload });
      const r = await api("POST", "/api/v1/evaluations/" + cur.id + "/acts", Object.assign({ kind, payload }, body));
      if (r.status !== 201) return say("act-status", GGZYPage.refusal(r.status, r.json), "refused");
      say("act-status", "已提交 given: " + (STEPS[kind] || kind), "done");
      cur = r.json;
      renderBoard(cur);
    } catch (e) {
      say("act-status", e.message, "refused");
    }
  });

  async function pauseOrResume(pause) {
    const r = await api("POST", "/api/v1/evaluations/" + cur.id + (pause ? "/pause" : "/resume"), { reason: $("pause-reason").value });
    if (r.status !== 200) return say("b-state", GGZYPage.refusal(r.status, r.json), "refused");
    cur = r.json;
    renderBoard(cur);
  }
  $("pause-form").addEventListener("submit", (ev) => { ev.preventDefault(); pauseOrResume(true); });
  for (const [id, approve] of [["back-approve", true], ["back-refuse", false]]) {
    $(id).addEventListener("click", async () => {
      const r = await api("POST", "/api/v1/evaluations/" + cur.id + "/send-back", { approve, reason: $("back-reason").value });
      if (r.status !== 200) return say("b-state", GGZYPage.refusal(r.status, r.json), "refused");
      cur = r.json;
      renderBoard(cur);
    });
  }
  $("resume").addEventListener("click", () => pauseOrResume(false));

  /* ---- the live record: text/event-stream over fetch ---- */

  function liveLine(ev, data) {
    const t = when(data.at_us).slice(11);
    const what = ev === "progress" ? data.member + " " + (STEPS[data.kind] || (SIDE[data.kind] || data.kind).split(" ")[0]) + (data.recused ? "（回避）" : "") + (data.joined ? "（补入）" : "")
      : ev === "state" ? (data.event === "step" ? "进入 " + (STEPS[data.step] || data.step) : data.event === "paused" ? "暂停：" + data.reason
        : data.event === "resumed" ? "恢复：" + data.reason : data.event === "reported" ? "评标报告已签署" : data.event)
      : ev === "indicator" ? "预警 " + data.code + "：" + data.subject
      : "澄清 #" + data.id + " " + data.event;
    $("live").append(el("li", t + " " + what, { "data-event": ev }));
  }

  async function watch(id) {
    if (streamAbort) streamAbort.abort();
    streamAbort = new AbortController();
    $("live").textContent = "";
    let r;
    try {
      r = await fetch("/api/v1/evaluations/" + id + "/stream", { headers: { Authorization: "Bearer " + S.token, Accept: "text/event-stream" },
                                                               signal: streamAbort.signal, cache: "no-store", credentials: "omit" });
    } catch (e) { return; }
    if (r.status !== 200 || !r.body) return;
    const rd = r.body.getReader(), dec = new TextDecoder();
    let buf = "", refresh = null;
    for (;;) {
      let chunk;
      try { chunk = await rd.read(); } catch (e) { return; }
      if (chunk.done) return;
      buf += dec.decode(chunk.value, { stream: true });
      let i;
      while ((i = buf.indexOf("\n\n")) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        let ev = "message", data = null;
        for (const line of block.split("\n")) {
          if (line.startsWith("event: ")) ev = line.slice(7);
          else if (line.startsWith("data: ")) data = JSON.parse(line.slice(6));
        }
        if (!data) continue;
        liveLine(ev, data);
        clearTimeout(refresh); /* the board follows the record */
        refresh = setTimeout(async () => {
          const s = await api("GET", "/api/v1/evaluations/" + id);
          if (s.status === 200) { cur = s.json; renderBoard(cur); }
        }, 150);
      }
    }
  }

  async function show(id) {
    const r = await api("GET", "/api/v1/evaluations/" + id);
    if (r.status !== 200) return say("list-status", GGZYPage.refusal(r.status, r.json), "refused");
    cur = r.json;
    renderBoard(cur);
    watch(id);
  }

  /* the tenderer designates its representative on the committee, signed */
  $("rep-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    say("rep-status", "签名中 signing…", "busy");
    try {
      const booking_id = Number($("rep-booking").value), user_id = Number($("rep-user").value);
      const body = await signed("ggzy-evaluation-representative-v1", { booking_id, representative_user_id: user_id });
      const r = await api("POST", "/api/v1/evaluations/representatives", Object.assign({ booking_id, user_id }, body));
      if (r.status !== 201) return say("rep-status", GGZYPage.refusal(r.status, r.json), "refused");
      say("rep-status", "已指定 designated: " + r.json.pseudonym + "（请其到评标室签到 they sign in in the room）", "done");
    } catch (e) {
      say("rep-status", e.message, "refused");
    }
  });

  /* the tenderer's representative signs in in the room (an expert does from the draws page) */
  $("signin-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    say("signin-status", "签名中 signing…", "busy");
    try {
      const booking_id = Number($("signin-booking").value);
      const body = await signed("ggzy-attendance-v1", { booking_id, mode: "in_room" });
      const r = await api("POST", "/api/v1/venues/bookings/" + booking_id + "/attendance", Object.assign({ mode: "in_room" }, body));
      if (r.status !== 201) return say("signin-status", GGZYPage.refusal(r.status, r.json), "refused");
      say("signin-status", "已签到 signed in: " + GGZYPage.beijing(r.json.signed_us).slice(0, 19) + "（北京时间）", "done");
    } catch (e) {
      say("signin-status", e.message, "refused");
    }
  });

  GGZYShell.onSignIn(async (m) => {
    me = m;
    $("signin-form").hidden = me.role !== "tenderer";
    $("open-form").hidden = me.role !== "agent";
    $("rep-form").hidden = me.role !== "tenderer";
    await loadList();
    const q = new URLSearchParams(location.search).get("id");
    if (q) show(Number(q));
  });
})();
