/*
 * shell.js — the one page shell every page uses (web/lib/, with page.js and site.css): the
 * header with the page's title, navigation between the pages, the one sign-in form, and the one
 * place a page's errors are shown. A page's script calls, before anything else:
 *
 *   GGZYShell.mount({title, subtitle})   fills <header>, adds the navigation and the sign-in
 *   GGZYShell.session                    the page's session (GGZYPage.session(): token in memory)
 *   GGZYShell.onSignIn(fn)               fn(me) after each successful sign-in
 *   GGZYShell.error(text) / clear()      the page's error line (role="alert")
 *
 * The sign-in form has the ids #username, #password, #login and #who (data-state out, busy, in
 * or refused); everything from the server is set with textContent.
 */
"use strict";

const GGZYShell = (() => {
  const PAGES = [
    ["/", "公告 Announcements"],
    ["/projects.html", "项目 Projects"],
    ["/bid.html", "投标 Bid"],
    ["/custodian.html", "开标密钥 Opening key"],
    ["/opening.html", "开标记录 Opening record"],
    ["/venues.html", "场地 Venues"],
    ["/draws.html", "专家抽取 Draws"],
    ["/deposits.html", "保证金 Deposits"],
    ["/evaluation.html", "评标 Evaluation"],
    ["/award.html", "定标与合同 Award"],
  ];
  /* roles by their Chinese names (the API keeps its codes) */
  const ROLES = { center_admin: "交易中心工作人员", agent: "招标代理", tenderer: "招标人", bidder: "投标人",
                  expert: "评标专家", supervisor: "监督人员" };
  const session = GGZYPage.session();
  const hooks = [];

  function el(tag, attrs, text) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function signInForm() {
    const f = el("form", { id: "login-form", class: "shell-signin" });
    const u = el("label", {}, "用户名 Username ");
    u.appendChild(el("input", { id: "username", autocomplete: "username", required: "" }));
    const p = el("label", {}, "密码 Password ");
    p.appendChild(el("input", { id: "password", type: "password", autocomplete: "current-password",
                                required: "" }));
    f.append(u, " ", p, " ", el("button", { id: "login", type: "submit" }, "登录 Sign in"), " ",
             el("span", { id: "who", "data-state": "out" }, "未登录 not signed in"));
    f.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const who = document.getElementById("who"), pw = document.getElementById("password");
      who.dataset.state = "busy";
      const r = await session.login(document.getElementById("username").value, pw.value);
      pw.value = "";
      if (!r.me) {
        who.textContent = r.refusal;
        who.dataset.state = "refused";
        return;
      }
      who.textContent = "已登录 signed in: " + r.me.username + (r.me.role ? "（" + (ROLES[r.me.role] || r.me.role) + "）" : "");
      who.dataset.state = "in";
      for (const fn of hooks) fn(r.me);
    });
    return f;
  }

  function mount(opts) {
    let header = document.querySelector("body > header");
    if (!header) {
      header = el("header");
      document.body.prepend(header);
    }
    header.textContent = "";
    header.append(el("h1", {}, opts.title), el("p", {}, opts.subtitle || ""));
    const nav = el("nav", { "aria-label": "页面 Pages" });
    const here = location.pathname === "/index.html" ? "/" : location.pathname;
    for (const [href, label] of PAGES) {
      const a = el("a", { href }, label);
      if (href === here) a.setAttribute("aria-current", "page");
      nav.append(a, " ");
    }
    nav.append(el("a", { href: "/api/v1/openapi.json" }, "API"));
    header.append(nav);
    if (opts.signIn !== false) header.append(signInForm());
    const err = el("p", { id: "shell-error", role: "alert", class: "shell-error" });
    err.hidden = true;
    header.after(err);
    demoBanner(header);
  }

  /* A demonstration's clock (ggzyd --demo-clock) is named on every page: its times are not today's. */
  async function demoBanner(header) {
    const h = await session.api("GET", "/healthz");
    if (!h.json || !h.json.demo_clock) return;
    const b = el("p", { id: "demo-clock", role: "status", class: "demo-clock" },
                 "演示时钟：本平台的时间为演示时间 " + GGZYPage.beijing(h.json.now_us).slice(0, 16) +
                 "（北京时间），并非真实时间。A demonstration clock: the platform's time is not today's.");
    header.after(b);
  }

  function error(text) {
    const e = document.getElementById("shell-error");
    if (!e) return;
    e.textContent = text;
    e.hidden = !text;
  }

  return { mount, session, onSignIn: (fn) => hooks.push(fn), error, clear: () => error("") };
})();
