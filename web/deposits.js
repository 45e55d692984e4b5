/*
 * deposits.js — the deposits page (deposits.html), in the page shell, one section per role:
 * a bidder's deposits per lot (its virtual sub-account and where to pay, what arrived by the
 * deadline and what was held and why, the deposit's state, the refund due and by when, what was
 * refunded with its interest); the center's ledger and reconciliation console (every account's
 * balance and whether the ledger balances, the money held, each day's bank statement and its
 * differences, basic accounts to decide, the journal); and the supervisor's view of refunds late
 * or under way, measured against the server's clock. Money is integer fen shown as yuan without
 * floating point; times are Beijing time (UTC+8); everything from the server is set with
 * textContent.
 */
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  GGZYShell.mount({ title: "保证金", subtitle: "Deposits — sub-accounts, the ledger, refunds on time" });
  const S = GGZYShell.session, api = S.api, yuan = GGZYPage.yuan, bj = GGZYPage.beijing;
  const DAY = 86400e6;
  const DEPOSIT = { paid: "已缴 paid", guaranteed: "已担保 guaranteed", partial: "不足 partial",
                    missing: "未缴 missing", none: "无需 none" };
  const SUB = { open: "", refunding: "退还中 refunding", closed: "已结清 closed", forfeited: "不予退还 forfeited" };
  const HOLD = { unknown_account: "无此子账号 unknown account", unmatched: "仅见于对账单 only on the statement",
                 incomplete: "信息不全 incomplete notice", late: "截止后到账 after the deadline",
                 cash: "不收现金 cash not accepted", not_basic_account: "非基本账户 not from the basic account" };
  const CAUSE = { withdrawal: "撤回 withdrawal", no_bid: "未投标 no bid", award: "中标公告 award",
                  contract: "合同签订 contract", termination: "终止 termination",
                  return: "退回暂挂款 held money returned" };
  const REFUND = { instructed: "已出指令 instructed", sent: "已发银行 sent to the bank",
                   paid: "已退 paid", failed: "退款失败 failed" };
  const ACCOUNT = { bank: "中心银行账户 bank", sub: "子账户 sub-accounts", held: "暂挂 held",
                    refunds_payable: "应退 refunds payable", interest_expense: "利息支出 interest",
                    forfeited: "不予退还 forfeited" };
  const ISSUE = { differs: "与通知不符 differs from the notice", unmatched_held: "未通知的到账（已暂挂） never notified (held)",
                  refund_not_notified: "退款未通知 refund never notified",
                  not_in_statement: "对账单无此笔 missing from the statement" };
  let me = null, journalAfter = null;
  const orgNames = new Map();

  const el = GGZYPage.el, say = GGZYPage.say;
  /* a table body's one row saying it is empty */
  function empty(body, text, cols) {
    const tr = el("tr");
    tr.append(el("td", text, { colspan: cols }));
    body.append(tr);
  }
  const cny = (fen) => (fen < 0 ? "-¥" + yuan(-fen) : "¥" + yuan(fen));
  const money = (fen) => el("td", cny(fen), { class: "num" });
  const lines = (texts) => {
    const td = el("td");
    texts.forEach((t, i) => { if (i) td.append(el("br")); td.append(t); });
    return td;
  };
  /* whole days and hours, from µs (no float reaches the screen) */
  function span(us) {
    const h = Math.floor(us / 3600e6), d = Math.floor(h / 24);
    return d ? d + " 天 " + (h % 24) + " 小时" : h + " 小时";
  }
  async function serverNow() {
    const h = await api("GET", "/healthz");
    return h.json && typeof h.json.now_us === "number" ? h.json.now_us : Date.now() * 1000;
  }
  async function orgName(id) {
    if (me && me.role === "bidder") return "";
    if (!orgNames.has(id)) {
      const r = await api("GET", "/api/v1/orgs/" + id);
      orgNames.set(id, r.status === 200 && r.json.name ? r.json.name : "单位 #" + id);
    }
    return orgNames.get(id);
  }
  async function list(path, id) {
    const r = await api("GET", path);
    if (r.status !== 200) {
      say(id, GGZYPage.refusal(r.status, r.json), "refused");
      return null;
    }
    return r.json;
  }

  /* ---- the bidder's deposits ---- */

  /* When a refund is due: its day, "provisional" when counted on a year whose holiday
   * arrangement is not yet published, or that the calendar cannot compute it yet. */
  function dueText(f) {
    if (f.due_us === null) return "到期日暂无法计算 due time not yet computable (calendar)";
    return "应于 " + bj(f.due_us).slice(0, 16) + " 前" +
      (f.due_provisional ? "（暂定日历 provisional calendar）" : "");
  }

  function refundText(f) {
    const parts = "本金 " + yuan(f.principal_fen) + (f.interest_fen ? " + 利息 " + yuan(f.interest_fen) : "") +
      (f.fee_fen ? " + 逾期费 " + yuan(f.fee_fen) : "");
    return "¥" + yuan(f.amount_fen) + " (" + parts + ") · " + (CAUSE[f.cause] || f.cause);
  }

  async function showMine() {
    say("page-status", "载入 loading…", "busy");
    const j = await list("/api/v1/deposits/subaccounts?limit=100", "page-status");
    if (!j) return;
    const body = $("subs").tBodies[0];
    body.textContent = "";
    for (const s of j.items) {
      const tr = el("tr", undefined, { "data-sub": s.id, "data-project": s.project_id, "data-lot": s.lot,
                                       "data-deposit": s.deposit, "data-state": s.state });
      tr.append(lines([(s.project_name || "项目") + " #" + s.project_id]), el("td", String(s.lot)));
      tr.append(lines([s.pay_to.bank_name, s.pay_to.account_name, el("code", s.pay_to.account_no)]));
      tr.append(money(s.required_fen), money(s.credited_by_deadline_fen), money(s.balance_fen));
      const dep = [DEPOSIT[s.deposit] || s.deposit, "截止 deadline " + bj(s.deadline_us).slice(0, 16)];
      if (SUB[s.state]) dep.push(SUB[s.state]);
      for (const g of s.guarantees)
        dep.push("保函 " + g.guarantee_no + " ¥" + yuan(g.amount_fen) + " · " + g.issuer_name);
      tr.append(lines(dep));
      tr.append(lines(s.arrivals.filter((n) => n.kind === "arrival").map((n) =>
        "¥" + yuan(n.amount_fen) + " " + bj(n.value_us).slice(0, 16) + " " +
        (n.outcome === "credited" ? "已入账 credited"
          : (n.outcome === "returned" ? "已退回付款方 returned to the payer: " : "暂挂 held: ") +
            (HOLD[n.hold_reason] || n.hold_reason)))));
      const due = s.refunds.filter((f) => f.state !== "paid"), done = s.refunds.filter((f) => f.state === "paid");
      const dueTd = lines(due.map((f) => refundText(f) + " · " + dueText(f) + " · " +
        (REFUND[f.state] || f.state) + (f.late ? " · 逾期 late" : "")));
      dueTd.classList.add("refund-due");
      const doneTd = lines(done.map((f) => refundText(f) + " · " + bj(f.paid_us).slice(0, 16) +
        (f.late ? " · 逾期退还 paid late" : "")));
      doneTd.classList.add("refunded");
      tr.append(dueTd, doneTd);
      body.append(tr);
    }
    say("page-status", j.items.length ? "共 " + j.items.length + " 个子账号 sub-accounts"
      : "尚无子账号 no sub-account yet: open one for a lot that takes bids", "done");
  }

  $("open-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const p = $("o-project").value.trim(), l = $("o-lot").value.trim();
    if (!/^[1-9]\d*$/.test(p) || !/^[1-9]\d*$/.test(l))
      return say("o-status", "项目与标段为数字 project and lot are numbers", "refused");
    say("o-status", "开立 opening…", "busy");
    const r = await api("POST", "/api/v1/projects/" + p + "/lots/" + l + "/deposit");
    if (r.status !== 201 && r.status !== 200) return say("o-status", GGZYPage.refusal(r.status, r.json), "refused");
    say("o-status", (r.status === 201 ? "已开立 opened: " : "已有 already open: ") + r.json.number +
        " — 请于截止前从基本账户缴纳 ¥" + yuan(r.json.required_fen) + " pay from your basic account before " +
        bj(r.json.deadline_us).slice(0, 16), "done");
    await showMine();
  });

  /* ---- the center's console ---- */

  async function showLedger() {
    const j = await list("/api/v1/deposits/ledger", "balanced");
    if (!j) return;
    const body = $("accounts").tBodies[0];
    body.textContent = "";
    for (const [k, v] of Object.entries(j.accounts)) {
      const tr = el("tr", undefined, { "data-account": k });
      tr.append(el("td", ACCOUNT[k] || k), money(v));
      body.append(tr);
    }
    const tr = el("tr", undefined, { "data-account": "total" });
    tr.append(el("th", "合计 Total (" + j.postings + " 笔记账 postings)"), money(j.total_fen));
    body.append(tr);
    say("balanced", j.balanced ? "台账平衡 The ledger balances: every entry's postings sum to zero"
      : "台账不平衡 THE LEDGER DOES NOT BALANCE", j.balanced ? "ok" : "bad");
    $("unbalanced").textContent = j.unbalanced_entries.length
      ? "不平衡分录 Unbalanced entries: " + j.unbalanced_entries.map((e) => "#" + (e.id !== undefined ? e.id : e)).join(", ")
      : "";
    /* a ledger whose rows were edited can still sum to zero: each sub-account against the log */
    const raised = (j.alarms || []).filter((a) => a.state === "altered");
    say("log-agreement", j.agrees_with_log
      ? "与审计日志一致 Every sub-account agrees with the audit log (" + j.subaccounts_checked +
        " checked, up to checkpoint " + j.evidence.checkpoint_size + ")"
      : "台账与审计日志不符 THE LEDGER DISAGREES WITH THE AUDIT LOG: " + (j.altered.length + raised.length) +
        " — no money moves for what disagrees", j.agrees_with_log ? "ok" : "bad");
    const at = $("altered"), ab = at.tBodies[0];
    ab.textContent = "";
    for (const a of j.altered) {
      const tr = el("tr", undefined, { "data-sub": a.subaccount_id });
      tr.append(el("td", "#" + a.subaccount_id), money(-a.ledger_fen), money(-a.log_fen), el("td", a.why));
      ab.append(tr);
    }
    for (const a of raised.filter((x) => x.what.startsWith("txn:"))) {
      const tr = el("tr", undefined, { "data-txn": a.what.slice(4) });
      tr.append(el("td", "暂挂款 held " + a.what.slice(4)), el("td", "—"), el("td", "—"), el("td", a.why));
      ab.append(tr);
    }
    at.hidden = !ab.rows.length;
  }

  async function showHeld() {
    const j = await list("/api/v1/deposits/notices?outcome=held&limit=100", "balanced");
    if (!j) return;
    const body = $("held").tBodies[0];
    body.textContent = "";
    for (const n of j.items) {
      const tr = el("tr", undefined, { "data-txn": n.bank_txn, "data-reason": n.hold_reason || "" });
      tr.append(el("td", n.bank_txn), el("td", n.account),
                lines([n.payer_name || "—", n.payer_account || "—"]), money(n.amount_fen),
                el("td", HOLD[n.hold_reason] || n.hold_reason || ""), el("td", bj(n.value_us).slice(0, 16)));
      const td = el("td");
      if (n.return_id !== null) td.textContent = "退回中 being returned (#" + n.return_id + ")";
      else if (!n.payer_account) td.textContent = "付款账户不明 no payer: ask the bank";
      else if (me.role === "center_admin") {
        const b = el("button", "退回付款方 return to the payer", { type: "button", "data-return": n.id });
        b.addEventListener("click", () => giveBack(n));
        td.append(b);
      }
      tr.append(td);
      body.append(tr);
    }
    if (!j.items.length) empty(body, "无 none", 7);
  }

  async function giveBack(n) {
    const reason = $("ret-reason").value.trim();
    if (!reason) return say("ret-status", "退回需要理由 a return needs a reason", "refused");
    say("ret-status", "提交 returning…", "busy");
    const r = await api("POST", "/api/v1/deposits/notices/" + n.id + "/return", { reason });
    if (r.status !== 201) return say("ret-status", GGZYPage.refusal(r.status, r.json), "refused");
    say("ret-status", n.bank_txn + " ¥" + yuan(r.json.amount_fen) + " 退回 " + r.json.to_name + " " +
        r.json.to_account + "，应于 " + bj(r.json.due_us).slice(0, 16) + " 前 due by", "done");
    await Promise.all([showHeld(), showLedger(), showJournal(false), showOverdue()]);
  }

  async function showStatements() {
    const j = await list("/api/v1/deposits/statements?limit=60", "balanced");
    if (!j) return;
    const body = $("statements").tBodies[0];
    body.textContent = "";
    for (const s of j.items) {
      const tr = el("tr", undefined, { "data-date": s.date, "data-differences": s.differences.length });
      tr.append(el("td", s.date), el("td", String(s.lines), { class: "num" }),
                el("td", String(s.matched), { class: "num" }),
                lines(s.differences.length ? s.differences.map((d) => d.bank_txn + " " + (ISSUE[d.issue] || d.issue))
                  : ["无差异 none"]),
                el("td", bj(s.received_us).slice(0, 16)));
      body.append(tr);
    }
    if (!j.items.length) empty(body, "尚无对账单 no statement yet", 5);
  }

  async function decideBasic(b, approve) {
    const body = { approve };
    if (!approve) {
      const reason = $("ba-reason").value.trim();
      if (!reason) return say("ba-status", "拒绝需要理由 a refusal needs a reason", "refused");
      body.reason = reason;
    }
    say("ba-status", "提交 deciding…", "busy");
    const r = await api("POST", "/api/v1/deposits/basic-accounts/" + b.id + "/decision", body);
    if (r.status !== 200) return say("ba-status", GGZYPage.refusal(r.status, r.json), "refused");
    say("ba-status", "#" + b.id + (approve ? " 已批准 approved" : " 已拒绝 refused"), "done");
    await showBasic();
  }

  async function showBasic() {
    const j = await list("/api/v1/deposits/basic-accounts?state=pending&limit=100", "ba-status");
    if (!j) return;
    const body = $("basic").tBodies[0];
    body.textContent = "";
    for (const b of j.items) {
      const tr = el("tr", undefined, { "data-basic": b.id });
      tr.append(el("td", String(b.id)), el("td", await orgName(b.org_id)), el("td", b.account_no),
                el("td", b.bank_name), el("td", b.holder_name), el("td", bj(b.requested_us).slice(0, 16)));
      const td = el("td");
      if (me.role === "center_admin") {
        const ok = el("button", "批准 approve", { type: "button", "data-approve": b.id });
        ok.addEventListener("click", () => decideBasic(b, true));
        const no = el("button", "拒绝 refuse", { type: "button", "data-refuse": b.id });
        no.addEventListener("click", () => decideBasic(b, false));
        td.append(ok, " ", no);
      }
      tr.append(td);
      body.append(tr);
    }
    if (!j.items.length) empty(body, "无待审 none pending", 7);
  }

  async function showJournal(more) {
    if (!more) {
      journalAfter = null;
      $("journal").tBodies[0].textContent = "";
    }
    const j = await list("/api/v1/deposits/entries?limit=50" + (journalAfter ? "&after=" + journalAfter : ""),
                         "balanced");
    if (!j) return;
    for (const e of j.items) {
      const tr = el("tr", undefined, { "data-entry": e.id });
      tr.append(el("td", String(e.id)), el("td", e.kind), el("td", e.project_id ? "#" + e.project_id : "—"),
                el("td", e.memo),
                lines(e.postings.map((p) => (ACCOUNT[p.account] || p.account) + (p.ref ? " #" + p.ref : "") + " " +
                  (p.fen > 0 ? "借 Dr " : "贷 Cr ") + yuan(Math.abs(p.fen)))),
                el("td", bj(e.created_us).slice(0, 16)));
      $("journal").tBodies[0].append(tr);
    }
    journalAfter = j.next_after;
    $("journal-more").hidden = journalAfter === null;
  }
  $("journal-more").addEventListener("click", () => showJournal(true));

  async function showConsole() {
    say("balanced", "载入 loading…", "busy");
    await showLedger();
    if ($("balanced").dataset.state === "refused") return;
    await Promise.all([showHeld(), showStatements(), showBasic(), showJournal(false)]);
  }

  /* ---- the supervisor's overdue refunds ---- */

  async function refundRow(f, cells) {
    const tr = el("tr", undefined, { "data-refund": f.id, "data-state": f.state, "data-late": f.late ? "1" : "0" });
    tr.append(el("td", String(f.id)), el("td", f.project_id !== null ? "#" + f.project_id : "—"),
              el("td", f.lot !== null ? String(f.lot) : "—"),
              el("td", f.org_id !== null ? await orgName(f.org_id) : f.to_name),
              el("td", CAUSE[f.cause] || f.cause), ...cells);
    return tr;
  }

  async function showOverdue() {
    say("overdue-status", "载入 loading…", "busy");
    const now = await serverNow();
    const late = await list("/api/v1/deposits/refunds?late=1&limit=200", "overdue-status");
    if (!late) return;
    const states = await Promise.all(["instructed", "sent", "failed"].map((s) =>
      list("/api/v1/deposits/refunds?state=" + s + "&limit=200", "overdue-status")));
    if (states.some((x) => !x)) return;
    const lb = $("late").tBodies[0], pb = $("pending").tBodies[0];
    lb.textContent = pb.textContent = "";
    for (const f of late.items) {
      const by = (f.paid_us !== null ? f.paid_us : now) - f.due_us;
      lb.append(await refundRow(f, [el("td", f.basis), money(f.amount_fen), el("td", bj(f.due_us).slice(0, 16)),
        el("td", (REFUND[f.state] || f.state) + (f.paid_us !== null ? " " + bj(f.paid_us).slice(0, 16) : "")),
        el("td", by > 0 ? span(by) : "—", { class: "num" })]));
    }
    const pending = states.flatMap((x) => x.items).sort((a, b) => (a.due_us || 0) - (b.due_us || 0) || a.id - b.id);
    for (const f of pending) {
      const left = f.due_us - now;
      pb.append(await refundRow(f, [money(f.amount_fen),
        el("td", f.due_us === null ? dueText(f) : dueText(f) + (left > 0 ? " (剩 " + span(left) + ")" : " (已逾期 past due)")),
        el("td", REFUND[f.state] || f.state),
        el("td", f.warned_us !== null ? bj(f.warned_us).slice(0, 16) : "—")]));
    }
    if (!late.items.length) empty(lb, "无逾期退还 no late refund", 10);
    if (!pending.length) empty(pb, "无 none", 9);
    say("overdue-status", "逾期 " + late.items.length + " 笔 late · 待退 " + pending.length + " 笔 under way · " +
        "服务器时间 server time " + bj(now).slice(0, 16), "done");
  }

  GGZYShell.onSignIn(async (who) => {
    me = who;
    orgNames.clear();
    const staff = who.role === "center_admin" || who.role === "supervisor";
    $("mine").hidden = who.role !== "bidder";
    $("console").hidden = !staff;
    $("overdue").hidden = !staff;
    if (who.role === "supervisor") $("console").before($("overdue")); /* theirs first */
    if (who.role === "bidder") return showMine();
    if (!staff) return say("page-status", "此页供投标人、中心工作人员与监督人员使用 this page is for bidders, center staff and supervisors", "done");
    say("page-status", "", "busy");
    await Promise.all([showConsole(), showOverdue()]);
    say("page-status", "已载入 loaded", "done");
  });

  const q = new URLSearchParams(location.search);
  if (q.get("project")) $("o-project").value = q.get("project");
  if (q.get("lot")) $("o-lot").value = q.get("lot");
})();
