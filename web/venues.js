/*
 * venues.js — the venue page (venues.html), in the page shell: the public week calendar of a
 * site (rooms by day, occupied spans only; staff and supervisors see each booking, and approve
 * or refuse requested ones there), the agent's booking form for their own project with the
 * project's bookings (cancel), and the center's console (relocate a room's bookings). Times are
 * Beijing time (UTC+8) on screen and UTC microseconds on the wire; everything from the server is
 * set with textContent.
 */
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  GGZYShell.mount({ title: "场地安排", subtitle: "Venues — rooms, bookings and the week's calendar" });
  const S = GGZYShell.session, api = S.api;
  const MIN = 60e6, DAY = 86400e6, UTC8 = 8 * 3600e6;
  const KINDS = { opening: "开标室", evaluation: "评标室", negotiation: "谈判室", draw: "抽取室",
                  seats: "评标席位", remote_main: "远程主场", remote_guest: "远程副场" };
  const PURPOSES = { opening: "开标", evaluation: "评标", negotiation: "谈判" };
  const STATES = { requested: "待审批 requested", approved: "已批准 approved",
                   refused: "已拒绝 refused", cancelled: "已取消 cancelled" };
  let me = null, rooms = [];

  const el = GGZYPage.el, say = GGZYPage.say;
  /* "YYYY-MM-DD" and "HH:MM" in Beijing time as UTC µs (whole minutes: exact in a double) */
  function local(day, hhmm) {
    const [y, m, d] = day.split("-").map(Number), [h, mi] = (hhmm || "00:00").split(":").map(Number);
    return (Date.UTC(y, m - 1, d, h, mi) - 8 * 3600e3) * 1000;
  }
  const hhmm = (us) => GGZYPage.beijing(us).slice(11, 16);
  const dayOf = (us) => GGZYPage.beijing(us).slice(0, 10);

  async function loadSites() {
    const r = await api("GET", "/api/v1/venues/sites?limit=200");
    if (r.status !== 200) return GGZYShell.error(GGZYPage.refusal(r.status, r.json));
    $("site").textContent = "";
    for (const s of r.json.items) $("site").append(el("option", s.name + " · " + s.address, { value: s.id }));
    const want = new URLSearchParams(location.search).get("site");
    if (want) $("site").value = want;
    if (!$("week").value) $("week").value = dayOf(Date.now() * 1000);
    if (r.json.items.length) await showWeek();
    else say("cal-status", "尚无场地 no site registered yet", "done");
  }

  function bookingText(b) {
    let t = hhmm(b.start_us) + "–" + hhmm(b.end_us);
    if (b.status === "occupied") return t + " 占用 occupied";
    t += " " + (PURPOSES[b.purpose] || b.purpose) + " · 项目 " + b.project_id + " · 标段 " +
      b.lots.join(",") + " · " + (STATES[b.state] || b.state);
    return t;
  }

  async function decide(b, approve) {
    const body = { approve };
    if (!approve) {
      const reason = $("r-reason").value.trim();
      if (!reason) return say("console-status", "拒绝需要理由 a refusal needs a reason (the Reason field)", "refused");
      body.reason = reason;
    }
    const r = await api("POST", "/api/v1/venues/bookings/" + b.id + "/decision", body);
    if (r.status !== 200) return say("cal-status", GGZYPage.refusal(r.status, r.json), "refused");
    await showWeek();
  }

  async function showWeek() {
    const site = $("site").value, from = $("week").value;
    if (!site || !from) return;
    say("cal-status", "载入 loading…", "busy");
    /* the week's seven days asked at once, not one after the other */
    const answers = await Promise.all([0, 1, 2, 3, 4, 5, 6].map((i) =>
      api("GET", "/api/v1/venues/calendar?site=" + site + "&day=" + dayOf(local(from) + i * DAY))));
    const bad = answers.find((r) => r.status !== 200);
    if (bad) return say("cal-status", GGZYPage.refusal(bad.status, bad.json), "refused");
    const days = answers.map((r) => r.json);
    rooms = days[0].rooms;
    const head = $("week-grid").tHead, body = $("week-grid").tBodies[0];
    head.textContent = body.textContent = "";
    const hr = el("tr");
    hr.append(el("th", "房间 Room"));
    for (const d of days) hr.append(el("th", d.day));
    head.append(hr);
    for (const room of rooms) {
      const tr = el("tr", undefined, { "data-room": room.id });
      tr.append(el("th", room.name + " · " + (KINDS[room.kind] || room.kind) + " · " + room.capacity +
        "座 · " + room.opens + "–" + room.closes + (room.state !== "open" ? " · " + room.state : "")));
      for (const d of days) {
        const td = el("td");
        const here = d.rooms.find((x) => x.id === room.id);
        for (const b of (here ? here.bookings : [])) {
          const div = el("div", bookingText(b), { class: "booking", "data-booking": b.id || "" });
          if (b.state === "requested" && me && me.role === "center_admin") {
            const ok = el("button", "批准 approve", { type: "button", "data-approve": b.id });
            ok.addEventListener("click", () => decide(b, true));
            const no = el("button", "拒绝 refuse", { type: "button", "data-refuse": b.id });
            no.addEventListener("click", () => decide(b, false));
            div.append(" ", ok, " ", no);
          }
          td.append(div);
        }
        tr.append(td);
      }
      body.append(tr);
    }
    for (const sel of ["b-room", "r-room"]) {
      $(sel).textContent = "";
      for (const room of rooms)
        $(sel).append(el("option", room.name + " (" + (KINDS[room.kind] || room.kind) + ")", { value: room.id }));
    }
    if (rooms.length) {
      $("ics").href = "/api/v1/venues/rooms/" + rooms[0].id + "/calendar.ics";
      $("ics").hidden = false;
    }
    say("cal-status", rooms.length ? "共 " + rooms.length + " 个房间 rooms" : "该场地无房间 no rooms", "done");
  }

  async function listProject() {
    const p = $("b-project").value.trim();
    const body = $("b-list").tBodies[0];
    body.textContent = "";
    if (!/^[1-9]\d*$/.test(p)) return;
    const r = await api("GET", "/api/v1/venues/bookings?project=" + p);
    if (r.status !== 200) return say("b-status", GGZYPage.refusal(r.status, r.json), "refused");
    for (const b of r.json.items) {
      const tr = el("tr", undefined, { "data-id": b.id, "data-state": b.state });
      tr.append(el("td", String(b.id)), el("td", b.room.site_name + " " + b.room.name),
                el("td", dayOf(b.start_us) + " " + hhmm(b.start_us) + "–" + hhmm(b.end_us)),
                el("td", PURPOSES[b.purpose] || b.purpose), el("td", b.lots.join(",")),
                el("td", STATES[b.state] || b.state));
      const td = el("td");
      if (b.announced_by) td.textContent = "公告 #" + b.announced_by + " 已载明 stated by the announcement";
      else if (b.state === "requested" || b.state === "approved") {
        const c = el("button", "取消 cancel", { type: "button", "data-cancel": b.id });
        c.addEventListener("click", async () => {
          const x = await api("POST", "/api/v1/venues/bookings/" + b.id + "/cancel", {});
          say("b-status", x.status === 200 ? "已取消 cancelled" : GGZYPage.refusal(x.status, x.json),
              x.status === 200 ? "done" : "refused");
          await listProject();
          await showWeek();
        });
        td.append(c);
      }
      tr.append(td);
      body.append(tr);
    }
  }

  $("cal-form").addEventListener("submit", (ev) => { ev.preventDefault(); showWeek(); });
  $("b-project").addEventListener("change", listProject);

  $("book-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const lots = $("b-lots").value.split(/[,，\s]+/).filter(Boolean).map(Number);
    const day = $("b-date").value;
    if (!day || lots.some((n) => !Number.isSafeInteger(n) || n < 1))
      return say("b-status", "标段为数字 lots are numbers, e.g. 1,2", "refused");
    say("b-status", "提交 booking…", "busy");
    const r = await api("POST", "/api/v1/venues/bookings", {
      room_id: Number($("b-room").value), project_id: Number($("b-project").value),
      purpose: $("b-purpose").value, lots, start_us: local(day, $("b-start").value),
      end_us: local(day, $("b-end").value), people: Number($("b-people").value) });
    if (r.status !== 201) {
      const e = (r.json && r.json.error) || {};
      const held = typeof e.held_from_us === "number"
        ? " — 北京时间 Beijing time: " + dayOf(e.held_from_us) + " " + hhmm(e.held_from_us) + "–" +
          hhmm(e.held_until_us) + " 已被占用 (with the setup buffer)" : "";
      return say("b-status", GGZYPage.refusal(r.status, r.json) + held, "refused");
    }
    say("b-status", "已预约 booked: #" + r.json.id + " " + (STATES[r.json.state] || r.json.state), "done");
    await listProject();
    await showWeek();
  });

  $("relocate-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    say("console-status", "迁移 relocating…", "busy");
    const r = await api("POST", "/api/v1/venues/rooms/" + $("r-room").value + "/relocate",
                        { reason: $("r-reason").value.trim() });
    if (r.status !== 200) return say("console-status", GGZYPage.refusal(r.status, r.json), "refused");
    const name = (id) => (rooms.find((x) => x.id === id) || { name: "房间 " + id }).name;
    const moved = r.json.moves.map((m) => "#" + m.booking_id + " → " + name(m.to_room_id)).join("；");
    const drafted = r.json.drafted.map((d) => "项目 " + d.project_id + " 变更公告草稿 #" + d.announcement_id).join("；");
    say("console-status", "已迁移 moved " + r.json.moves.length + (moved ? "：" + moved : "") +
        (drafted ? "。已起草 drafted: " + drafted : ""), "done");
    await showWeek();
  });

  GGZYShell.onSignIn(async (who) => {
    me = who;
    $("book").hidden = who.role !== "agent";
    $("console").hidden = who.role !== "center_admin";
    $("b-date").value = $("b-date").value || $("week").value;
    await showWeek();
  });

  const q = new URLSearchParams(location.search);
  if (q.get("week")) $("week").value = q.get("week");
  if (q.get("project")) $("b-project").value = q.get("project");
  loadSites();
})();
