/*
 * draws.js — the draw page (draws.html), in the page shell. An expert sees their profile and
 * their assignments (time and place, never the project) and confirms or declines each with
 * their own key; center staff review the library (admit an applied expert) and cosign a draw's
 * commitment; a supervisor hands in their value for a pooled draw; staff and supervisors see a
 * committee's names (each such read is logged by the server) and replay a draw in the page
 * from the project's audit timeline alone, exactly as docs/draw.md §6 and §9 describe
 * (WebCrypto SHA-256, BigInt rejection sampling). The key file is read in the page and never
 * sent; everything from the server is set with textContent.
 */
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  GGZYShell.mount({ title: "专家抽取", subtitle: "Expert draws — the library, committees, replay" });
  const S = GGZYShell.session, api = S.api;
  const te = new TextEncoder();
  const STATES = { committed: "已承诺 committed", pooled: "已定池 pooled", valued: "待公开值 valued",
                   drawn: "已抽取 drawn",
                   complete: "已组成 complete", short: "人数不足 short", cancelled: "已取消 cancelled",
                   invited: "待答复 invited", confirmed: "已确认 confirmed", declined: "已拒绝 declined",
                   expired: "逾期 expired", skipped: "跳过 skipped", replaced: "已更换 replaced",
                   applied: "待审核 applied", active: "在库 active", suspended: "暂停 suspended",
                   removed: "除名 removed" };
  let me = null;

  const el = GGZYPage.el, say = GGZYPage.say;
  const when = (us) => (typeof us === "number" ? GGZYPage.beijing(us).slice(0, 16) : "—");
  const st = (s) => STATES[s] || s;

  /* a signed act of the signed-in person, with the key file chosen on the page */
  const signed = (domain, fields) => GGZYSeal.signedBody($("key"), me, domain, fields);

  /* ---- the expert ---- */

  async function loadExpert() {
    const p = await api("GET", "/api/v1/experts/me");
    $("profile").textContent = "";
    if (p.status === 200) {
      const rows = [["状态 State", st(p.json.state)], ["单位 Employer", p.json.employer.name],
                    ["职称 Title", p.json.title], ["从业 In the field since", String(p.json.field_since)],
                    ["专业 Specialties", p.json.specialties.map((s) => s.code + " " + (s.name || "")).join("；")]];
      for (const [k, v] of rows) $("profile").append(el("dt", k), el("dd", v));
    } else $("profile").append(el("dd", GGZYPage.refusal(p.status, p.json)));
    const r = await api("GET", "/api/v1/experts/me/assignments");
    const body = $("assignments").tBodies[0];
    body.textContent = "";
    if (r.status !== 200) return say("a-status", GGZYPage.refusal(r.status, r.json), "refused");
    for (const a of r.json.items) {
      const tr = el("tr", undefined, { "data-draw": a.draw_id });
      tr.append(el("td", String(a.draw_id)), el("td", when(a.session_start_us) + "–" + when(a.session_end_us).slice(11)),
                el("td", a.place), el("td", when(a.answer_by_us)), el("td", st(a.state)));
      const td = el("td");
      if (a.state === "invited") {
        const yes = el("button", "确认 Confirm", { type: "button", "data-act": "confirm" });
        const no = el("button", "拒绝 Decline", { type: "button", "data-act": "decline" });
        yes.addEventListener("click", () => answer(a, true));
        no.addEventListener("click", () => answer(a, false));
        td.append(yes, no);
      }
      if (a.state === "confirmed") { /* in the room, from an hour before the session */
        const b = el("button", "评标室签到 Sign in in the room", { type: "button", "data-act": "sign-in" });
        b.addEventListener("click", () => signIn(a.booking_id));
        td.append(b);
      }
      tr.append(td);
      body.append(tr);
    }
    if ($("a-status").dataset.state !== "done" && $("a-status").dataset.state !== "refused")
      say("a-status", r.json.items.length ? "" : "暂无 none yet", "loaded");
  }

  /* a signed sign-in to the evaluation room (venues: ggzy-attendance-v1, in the room only) */
  async function signIn(booking) {
    say("a-status", "签名 signing…", "busy");
    try {
      const body = await signed("ggzy-attendance-v1", { booking_id: booking, mode: "in_room" });
      body.mode = "in_room";
      const r = await api("POST", "/api/v1/venues/bookings/" + booking + "/attendance", body);
      if (r.status !== 201) return say("a-status", GGZYPage.refusal(r.status, r.json), "refused");
      say("a-status", "已签到 signed in: " + GGZYPage.beijing(r.json.signed_us).slice(0, 19) + "（北京时间）", "done");
    } catch (e) {
      say("a-status", e.message, "refused");
    }
  }

  async function answer(a, accept) {
    say("a-status", "签名 signing…", "busy");
    try {
      const body = await signed("ggzy-draw-answer-v1", { accept, draw_id: a.draw_id, pseudonym: a.pseudonym });
      body.accept = accept;
      const r = await api("POST", "/api/v1/experts/me/assignments/" + a.draw_id + "/answer", body);
      if (r.status !== 200) return say("a-status", GGZYPage.refusal(r.status, r.json), "refused");
      await loadExpert();
      say("a-status", (accept ? "已确认 confirmed" : "已拒绝 declined") + ": draw " + a.draw_id, "done");
    } catch (e) {
      say("a-status", e.message, "refused");
    }
  }

  /* ---- the library ---- */

  async function loadLibrary() {
    say("lib-status", "载入 loading…", "busy");
    const r = await api("GET", "/api/v1/experts?limit=200&state=" + $("lib-state").value);
    const body = $("experts").tBodies[0];
    body.textContent = "";
    if (r.status !== 200) return say("lib-status", GGZYPage.refusal(r.status, r.json), "refused");
    for (const x of r.json.items) {
      const tr = el("tr", undefined, { "data-user": x.user_id });
      tr.append(el("td", String(x.user_id)), el("td", x.name), el("td", x.employer.name), el("td", x.title),
                el("td", String(x.field_since)), el("td", x.specialties.map((s) => s.code).join(",")),
                el("td", st(x.state)));
      const td = el("td");
      if (x.state === "applied" && me.role === "center_admin") {
        const b = el("button", "准入 Admit", { type: "button", "data-act": "admit" });
        b.addEventListener("click", async () => {
          say("lib-status", "审核 checking…", "busy");
          const a = await api("POST", "/api/v1/experts/" + x.user_id + "/admit");
          if (a.status !== 200) return say("lib-status", GGZYPage.refusal(a.status, a.json), "refused");
          await loadLibrary();
          say("lib-status", "已准入 admitted: " + x.name, "done");
        });
        td.append(b);
      }
      tr.append(td);
      body.append(tr);
    }
    say("lib-status", r.json.items.length + " 位 experts", "loaded");
  }

  /* ---- draws ---- */

  async function loadDraws() {
    say("d-status", "载入 loading…", "busy");
    const pid = $("d-project").value.trim();
    const r = await api("GET", "/api/v1/draws?project_id=" + encodeURIComponent(pid));
    $("d-list").textContent = "";
    if (r.status !== 200) return say("d-status", GGZYPage.refusal(r.status, r.json), "refused");
    for (const d of r.json.items) $("d-list").append(drawView(d));
    say("d-status", r.json.items.length + " 次抽取 draws", "loaded");
  }

  function drawView(d) {
    const box = el("section", undefined, { class: "draw", "data-id": d.id, "data-state": d.state });
    box.append(el("h3", "抽取 " + d.id + " · " + st(d.state)));
    box.append(el("p", when(d.session_start_us) + "–" + when(d.session_end_us).slice(11) + " · " + d.place +
                        " · " + d.groups.map((g) => g.specialty + "×" + g.count).join(" + ") +
                        (d.owner_reps ? " + 招标人代表 " + d.owner_reps : "") + " · 候选 pool " +
                        (d.pool_size === null ? "—" : d.pool_size)));
    box.append(el("p", "承诺 seed_commit " + d.seed_commit, { class: "mono" }));
    const out = el("p", "", { class: "d-out", "data-state": "idle", "aria-live": "polite" });
    const verdict = el("p", "", { class: "d-verify", "data-state": "idle", "aria-live": "polite" });
    const act = (label, name, fn, line) => {
      const b = el("button", label, { type: "button", "data-act": name });
      b.addEventListener("click", async () => {
        const say = line || out;
        say.dataset.state = "busy";
        say.textContent = "…";
        try {
          await fn(say);
        } catch (e) {
          say.textContent = e.message;
          say.dataset.state = "refused";
        }
      });
      box.append(b);
    };
    if (me.role === "center_admin" && d.state === "committed")
      act("会签 Cosign", "cosign", async (o) => {
        const body = await signed("ggzy-draw-cosign-v1", { draw_id: d.id, seed_commit: d.seed_commit });
        const r = await api("POST", "/api/v1/draws/" + d.id + "/cosign", body);
        if (r.status !== 200) throw new Error(GGZYPage.refusal(r.status, r.json));
        box.replaceWith(drawView(r.json));
      });
    if (me.role === "supervisor" && d.state === "pooled") {
      const v = el("input", undefined, { class: "d-value", placeholder: "随机值 your value", maxlength: "200" });
      box.append(v);
      act("提交随机值 Hand in the value", "entropy", async () => {
        if (!v.value) throw new Error("输入随机值 type a value first: anything you choose, unseen by the platform");
        const body = await signed("ggzy-draw-entropy-v1", { draw_id: d.id, pool_sha256: d.pool_sha256,
                                                             seed_commit: d.seed_commit, value: v.value });
        body.value = v.value;
        const r = await api("POST", "/api/v1/draws/" + d.id + "/entropy", body);
        if (r.status !== 200) throw new Error(GGZYPage.refusal(r.status, r.json));
        box.replaceWith(drawView(r.json));
      });
    }
    if (me.role === "center_admin" && d.state === "valued") {
      const v = el("input", undefined, { class: "d-beacon", placeholder: "公开随机值 the published value", maxlength: "200" });
      const t = el("input", undefined, { class: "d-beacon-at", type: "datetime-local", step: "1" });
      box.append(v, t);
      act("录入公开值 Enter the public value", "beacon", async () => {
        if (!v.value || !t.value) throw new Error("输入公开值及其公布时间 the value and when it was published (Beijing time)");
        const at = GGZYPage.fromBeijing(t.value);
        const r = await api("POST", "/api/v1/draws/" + d.id + "/beacon", { value: v.value, published_us: at });
        if (r.status !== 200) throw new Error(GGZYPage.refusal(r.status, r.json));
        box.replaceWith(drawView(r.json));
      });
    }
    if (["drawn", "complete", "short"].includes(d.state)) {
      act("名单 Members", "members", async (o) => {
        const r = await api("GET", "/api/v1/draws/" + d.id);
        if (r.status !== 200) throw new Error(GGZYPage.refusal(r.status, r.json));
        const old = box.querySelector("table.members");
        if (old) old.remove();
        const t = el("table", undefined, { class: "members" });
        t.append(el("tr"));
        for (const h of ["组 Group", "序 Rank", "编号 Pseudonym", "姓名 Name", "状态 State"]) t.rows[0].append(el("th", h));
        for (const m of r.json.members) {
          const tr = el("tr");
          for (const c of [m.group, String(m.rank), m.pseudonym, m.name || "—", st(m.state)]) tr.append(el("td", c));
          t.append(tr);
        }
        verdict.after(t);
        o.textContent = "本次查阅已记入审计日志 this read is in the audit log";
        o.dataset.state = "done";
      });
      act("复核 Replay from the log", "verify", async (o) => {
        const res = await replay(d);
        o.textContent = res.text;
        o.dataset.state = res.ok ? "done" : "refused";
      }, verdict);
    }
    box.append(out, verdict);
    return box;
  }

  /* ---- the replay (docs/draw.md §6, §9), from the project's audit timeline alone ---- */

  const sha = (b) => GGZYSeal.sha256(b);
  const cat = (...p) => GGZYSeal.concat(...p);

  function stream(seed, group) {
    let i = 0, buf = [];
    return async () => {
      if (!buf.length) {
        const be = new Uint8Array(8);
        new DataView(be.buffer).setBigUint64(0, BigInt(i++));
        const block = await sha(cat(seed, te.encode("\n" + group + "\n"), be));
        const v = new DataView(block.buffer);
        for (let k = 0; k < 4; k++) buf.push(v.getBigUint64(8 * k));
      }
      return buf.shift();
    };
  }
  async function choice(next, n) {
    const two64 = 1n << 64n, limit = two64 - (two64 % BigInt(n));
    for (;;) {
      const r = await next();
      if (r < limit) return Number(r % BigInt(n));
    }
  }

  async function replay(d) {
    const r = await api("GET", "/api/v1/audit/projects/" + d.project_id + "/timeline");
    if (r.status !== 200) return { ok: false, text: GGZYPage.refusal(r.status, r.json) };
    const es = [];
    for (const it of r.json.entries) {
      if (!it.entry) continue;
      const e = JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(it.entry), (c) => c.charCodeAt(0))));
      if (e.object && e.object.type === "draw" && e.object.id === d.id) es.push(e);
    }
    const one = (a) => es.find((e) => e.action === a);
    const req = one("draw.request"), pool = one("draw.pool"), seeded = one("draw.seeded");
    if (!req || !pool || !seeded)
      return { ok: false, text: "日志中尚无完整抽取 the signed log does not hold this draw's seed yet (a checkpoint may be due)" };
    const secret = GGZYSeal.unhex(seeded.payload.secret);
    if (GGZYSeal.hex(await sha(cat(te.encode("ggzy-draw-commit-v1\n"), secret))) !== req.payload.seed_commit)
      return { ok: false, text: "✗ 揭示的秘密与承诺不符 the revealed secret is not the one committed to" };
    const poolSha = await sha(te.encode(GGZYSeal.canonical(pool.payload.pool)));
    if (GGZYSeal.hex(poolSha) !== pool.payload.pool_sha256)
      return { ok: false, text: "✗ 候选池与其哈希不符 the pool does not hash to its pool_sha256" };
    const value = seeded.payload.signed.fields.value, beacon = seeded.payload.beacon;
    const seed = await sha(cat(te.encode("ggzy-draw-seed-v1\n"), secret, poolSha,
                               await sha(te.encode(value)), await sha(te.encode(beacon))));
    if (GGZYSeal.hex(seed) !== seeded.payload.seed)
      return { ok: false, text: "✗ 种子不符 the seed is not the hash of its parts" };
    const walked = {};
    for (const g of req.payload.groups) {
      const members = pool.payload.pool.filter((p) => p[1] === g.specialty).map((p) => p[0]);
      const k = Math.min(members.length, g.count + req.payload.reserves);
      const next = stream(seed, g.specialty), left = members.slice(), order = [];
      for (let j = 0; j < k; j++) order.push(left.splice(await choice(next, members.length - j), 1)[0]);
      walked[g.specialty] = { order, next: 0 };
    }
    for (const e of es)
      for (const s of (e.payload.steps || [])) {
        const w = walked[s.group];
        if (!w || w.order[w.next] !== s.pseudonym || s.rank !== w.next)
          return { ok: false, text: "✗ 第 " + s.rank + " 位不符抽取顺序 rank " + s.rank + " of " + s.group +
                                    " is not the stream's order (entry " + e.index + ")" };
        w.next++;
      }
    return { ok: true, text: "✓ 复核通过 replayed from the log: committed secret, pool of " + pool.payload.pool.length +
                             ", seed " + seeded.payload.seed.slice(0, 16) + "…, every invitation in stream order: " +
                             Object.entries(walked).map(([g, w]) => g + " " + w.order.slice(0, w.next).join(" ")).join("; ") };
  }

  /* ---- wiring ---- */

  $("lib-form").addEventListener("submit", (ev) => { ev.preventDefault(); loadLibrary(); });
  $("d-form").addEventListener("submit", (ev) => { ev.preventDefault(); loadDraws(); });
  /* the agency asks for a committee draw for its evaluation booking */
  $("ask-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const groups = [];
    for (const l of $("ask-groups").value.split("\n").map((x) => x.trim()).filter(Boolean)) {
      const m = /^(\S+)\s*[，,]\s*(\d+)$/.exec(l);
      if (!m) return say("ask-status", "专业写作“专业代码，人数”：" + l, "refused");
      groups.push({ specialty: m[1], count: Number(m[2]) });
    }
    const r = await api("POST", "/api/v1/draws", {
      project_id: Number($("ask-project").value), booking_id: Number($("ask-booking").value), groups,
      owner_reps: Number($("ask-reps").value || 0), reserves: Number($("ask-reserves").value || 0),
      regions: $("ask-regions").value.split(/[\s,，]+/).filter(Boolean) });
    if (r.status !== 201) return say("ask-status", GGZYPage.refusal(r.status, r.json), "refused");
    say("ask-status", "已申请 asked: draw " + r.json.id + "，待中心会签 awaiting the center's cosignatures", "done");
    $("d-project").value = $("ask-project").value;
    await loadDraws();
  });

  GGZYShell.onSignIn(async (who) => {
    me = who;
    $("expert").hidden = me.role !== "expert";
    $("library").hidden = !["center_admin", "supervisor"].includes(me.role);
    $("draws").hidden = !["center_admin", "supervisor", "agent", "tenderer"].includes(me.role);
    $("ask-form").hidden = me.role !== "agent";
    const q = new URLSearchParams(location.search).get("project");
    if (q) $("ask-project").value = q;
    if (me.role === "expert") await loadExpert();
    const pid = new URLSearchParams(location.search).get("project");
    if (pid && !$("draws").hidden) {
      $("d-project").value = pid;
      await loadDraws();
    }
  });
})();
