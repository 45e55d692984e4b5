/*
 * award.js — the award page (award.html), in the page shell. The tenderer picks the winner of
 * each evaluated lot among its candidates once the publicity ended (the first, unless a reason of
 * 实施条例 第五十五条), offers each contract at the winning price with its text's SHA-256 computed
 * here, and files the written report that closes the project; the winning bidder signs its
 * contract; a bidder answers the committee's clarifications and objects to a lot's result (异议)
 * during the publicity, which the tenderer or its agency answers. Every act is signed in the page
 * with the caller's key file (never sent); everything from the server is set with textContent.
 */
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  GGZYShell.mount({ title: "定标与合同", subtitle: "Award, contract and the written report" });
  const S = GGZYShell.session, api = S.api;
  const REASONS = [["", "第一中标候选人 the first candidate"], ["gave_up", "第一名放弃中标 gave up"],
                   ["no_contract", "未签订或未履行合同 did not sign or perform"],
                   ["no_bond", "未提交履约保证金 no performance bond"], ["violation", "违法行为影响中标 a violation"]];
  const PSTATES = { evaluating: "评标中", candidates_published: "候选人公示", awarded: "已定标",
                    contracted: "已签合同", closed: "已结束" };
  let me = null, award = null;

  const el = GGZYPage.el;
  const say = (text, state) => GGZYPage.say("status", text, state);
  const hex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

  /* a signed act of the signed-in person, with the key file chosen on the page */
  const signed = (domain, fields) => GGZYSeal.signedBody($("key"), me, domain, fields);
  async function fileSha256(input) {
    const f = input.files[0];
    if (!f) throw new Error("选择文件 choose the file");
    return hex(new Uint8Array(await crypto.subtle.digest("SHA-256", await f.arrayBuffer())));
  }
  async function run(fn) {
    say("签名中 signing…", "busy");
    try {
      const r = await fn();
      if (r.status >= 300) return say(GGZYPage.refusal(r.status, r.json), "refused");
      say("已完成 done", "done");
      if (award) await load();
    } catch (e) {
      say(e.message, "refused");
    }
  }

  async function load() {
    const pid = Number($("project").value);
    await loadObjections(pid);
    await loadValidity(pid);
    const r = await api("GET", "/api/v1/projects/" + pid + "/award");
    if (r.status !== 200) {
      $("lots").hidden = true;
      /* a bidder that did not win sees no award, only its objections */
      if (me.role === "bidder" && !$("objections-section").hidden) return say("", "idle");
      return say(GGZYPage.refusal(r.status, r.json), "refused");
    }
    award = r.json;
    $("lots").hidden = false;
    $("p-state").textContent = "（项目状态 " + (PSTATES[award.project_state] || award.project_state) +
      (award.publicity_until_us ? "，公示至 " + GGZYPage.beijing(award.publicity_until_us).slice(0, 16) : "") + "）";
    const list = $("lot-list");
    list.textContent = "";
    const tenderer = me.role === "tenderer";
    let undecided = 0;
    for (const l of award.lots) {
      const box = el("fieldset", undefined, { "data-lot": l.lot });
      box.append(el("legend", "第 " + l.lot + " 标段 Lot " + l.lot));
      if (l.winner) {
        box.append(el("p", "中标人 Winner: " + (l.winner.name || ("#" + l.winner.org_id)) + " · 投标 " + l.winner.bid_id +
                            " · " + GGZYPage.yuan(l.winner.price_fen) + " 元"));
      } else if (l.candidates && tenderer) {
        undecided++;
        for (const c of l.candidates) {
          const lab = el("label", "第 " + c.rank + " 名：" + (c.name || "#" + c.org_id) + "，投标 " + c.bid_id + "（" + GGZYPage.yuan(c.price_fen) + " 元） ");
          const radio = el("input", undefined, { type: "radio", name: "lot-" + l.lot, value: c.bid_id, "data-rank": c.rank });
          if (c.rank === 1) radio.checked = true;
          lab.prepend(radio);
          box.append(lab, el("br"));
        }
        const sel = el("select", undefined, { "data-reason": l.lot });
        for (const [v, t] of REASONS) sel.append(el("option", t, { value: v }));
        box.append(el("label", "理由（非第一名时）Reason "), sel);
      } else box.append(el("p", l.reported ? "候选人公示后定标 after the publicity" : "评标报告尚未签署 no signed report yet"));
      list.append(box);
    }
    /* never offer what the server refuses now: the decision after the publicity, and not while
     * an objection awaits its answer (实施条例 第五十四条) */
    const now = (await api("GET", "/healthz")).json.now_us;
    const waiting = document.querySelectorAll("[data-objection-pending]").length;
    const can = tenderer && undecided && award.project_state === "candidates_published";
    const open = can && now > (award.publicity_until_us || 0) && !waiting;
    $("decide").hidden = !open;
    $("decide-why").textContent = can && !open ? (waiting ? "有异议待答复，答复后方可定标 an objection awaits its answer"
                                                           : "公示期满后方可定标 the decision comes after the publicity") : "";
    renderContracts();
    $("close-form").hidden = !(tenderer && award.project_state === "contracted");
  }

  function renderContracts() {
    const box = $("contracts");
    box.textContent = "";
    let any = false;
    for (const l of award.lots) {
      if (!l.winner) continue;
      const row = el("div", undefined, { "data-contract-lot": l.lot });
      const k = l.contract;
      row.append(el("p", "第 " + l.lot + " 标段合同：" + (k ? (k.state === "signed" ? "已签署 signed" : "待中标人签署 offered") +
                       "，" + GGZYPage.yuan(k.price_fen) + " 元，文本 SHA-256 " + k.document_sha256.slice(0, 16) + "…" : "未订立 none yet")));
      if (me.role === "tenderer" && !k && award.project_state === "awarded") {
        const f = el("input", undefined, { type: "file", "data-doc": l.lot });
        const b = el("button", "签署并发出合同 Sign and offer", { type: "button", "data-offer": l.lot });
        b.addEventListener("click", () => run(async () => {
          const doc = await fileSha256(f);
          const fields = { document_sha256: doc, lot: l.lot, price_fen: l.winner.price_fen, project_id: award.project_id };
          const s = await signed("ggzy-contract-v1", fields);
          return api("POST", "/api/v1/projects/" + award.project_id + "/lots/" + l.lot + "/contract",
                     Object.assign({ document_sha256: doc, price_fen: l.winner.price_fen }, s));
        }));
        row.append(el("label", "合同文本 The contract's text "), f, b);
      }
      if (me.role === "bidder" && k && k.state === "offered") {
        const f = el("input", undefined, { type: "file", "data-doc": l.lot });
        const b = el("button", "核对文本并签署 Check the text and sign", { type: "button", "data-sign": l.lot });
        b.addEventListener("click", () => run(async () => {
          const doc = await fileSha256(f);
          if (doc !== k.document_sha256) throw new Error("文本与招标人签署的不一致 not the text the tenderer signed");
          const fields = { document_sha256: doc, lot: l.lot, price_fen: k.price_fen, project_id: award.project_id };
          const s = await signed("ggzy-contract-v1", fields);
          return api("POST", "/api/v1/projects/" + award.project_id + "/lots/" + l.lot + "/contract/sign",
                     Object.assign({ document_sha256: doc, price_fen: k.price_fen }, s));
        }));
        row.append(el("label", "合同文本 The contract's text "), f, b);
      }
      box.append(row);
      any = true;
    }
    $("contract-h").hidden = !any;
  }

  $("decide").addEventListener("click", () => run(async () => {
    const lots = [];
    for (const l of award.lots) {
      if (l.winner || !l.candidates) continue;
      const pick = document.querySelector("input[name='lot-" + l.lot + "']:checked");
      const o = { lot: l.lot, bid_id: Number(pick.value) };
      const why = document.querySelector("[data-reason='" + l.lot + "']").value;
      if (why) o.reason = why;
      lots.push(o);
    }
    const s = await signed("ggzy-award-decision-v1", { lots, project_id: award.project_id });
    return api("POST", "/api/v1/projects/" + award.project_id + "/award", Object.assign({ lots }, s));
  }));

  $("close-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    run(async () => {
      const doc = await fileSha256($("report-file"));
      const s = await signed("ggzy-result-report-v1", { project_id: award.project_id, report_sha256: doc });
      return api("POST", "/api/v1/projects/" + award.project_id + "/close", Object.assign({ report_sha256: doc }, s));
    });
  });

  $("pick").addEventListener("submit", (ev) => { ev.preventDefault(); load(); });

  const when = (us) => GGZYPage.beijing(us).slice(0, 16);

  /* The project's objections: the tendering side answers each, a bidder files its own. */
  async function loadObjections(pid) {
    const r = await api("GET", "/api/v1/projects/" + pid + "/objections");
    const box = $("objections");
    box.textContent = "";
    $("objections-section").hidden = r.status !== 200;
    $("objection-form").hidden = !(r.status === 200 && me.role === "bidder");
    if (r.status !== 200) return;
    const answers = me.role === "tenderer" || me.role === "agent";
    for (const o of r.json.items) {
      const row = el("div", undefined, { "data-objection": o.id });
      row.append(el("p", "异议 #" + o.id + "（第 " + o.lot + " 标段，" + when(o.filed_us) + " 提出，答复期限 " +
                         when(o.answer_due_us) + "）：" + o.text));
      if (o.answer !== null) {
        row.append(el("p", (o.upheld ? "答复：异议成立 upheld" : "答复：异议不成立 not upheld") + "（" +
                           when(o.answered_us) + "）：" + o.answer));
      } else if (answers) {
        const t = el("textarea", undefined, { rows: "2", maxlength: "1300", "data-objection-answer": o.id,
                                              "aria-label": "答复 #" + o.id });
        const up = el("input", undefined, { type: "checkbox", "data-upheld": o.id });
        const lab = el("label", " 异议成立 upheld");
        lab.prepend(up);
        const b = el("button", "签名答复 Sign and answer", { type: "button" });
        b.addEventListener("click", () => run(async () => {
          const s = await signed("ggzy-objection-answer-v1", { answer: t.value, objection_id: o.id, upheld: up.checked });
          const r2 = await api("POST", "/api/v1/objections/" + o.id + "/answer",
                               Object.assign({ answer: t.value, upheld: up.checked }, s));
          if (r2.status < 300 && !award) await loadObjections(pid);
          return r2;
        }));
        row.append(t, lab, b);
      } else row.append(el("p", "待答复 awaiting the answer；答复前该标段暂停定标"));
      if (o.answer === null) row.dataset.objectionPending = "1";
      box.append(row);
    }
    if (!r.json.items.length) box.append(el("p", "没有 none"));
  }

  $("objection-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const pid = Number($("project").value), lot = Number($("objection-lot").value), text = $("objection-text").value;
    run(async () => {
      const s = await signed("ggzy-objection-v1", { lot, project_id: pid, text });
      const r2 = await api("POST", "/api/v1/projects/" + pid + "/objections", Object.assign({ lot, text }, s));
      if (r2.status < 300) {
        $("objection-text").value = "";
        if (!award) await loadObjections(pid);
      }
      return r2;
    });
  });

  /* The bid validity's extension: the tenderer asks, each bidder answers (暂行规定 第四十条). */
  async function loadValidity(pid) {
    const r = await api("GET", "/api/v1/projects/" + pid + "/validity");
    $("validity-section").hidden = r.status !== 200;
    if (r.status !== 200) return;
    const box = $("validity");
    box.textContent = "";
    const last = r.json.requests[0];
    for (const q of r.json.requests) {
      box.append(el("p", "请求延长至 " + when(q.until_us) + "（原至 " + when(q.from_us) + "）：" +
                         (q.answers.map((a) => "单位 " + a.org_id + (a.agree ? " 同意" : " 拒绝")).join("；") || "尚无答复")));
    }
    if (!last) box.append(el("p", "没有延长请求 none asked"));
    $("validity-ask").hidden = me.role !== "tenderer";
    $("validity-answer").hidden = !(me.role === "bidder" && last && !last.answers.length);
    $("validity-answer").dataset.until = last ? last.until_us : "";
  }
  $("validity-ask").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const pid = Number($("project").value), until = GGZYPage.fromBeijing($("validity-until").value);
    run(async () => {
      const s = await signed("ggzy-bid-validity-v1", { project_id: pid, until_us: until });
      const r2 = await api("POST", "/api/v1/projects/" + pid + "/validity", Object.assign({ until_us: until }, s));
      if (r2.status < 300) await loadValidity(pid);
      return r2;
    });
  });
  for (const [id, agree] of [["validity-agree", true], ["validity-refuse", false]]) {
    $(id).addEventListener("click", () => {
      const pid = Number($("project").value), until = Number($("validity-answer").dataset.until);
      run(async () => {
        const s = await signed("ggzy-bid-validity-answer-v1", { agree, project_id: pid, until_us: until });
        const r2 = await api("POST", "/api/v1/projects/" + pid + "/validity/answer", Object.assign({ agree }, s));
        if (r2.status < 300) await loadValidity(pid);
        return r2;
      });
    });
  }

  async function loadClarifications() {
    const r = await api("GET", "/api/v1/clarifications");
    const box = $("clarifications");
    box.textContent = "";
    if (r.status !== 200) return;
    $("clarifications-section").hidden = false;
    for (const c of r.json.items) {
      const row = el("div", undefined, { "data-clarification": c.id });
      row.append(el("p", "#" + c.id + "（投标 " + c.bid_id + "，答复期限 " + GGZYPage.beijing(c.answer_by_us).slice(0, 16) + "）：" + c.question));
      if (c.answer === null) {
        const t = el("textarea", undefined, { rows: "2", maxlength: "1000", "data-answer": c.id });
        const b = el("button", "签名答复 Sign and answer", { type: "button" });
        b.addEventListener("click", () => run(async () => {
          const s = await signed("ggzy-clarification-answer-v1", { answer: t.value, clarification_id: c.id });
          const r2 = await api("POST", "/api/v1/clarifications/" + c.id + "/answer", Object.assign({ answer: t.value }, s));
          if (r2.status < 300) await loadClarifications();
          return r2;
        }));
        row.append(t, b);
      } else row.append(el("p", "已答复 answered: " + c.answer));
      box.append(row);
    }
    if (!r.json.items.length) box.append(el("p", "没有 none"));
  }

  GGZYShell.onSignIn(async (m) => {
    me = m;
    if (me.role === "bidder") await loadClarifications();
    const q = new URLSearchParams(location.search).get("project");
    if (q) {
      $("project").value = q;
      await load();
    }
  });
})();
