/*
 * opening.js — the live opening record (opening.html?project=ID&lot=N): follows the record's
 * change feed (GET …/opening/stream, Server-Sent Events: the server tells the page when the
 * record changed, the page never polls) and reads the public GET …/opening again at each change,
 * showing it as it grows. Every value is set with textContent: nothing from the server is ever
 * parsed as HTML. Money is integer fen, shown as yuan without floating point.
 *
 * On the spot: whoever signs in here (the token stays in this page's memory) may, as a bidder
 * of the lot, object; as the agent, the center or a supervisor, answer an objection by its
 * number. Refusals are shown with their code and message; the record is read again at once.
 */
"use strict";

(function () {
  GGZYShell.mount({ title: "开标记录", subtitle: "Bid opening record — live, as it happens" });
  const q = new URLSearchParams(location.search);
  const project = q.get("project"), lot = q.get("lot");
  const $ = (id) => document.getElementById(id);
  const STATES = {
    awaiting_shares: "等待密钥分片 awaiting the custodians' shares",
    opening: "正在解密 opening the envelopes",
    opened: "开标完成 opened",
    failed: "流标 failed (not opened)",
  };

  const yuan = GGZYPage.yuan;
  const beijing = (us) => GGZYPage.beijing(us).slice(0, 19);

  function cell(tr, text, cls) {
    const td = document.createElement("td");
    td.textContent = text;
    if (cls) td.className = cls;
    tr.appendChild(td);
  }

  function render(r) {
    $("state").textContent = STATES[r.state] || r.state;
    $("state").dataset.state = r.state;
    if (r.reason) {
      $("reason").hidden = false;
      $("reason").textContent = r.reason;
    }
    $("shares").textContent = "密钥分片 Shares: " + r.shares.length + " / " + r.threshold +
      " · 投标文件 Envelopes: " + r.records.length + " / " + r.bids + " opened";
    const body = $("records").tBodies[0];
    body.replaceChildren();
    for (const b of r.records) {
      const tr = document.createElement("tr");
      const op = b.opening || {};
      const s = op.summary || {};
      cell(tr, b.bidder_name || ("#" + b.bidder_org_id));
      cell(tr, op.status === "opened" ? yuan(op.price_fen) : "—", "num");
      cell(tr, typeof s.duration_days === "number" ? String(s.duration_days) : "—", "num");
      cell(tr, op.status === "opened" ? "有效 opened"
        : (op["class"] === "revocation" ? "撤销 revoked: " : "撤回 withdrawn: ") + (op.reason || ""));
      cell(tr, beijing(b.received_us));
      cell(tr, b.envelope_sha256, "hash");
      tr.dataset.status = op.status || "";
      body.appendChild(tr);
    }
    const ul = $("objections");
    if (r.objections.length) {
      ul.replaceChildren();
      for (const o of r.objections) {
        const li = document.createElement("li");
        li.textContent = "#" + o.id + " " + o.text + " — " +
          (o.answer === null ? "待答复 awaiting an answer" : "答复 answer: " + o.answer);
        li.dataset.id = String(o.id);
        li.dataset.answered = o.answer === null ? "no" : "yes";
        ul.appendChild(li);
      }
    }
    if (r.private_key) {
      $("key").hidden = false;
      $("private-key").textContent = r.private_key;
    }
    last = r;
    $("verify-section").hidden = !(r.private_key && S.token);
    return r.state === "opened" || r.state === "failed";
  }

  async function read() {
    try {
      const res = await fetch("/api/v1/projects/" + encodeURIComponent(project) + "/lots/" +
        encodeURIComponent(lot) + "/opening", {cache: "no-store"});
      if (res.status === 404) {
        $("state").textContent = "尚未开标 the opening has not started";
        $("state").dataset.state = "not_started";
      } else if (res.ok) {
        return render(await res.json());
      } else {
        $("state").textContent = "暂时无法读取 unavailable (HTTP " + res.status + ")";
      }
    } catch (e) {
      $("state").textContent = "网络错误 network error";
    }
    return false;
  }

  /* The change feed: at each "changed" the record is read again; once the opening has ended
   * nothing more changes but objections, so the feed stays open for them. A dropped feed is
   * opened again after three seconds. */
  async function follow() {
    for (;;) {
      try {
        const res = await fetch("/api/v1/projects/" + encodeURIComponent(project) + "/lots/" +
          encodeURIComponent(lot) + "/opening/stream", {cache: "no-store", headers: {Accept: "text/event-stream"}});
        if (res.ok && res.body) {
          const rd = res.body.getReader(), dec = new TextDecoder();
          let buf = "";
          for (;;) {
            const chunk = await rd.read();
            if (chunk.done) break;
            buf += dec.decode(chunk.value, { stream: true });
            let i, changed = false;
            while ((i = buf.indexOf("\n\n")) >= 0) {
              changed = changed || buf.slice(0, i).includes("event: changed");
              buf = buf.slice(i + 2);
            }
            if (changed) await read();
          }
        }
      } catch (e) { /* the network: try again */ }
      await new Promise((ok) => setTimeout(ok, 3000));
    }
  }


  /* ---- on the spot: objections and answers ---- */
  const S = GGZYShell.session, call = S.api;
  let last = null; /* the record as last shown */
  const base = () => "/api/v1/projects/" + encodeURIComponent(project) + "/lots/" + encodeURIComponent(lot);

  function said(r, ok, state) {
    $("o-status").textContent = ok || GGZYPage.refusal(r.status, r.json);
    $("o-status").dataset.state = state;
  }

  async function refresh() {
    const res = await fetch(base() + "/opening", {cache: "no-store"});
    if (res.ok) render(await res.json());
  }

  GGZYShell.onSignIn((me) => {
    $("verify-section").hidden = !(last && last.private_key && S.token);
    $("o-object-form").hidden = me.role !== "bidder";
    $("o-answer-form").hidden = !["agent", "center_admin", "supervisor"].includes(me.role);
  });

  /* Re-derive one record: NULL when it agrees, {unchecked} when the viewer may not fetch the
   * envelope (another bidder's: a bidder checks its own), else what does not agree. Never a
   * disagreement for what could not be checked. */
  async function checkRecord(rec, sk, pk) {
    const res = await fetch("/api/v1/bids/" + rec.id + "/envelope",
                            {headers: {Authorization: "Bearer " + S.token}, cache: "no-store", credentials: "omit"});
    if (res.status === 403 || res.status === 404)
      return { unchecked: "无权取得该投标文件，未核验 not yours to fetch: not checked (HTTP " + res.status + ")" };
    if (res.status !== 200) return "the envelope cannot be fetched (HTTP " + res.status + ")";
    const env = new Uint8Array(await res.arrayBuffer());
    if (GGZYSeal.hex(await GGZYSeal.sha256(env)) !== rec.envelope_sha256) return "the envelope served is not the one received";
    const op = rec.opening || {};
    let opened = null, why = null;
    try { opened = await GGZYSeal.openEnvelope(env, GGZYSeal.unhex(last.private_key), pk); } catch (e) { why = e.message; }
    if (why && /not the lot's opening key/.test(why)) return why;
    if (op.status !== "opened") return opened ? "the record says rejected, but the envelope opens with the key" : null;
    if (!opened) return "the record says opened, but the envelope does not open: " + why;
    /* byte for byte: the bytes published verbatim (summary_b64) are the sealed ones, and the
     * parsed view read out says the same (every number in it is an exact integer) */
    const sealed = GGZYSeal.hex(opened.summary);
    let published;
    try { published = GGZYSeal.hex(Uint8Array.from(atob(op.summary_b64 || ""), (c) => c.charCodeAt(0))); } catch (e) { published = ""; }
    if (published !== sealed) return "the summary published (summary_b64) is not the one sealed in the envelope";
    let read;
    try { read = GGZYSeal.canonical(op.summary); } catch (e) { return "the summary read out is not exact JSON"; }
    if (GGZYSeal.hex(new TextEncoder().encode(read)) !== sealed) return "the summary read out is not the one sealed in the envelope";
    return null;
  }

  $("verify").addEventListener("click", async () => {
    if (!last || !last.private_key) return;
    $("v-status").textContent = "核验中 checking…";
    $("v-status").dataset.state = "busy";
    const ul = $("v-results");
    ul.replaceChildren();
    const k = await fetch(base() + "/opening-key", {cache: "no-store"});
    const pk = k.ok ? GGZYSeal.unhex((await k.json()).public_key) : null;
    let bad = 0, unchecked = 0;
    for (const rec of last.records) {
      const problem = pk ? await checkRecord(rec, GGZYSeal.unhex(last.private_key), pk) : "the opening key cannot be read";
      const li = document.createElement("li");
      const skipped = problem && typeof problem === "object";
      li.dataset.result = skipped ? "unchecked" : problem ? "bad" : "ok";
      li.textContent = (rec.bidder_name || "#" + rec.bidder_org_id) + ": " +
        (skipped ? problem.unchecked : problem ? "不符 " + problem
          : rec.opening.status === "opened" ? "一致 the sealed summary is the one read out"
                                            : "一致 it does not open, as recorded");
      ul.appendChild(li);
      bad += problem && !skipped ? 1 : 0;
      unchecked += skipped ? 1 : 0;
    }
    const checked = last.records.length - unchecked;
    const note = unchecked ? "；另有 " + unchecked + " 份无权取得、未核验 (" + unchecked + " not yours to check)" : "";
    $("v-status").textContent = bad ? "发现问题 " + bad + " of " + checked + " checked do not agree — object" + note :
      "已核验的 " + checked + " 份全部一致 all " + checked + " envelopes checked agree with the record" + note;
    $("v-status").dataset.state = bad ? "bad" : "ok";
  });

  $("o-object-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const r = await call("POST", base() + "/opening/objections", {text: $("o-text").value});
    if (r.status === 201) {
      $("o-text").value = "";
      said(r, "已记录 recorded: objection #" + r.json.id, "done");
    } else said(r, null, "refused");
    await refresh();
  });

  $("o-answer-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const oid = $("a-oid").value.trim();
    if (!/^[1-9][0-9]*$/.test(oid)) return said({status: 0, json: null}, "异议编号 the objection's number, e.g. 1", "refused");
    const r = await call("POST", base() + "/opening/objections/" + oid + "/answer", {answer: $("a-text").value});
    if (r.status === 200) {
      $("a-text").value = "";
      said(r, "已答复 answered: objection #" + oid, "done");
    } else said(r, null, "refused");
    await refresh();
  });

  if (!/^[1-9][0-9]*$/.test(project || "") || !/^[1-9][0-9]*$/.test(lot || "")) {
    $("state").textContent = "链接缺少项目或标段 the link names no project and lot (?project=ID&lot=N)";
    return;
  }
  $("where").textContent = "项目 Project " + project + " · 标段 Lot " + lot;
  follow();
})();
