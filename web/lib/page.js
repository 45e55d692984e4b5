/*
 * page.js — what every page shares: one way to call the API and show its refusals, and how
 * times and money are shown. A session keeps its token in the page's memory only (never in
 * storage or a cookie: closing or reloading the page signs out), and sends no cookies.
 *
 * GGZYPage.session()            {token, api(method, path, body), login(username, password)}
 * GGZYPage.refusal(status, j)   "HTTP 422 rule_violation [BID-DEADLINE]: message" (docs/errors.md)
 * GGZYPage.beijing(us)          µs since the epoch as Beijing time, "YYYY-MM-DD hh:mm:ss.mmm"
 * GGZYPage.yuan(fen)            integer fen as yuan with thousands separators (1,234,567.89),
 *                               without floating point
 * GGZYPage.fromBeijing(text)    a datetime-local value ("YYYY-MM-DDThh:mm[:ss]") read as Beijing
 *                               time, as µs since the epoch (null when it is not one)
 * GGZYPage.fen(text)            an amount in yuan as the person types it ("1,234,567.8") as integer
 *                               fen, by string work (null when it is not an amount)
 * GGZYPage.el(tag, text, attrs) a new element with its text (textContent, never markup) and
 *                               attributes
 * GGZYPage.say(id, text, state) a status line: its text and its data-state (busy, done, refused,
 *                               …), which the tests wait on
 */
"use strict";

const GGZYPage = (() => {
  function refusal(status, j) {
    const e = (j && j.error) || {};
    return "HTTP " + status + " " + (e.code || "") + (e.rule ? " [" + e.rule + "]" : "") + ": " +
      (e.message || "no answer");
  }

  function session() {
    const s = { token: null };
    /* One API call: {status, json} (json null when the answer is not JSON). */
    s.api = async (method, path, body) => {
      const h = {};
      if (s.token) h.Authorization = "Bearer " + s.token;
      if (body !== undefined) h["Content-Type"] = "application/json";
      const r = await fetch(path, { method, headers: h, cache: "no-store", credentials: "omit",
                                    body: body === undefined ? undefined : JSON.stringify(body) });
      let json = null;
      try { json = await r.json(); } catch (e) { json = null; }
      return { status: r.status, json };
    };
    /* Sign in: {me} (GET /api/v1/me) on success, else {refusal}. */
    /* The device token a successful login hands out is kept (localStorage, per username): a
     * later login from this browser presents it, so failures others cause for the account do
     * not lock its owner out here (docs/operations.md "Login throttling"). It is no credential:
     * the password is still checked. */
    s.login = async (username, password) => {
      s.token = null;
      const key = "ggzy.device." + username;
      let device = null;
      try { device = localStorage.getItem(key); } catch (e) { device = null; }
      const body = { username, password };
      if (device) body.device_token = device;
      const r = await s.api("POST", "/api/v1/auth/login", body);
      if (r.status !== 200) return { refusal: refusal(r.status, r.json) };
      s.token = r.json.token;
      if (r.json.device_token) {
        try { localStorage.setItem(key, r.json.device_token); } catch (e) { /* private mode */ }
      }
      const me = await s.api("GET", "/api/v1/me");
      return { me: me.status === 200 ? me.json : { username, role: null } };
    };
    return s;
  }

  function beijing(us) {
    if (typeof us !== "number") return "—";
    const d = new Date(Math.floor(us / 1000) + 8 * 3600 * 1000);
    return d.toISOString().replace("T", " ").replace("Z", "").slice(0, 23);
  }

  function yuan(fen) {
    if (typeof fen !== "number" || !Number.isSafeInteger(fen)) return "—";
    const digits = String(Math.abs(fen)).padStart(3, "0"); /* string work: no division rounds */
    const whole = digits.slice(0, -2).replace(/\B(?=(\d{3})+$)/g, ",");
    return (fen < 0 ? "-" : "") + whole + "." + digits.slice(-2);
  }

  function fromBeijing(text) {
    const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(text || "");
    if (!m) return null;
    const [y, mo, d, H, M, S] = m.slice(1).map((x) => Number(x || 0));
    return (Date.UTC(y, mo - 1, d, H, M, S) - 8 * 3600 * 1000) * 1000;
  }

  function fen(text) {
    const m = /^(\d{1,13})(?:\.(\d{1,2}))?$/.exec(String(text || "").replace(/[,，\s]/g, ""));
    if (!m) return null;
    const v = Number(m[1] + (m[2] || "").padEnd(2, "0"));
    return Number.isSafeInteger(v) ? v : null;
  }

  function el(tag, text, attrs) {
    const e = document.createElement(tag);
    if (text !== undefined) e.textContent = text;
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    return e;
  }

  function say(id, text, state) {
    const e = document.getElementById(id);
    e.textContent = text;
    e.dataset.state = state;
  }

  return { session, refusal, beijing, yuan, fromBeijing, fen, el, say };
})();
