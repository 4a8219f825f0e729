// The report's script: speakers and articles tables, and each article's view built when it
// is opened. Navigation is by the URL's hash: #article=ID, with &quote=N or &actor=K to
// select a quote or an actor (so a view can be linked to).
"use strict";
(function () {
  const t0 = performance.now();
  const D = JSON.parse(document.getElementById("data").textContent);
  const $ = (id) => document.getElementById(id);
  const el = (tag, attrs, text) => {
    const e = document.createElement(tag);
    if (attrs) for (const k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  };
  const byId = new Map();
  D.articles.forEach((a, i) => { if (!byId.has(a.id)) byId.set(a.id, i); });

  // ---- speakers table: sortable, filterable, the first 500 rows shown.
  const SHOW = 500;
  let spSort = { col: 3, dir: -1 };
  function drawSpeakers() {
    const f = $("speaker-filter").value.trim().toLowerCase();
    let rows = D.speakers.filter((s) => !f || s[0].toLowerCase().includes(f));
    const c = spSort.col, d = spSort.dir;
    rows.sort((a, b) => {
      const x = a[c] === null ? "" : a[c], y = b[c] === null ? "" : b[c];
      return (typeof x === "number" ? x - y : String(x).localeCompare(String(y))) * d || b[3] - a[3];
    });
    const tb = $("speakers-table").tBodies[0];
    tb.replaceChildren();
    for (const s of rows.slice(0, SHOW)) {
      const tr = el("tr", { "data-name": s[0] });
      tr.append(el("td", null, s[0]), el("td", null, s[1]), el("td", null, s[2] || "unknown"),
        el("td", { class: "num" }, s[3]), el("td", { class: "num" }, s[4]));
      tr.addEventListener("click", () => {
        $("article-filter").value = "speaker:" + s[0];
        page = 0; drawArticles();
        location.hash = "view=articles";
      });
      tb.append(tr);
    }
    $("speakers-count").textContent = rows.length > SHOW
      ? `${rows.length} speakers, the first ${SHOW} shown` : `${rows.length} speakers`;
    for (const th of $("speakers-table").tHead.rows[0].cells) {
      th.classList.toggle("asc", +th.dataset.col === c && d > 0);
      th.classList.toggle("desc", +th.dataset.col === c && d < 0);
    }
  }
  for (const th of $("speakers-table").tHead.rows[0].cells) {
    th.addEventListener("click", () => {
      const c = +th.dataset.col;
      spSort = { col: c, dir: spSort.col === c ? -spSort.dir : (c >= 3 ? -1 : 1) };
      drawSpeakers();
    });
  }
  $("speaker-filter").addEventListener("input", drawSpeakers);

  // ---- articles table: filter by id or title, or "speaker:NAME"; pages of 100.
  const PAGE = 100;
  let page = 0;
  function speaks(a, name) {
    return a.quotes.some((q) => {
      const n = q[4] !== null && a.actors[q[4]] ? a.actors[q[4]][0] : q[5];
      return n && n.toLowerCase() === name;
    });
  }
  function drawArticles() {
    const f = $("article-filter").value.trim().toLowerCase();
    let idx = [];
    if (f.startsWith("speaker:")) {
      const name = f.slice(8).trim();
      D.articles.forEach((a, i) => { if (speaks(a, name)) idx.push(i); });
    } else {
      D.articles.forEach((a, i) => {
        if (!f || a.id.toLowerCase().includes(f) || (a.title || "").toLowerCase().includes(f)) idx.push(i);
      });
    }
    const pages = Math.max(1, Math.ceil(idx.length / PAGE));
    page = Math.min(page, pages - 1);
    const tb = $("articles-table").tBodies[0];
    tb.replaceChildren();
    for (const i of idx.slice(page * PAGE, page * PAGE + PAGE)) {
      const a = D.articles[i];
      const tr = el("tr");
      const link = el("a", { href: "#article=" + encodeURIComponent(a.id) }, a.id);
      const td = el("td"); td.append(link);
      const title = el("td", null, a.title || "");
      if (a.error) title.append(el("span", { class: "bad" }, " error: " + a.error));
      tr.append(td, title, el("td", { class: "num" }, a.quotes.length), el("td", { class: "num" }, a.ents.length));
      tr.addEventListener("click", (ev) => { if (ev.target !== link) location.hash = link.getAttribute("href"); });
      tb.append(tr);
    }
    $("articles-count").textContent = `${idx.length} articles` + (pages > 1 ? `, page ${page + 1} of ${pages}` : "");
    const nav = $("pager");
    nav.replaceChildren();
    if (pages > 1) {
      const prev = el("button", null, "previous"), next = el("button", null, "next");
      prev.disabled = page === 0; next.disabled = page >= pages - 1;
      prev.onclick = () => { page--; drawArticles(); };
      next.onclick = () => { page++; drawArticles(); };
      nav.append(prev, next);
    }
  }
  $("article-filter").addEventListener("input", () => { page = 0; drawArticles(); });

  // ---- one article's view.
  let cur = null; // {i, a, quoteSegs, actorSegs, rows, pinned}
  function openArticle(i) {
    const a = D.articles[i];
    $("av-title").textContent = (a.title || a.id);
    const meta = [`id ${a.id}`, `${a.quotes.length} quotes`, `${a.ents.length} entities`];
    $("av-meta").textContent = meta.join(" · ");
    if (a.error) $("av-meta").append(el("span", { class: "bad" }, " · error: " + a.error));
    if (a.note) $("av-meta").append(el("span", { class: "bad" }, " · " + a.note));
    const spans = [];
    a.ents.forEach((e, k) => spans.push({ s: e[0], e: e[1], t: "ent", l: e[2], act: e[3], k }));
    a.quotes.forEach((q, qi) => {
      q[1].forEach((c) => spans.push({ s: c[0], e: c[1], t: "qc", q: qi }));
      if (q[2]) spans.push({ s: q[2][0], e: q[2][1], t: "qcue", q: qi });
      if (q[3]) spans.push({ s: q[3][0], e: q[3][1], t: "qsp", q: qi, act: q[4] });
    });
    const chars = Array.from(a.text); // offsets are code points
    const cuts = new Set([0, chars.length]);
    for (const x of spans) { cuts.add(Math.min(x.s, chars.length)); cuts.add(Math.min(x.e, chars.length)); }
    const pts = [...cuts].sort((x, y) => x - y);
    spans.sort((x, y) => x.s - y.s || y.e - x.e);
    const box = $("av-text");
    box.replaceChildren();
    const quoteSegs = a.quotes.map(() => []);
    const actorSegs = a.actors.map(() => []);
    let active = [], next = 0;
    const frag = document.createDocumentFragment();
    for (let k = 0; k + 1 < pts.length; k++) {
      const s = pts[k], e = pts[k + 1];
      while (next < spans.length && spans[next].s <= s) active.push(spans[next++]);
      active = active.filter((x) => x.e > s);
      const text = chars.slice(s, e).join("");
      const cover = active.filter((x) => x.s <= s && x.e >= e);
      if (!cover.length) { frag.append(document.createTextNode(text)); continue; }
      const seg = el("span", null, text);
      const cls = new Set(["seg"]);
      seg._q = []; seg._act = null;
      for (const x of cover) {
        cls.add(x.t);
        if (x.t === "ent") { cls.add("ent-" + x.l); seg.title = x.l; }
        if (x.q !== undefined) {
          seg._q.push(x);
          quoteSegs[x.q].push(seg);
        }
        if (x.act !== undefined && x.act !== null && actorSegs[x.act]) {
          seg._act = x.act;
          if (!actorSegs[x.act].includes(seg)) actorSegs[x.act].push(seg);
        }
      }
      seg.className = [...cls].join(" ");
      frag.append(seg);
    }
    box.append(frag);
    // Quotes table.
    const tb = $("av-quotes").tBodies[0];
    tb.replaceChildren();
    const rows = a.quotes.map((q, qi) => {
      const tr = el("tr", { "data-quote": qi });
      const who = q[4] !== null && a.actors[q[4]] ? a.actors[q[4]][0] : (q[5] || "");
      tr.append(el("td", null, qi), el("td", null, q[3] ? chars.slice(q[3][0], q[3][1]).join("") : "—"),
        el("td", null, who), el("td", null, q[2] ? chars.slice(q[2][0], q[2][1]).join("") : "—"),
        el("td", null, q[1].map((c) => chars.slice(c[0], c[1]).join("")).join(" … ")),
        el("td", { class: "num" }, q[6].toFixed(3)));
      tr.addEventListener("mouseenter", () => { if (!cur.pinned) selectQuote(qi); });
      tr.addEventListener("click", () => { selectQuote(qi, true); reveal(quoteSegs[qi][0]); });
      tb.append(tr);
      return tr;
    });
    cur = { i, a, chars, quoteSegs, actorSegs, rows, pinned: false };
    clearSel();
  }

  function clearSel() {
    const box = $("av-text");
    box.classList.remove("focus");
    for (const s of box.querySelectorAll(".sel,.sel-a")) s.classList.remove("sel", "sel-a");
    for (const r of cur.rows) r.classList.remove("sel");
  }
  const slice = (sp) => cur.chars.slice(sp[0], sp[1]).join("");
  function info(items) {
    const dl = el("dl");
    for (const [k, v] of items) {
      const dd = el("dd");
      if (Array.isArray(v)) {
        const ol = el("ul");
        for (const x of v) ol.append(el("li", null, x));
        dd.append(ol);
      } else dd.textContent = v;
      dl.append(el("dt", null, k), dd);
    }
    $("av-info").replaceChildren(dl);
  }
  function selectQuote(qi, pin) {
    clearSel();
    if (pin !== undefined) cur.pinned = pin;
    const q = cur.a.quotes[qi];
    $("av-text").classList.add("focus");
    for (const s of cur.quoteSegs[qi]) s.classList.add("sel");
    cur.rows[qi].classList.add("sel");
    const actor = q[4] !== null ? cur.a.actors[q[4]] : null;
    info([
      ["Quote", `${qi} · ${q[0]} · confidence ${q[6].toFixed(3)}`],
      ["Speaker", q[3] ? slice(q[3]) : "none found"],
      ["Resolved to", actor ? `${actor[0]} (${actor[1]}${actor[2] ? ", " + actor[2] : ""})` : (q[5] ? `${q[5]} (no actor)` : "—")],
      ["Speaker kind", q[7]],
      ["Cue", q[2] ? slice(q[2]) : "—"],
      ["Content", q[1].map(slice).join(" … ")],
    ]);
    $("av-info").dataset.quote = qi;
    delete $("av-info").dataset.actor;
  }
  function selectActor(k, pin) {
    clearSel();
    if (pin !== undefined) cur.pinned = pin;
    const actor = cur.a.actors[k];
    const qs = [];
    cur.a.quotes.forEach((q, qi) => { if (q[4] === k) qs.push(qi); });
    $("av-text").classList.toggle("focus", qs.length > 0);
    for (const s of cur.actorSegs[k]) s.classList.add("sel-a");
    for (const qi of qs) { for (const s of cur.quoteSegs[qi]) s.classList.add("sel"); cur.rows[qi].classList.add("sel"); }
    info([
      ["Actor", `${actor[0]} (${actor[1]}${actor[2] ? ", " + actor[2] : ""})`],
      ["Mentions", String(cur.actorSegs[k].length)],
      ["Quotes", qs.length ? qs.map((qi) => `${qi}: ${cur.a.quotes[qi][1].map(slice).join(" … ")}`) : "none"],
    ]);
    $("av-info").dataset.actor = k;
    delete $("av-info").dataset.quote;
  }
  // Hover selects; a click pins the selection (a second click, or Escape, frees it).
  function pick(seg, pin) {
    if (!seg || !seg.classList.contains("seg")) return false;
    const role = seg._q.find((x) => x.t === "qsp" || x.t === "qcue");
    if (seg._act !== null && (!seg._q.length || (role && role.t === "qsp" && role.act !== null))) { selectActor(seg._act, pin); return true; }
    const x = role || seg._q[seg._q.length - 1];
    if (x) { selectQuote(x.q, pin); return true; }
    return false;
  }
  $("av-text").addEventListener("mouseover", (ev) => { if (cur && !cur.pinned) pick(ev.target); });
  $("av-text").addEventListener("click", (ev) => {
    if (!cur) return;
    if (cur.pinned) { cur.pinned = false; clearSel(); pick(ev.target); return; }
    if (!pick(ev.target, true)) clearSel();
  });
  document.addEventListener("keydown", (ev) => { if (ev.key === "Escape" && cur) { cur.pinned = false; clearSel(); } });
  for (const [id, cls] of [["t-ent", "hide-ent"], ["t-quote", "hide-quote"], ["t-speaker", "hide-speaker"]]) {
    $(id).addEventListener("change", (ev) => $("av-text").classList.toggle(cls, !ev.target.checked));
  }

  // Scrolls the article's text (not the page) so that `seg` shows in its upper third.
  function reveal(seg) {
    const box = $("av-text");
    if (seg) box.scrollTop = Math.max(0, seg.offsetTop - box.clientHeight / 3);
  }
  const TABS = ["summary", "speakers", "articles", "article-view"];
  function show(tab) {
    for (const t of TABS) $(t).hidden = t !== tab;
    for (const a of $("tabs").querySelectorAll("a")) a.classList.toggle("on", a.dataset.tab === tab);
    document.body.dataset.tab = tab;
  }
  function route() {
    const hash = location.hash.slice(1);
    const h = new URLSearchParams(hash);
    const id = h.get("article");
    if (id === null || !byId.has(id)) {
      // Tabs are "#view=NAME", not "#NAME", so the browser does not scroll to a section's id.
      const view = h.get("view");
      show(TABS.includes(view) && view !== "article-view" ? view : "summary");
      window.scrollTo(0, 0);
      return;
    }
    const i = byId.get(id);
    if (!cur || cur.i !== i) openArticle(i);
    const tab = $("tab-article");
    tab.hidden = false;
    tab.href = "#article=" + encodeURIComponent(id);
    tab.textContent = "Article: " + (id.length > 40 ? id.slice(0, 40) + "…" : id);
    show("article-view");
    const q = h.get("quote"), k = h.get("actor");
    if (q !== null && cur.a.quotes[+q]) { selectQuote(+q, true); reveal(cur.quoteSegs[+q][0]); }
    else if (k !== null && cur.a.actors[+k]) { selectActor(+k, true); reveal(cur.actorSegs[+k][0]); }
    window.scrollTo(0, 0);
  }
  window.addEventListener("hashchange", route);
  drawSpeakers();
  drawArticles();
  route();
  document.body.dataset.renderMs = (performance.now() - t0).toFixed(1);
})();
