// graphmem explorer: a scope's memories and entity graph, searched and browsed over the JSON API (app.py).
// Plain JS, no build step; cytoscape.js is vendored under static/vendor/. Every URL is relative, so the
// page works wherever the app is mounted. `window.explorer` exposes the state for tests.
// Served by `graphmem serve` (at /ui), the page comes with <body data-auth="token">: it asks for an API key,
// keeps it in sessionStorage (this tab only) and sends it as `Authorization: Token <key>`; a 401 asks again.
// Under `graphmem ui` (data-auth="none") there are no keys.
"use strict";
const $ = (sel) => document.querySelector(sel);
const DAY = 86400000;
const KEY = "graphmem-key";
const NEEDS_KEY = document.body.dataset.auth === "token";
const state = { scope: {}, data: null, cy: null, focus: new Set(), showAll: false, asOf: null, query: "",
                results: [], renders: 0, selected: null };
window.explorer = state;

async function api(path, params = {}, options = {}) {
  const query = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== null && v !== undefined && v !== ""));
  const headers = { ...(options.headers || {}) };
  const key = NEEDS_KEY ? sessionStorage.getItem(KEY) : null;
  if (key) headers.Authorization = `Token ${key}`;
  const response = await fetch(`api/${path}${query.size ? "?" + query : ""}`, { ...options, headers });
  const body = await response.json();
  if (response.status === 401 && NEEDS_KEY) askForKey(body.detail);
  if (!response.ok) throw new Error(body.detail || response.statusText);
  return body;
}

// -- API key (graphmem serve only) ---------------------------------------------------------------------
function askForKey(why) {
  sessionStorage.removeItem(KEY);
  $("#key-note").textContent = why || "";
  $("#key-form").hidden = false;
  $("#key").focus();
}

// A key a header cannot carry (outside Latin-1) would make fetch throw before sending: no 401, no new prompt.
function keyUsable(key) {
  try { new Headers({ Authorization: `Token ${key}` }); return true; } catch { return false; }
}

function useKey(event) {
  event.preventDefault();
  const key = $("#key").value.trim();
  if (!key) return;
  if (!keyUsable(key)) {
    $("#key-note").textContent = "That is not an API key: keys are plain letters, digits and symbols.";
    return;
  }
  sessionStorage.setItem(KEY, key);
  $("#key").value = "";
  $("#key-form").hidden = true;
  start();
}

function setStatus(text) { $("#status").textContent = text; }

function element(tag, props = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  children.forEach((child) => node.append(child));
  return node;
}

// -- scopes ------------------------------------------------------------------------------------------
async function loadScopes() {
  const scopes = await api("scopes");
  const select = $("#scope");
  select.replaceChildren(...scopes.map((s, i) => element("option", {
    value: i, textContent: Object.entries(s).filter(([, v]) => v).map(([k, v]) => `${k}=${v}`).join(" ") })));
  state.scopes = scopes;
  const wanted = new URLSearchParams(location.search).get("user_id");
  const index = Math.max(0, scopes.findIndex((s) => s.user_id === wanted));
  select.value = String(index);
  if (scopes.length) await pickScope(scopes[index]);
  else { state.data = null; forgetShown(); render(); setStatus("No memories in this store yet."); }
}

// A new scope (or key) shows nothing of the former one: not its results, not the memory picked among them.
function forgetShown() {
  state.results = []; state.selected = null;
  $("#results").replaceChildren();
  $("#details").replaceChildren(element("h2", { textContent: "Memory" }),
    element("p", { className: "hint", textContent: "Search, then pick a result or a memory node." }));
}

async function pickScope(scope) {
  state.scope = scope; state.focus.clear(); forgetShown();
  state.data = await api("graph", scope);
  state.focus = new Set(mostMentioned(5));  // a first view that is not empty: the scope's main entities
  setUpSlider(state.data.times);
  render();
}

function mostMentioned(count) {
  return state.data.nodes.filter((n) => n.data.kind === "entity")
    .sort((a, b) => (b.data.mentions || 0) - (a.data.mentions || 0)).slice(0, count).map((n) => n.data.id);
}

// -- time slider -------------------------------------------------------------------------------------
function setUpSlider(times) {
  const slider = $("#asof");
  const first = times.first ? Date.parse(times.first) : Date.now() - DAY;
  slider.min = String(Math.floor(first / DAY) * DAY);
  slider.max = String(Math.ceil(Date.now() / DAY) * DAY);
  slider.value = slider.max;
  state.asOf = null;
  $("#asof-label").textContent = "now";
}

function onSlide() {
  const slider = $("#asof");
  const atEnd = Number(slider.value) >= Number(slider.max);
  state.asOf = atEnd ? null : new Date(Number(slider.value)).toISOString();
  $("#asof-label").textContent = atEnd ? "now" : state.asOf.slice(0, 10);
  if (state.query) search(state.query); else render();
}

function holds(data) {
  if (!data.start && !data.end) return true;
  if (state.asOf === null) return !data.end;
  return (!data.start || data.start <= state.asOf) && (!data.end || state.asOf < data.end);
}

// -- graph ------------------------------------------------------------------------------------------
function visibleElements() {
  const data = state.data || { nodes: [], edges: [] };
  const nodes = new Map(data.nodes.filter((n) => holds(n.data)).map((n) => [n.data.id, n]));
  const edges = data.edges.filter((e) => holds(e.data) && nodes.has(e.data.source) && nodes.has(e.data.target));
  if (state.showAll) return [...nodes.values(), ...edges];
  const keep = new Set([...state.focus].filter((id) => nodes.has(id)));
  const entities = new Set([...keep].filter((id) => nodes.get(id).data.kind === "entity"));
  edges.filter((e) => e.data.kind === "mentions" && keep.has(e.data.source)).forEach((e) => entities.add(e.data.target));
  const shown = edges.filter((e) => (e.data.kind === "relates" && (entities.has(e.data.source) || entities.has(e.data.target)))
    || (e.data.kind === "mentions" && keep.has(e.data.source)));
  shown.forEach((e) => { keep.add(e.data.source); keep.add(e.data.target); });
  return [...[...keep].map((id) => nodes.get(id)), ...shown];
}

function render() {
  const elements = visibleElements();
  const cy = state.cy;
  cy.elements().remove();
  cy.add(elements);
  const big = elements.length > 600;
  cy.layout({ name: big ? "grid" : "cose", animate: false, fit: true, padding: 20 }).run();
  state.renders += 1;
  setStatus(`${cy.nodes().length} nodes, ${cy.edges().length} edges${state.asOf ? " as of " + state.asOf.slice(0, 10) : ""}`);
}

function makeGraph() {
  state.cy = cytoscape({
    container: $("#graph"), wheelSensitivity: 0.3,
    style: [
      { selector: "node", style: { label: "data(label)", "font-size": 9, "text-wrap": "ellipsis", "text-max-width": 120 } },
      { selector: "node[kind = 'entity']", style: { "background-color": "#4C8EDA" } },
      { selector: "node[kind = 'memory']", style: { "background-color": "#F79767", shape: "round-rectangle" } },
      { selector: "node.focus", style: { "border-width": 3, "border-color": "#333" } },
      { selector: "edge", style: { width: 1, "curve-style": "bezier", "line-color": "#bbb", "target-arrow-shape": "triangle",
        "target-arrow-color": "#bbb" } },
      { selector: "edge[kind = 'relates']", style: { label: "data(label)", "font-size": 8, "line-color": "#777",
        "target-arrow-color": "#777" } },
      { selector: "edge[kind = 'mentions']", style: { "line-style": "dashed" } },
    ],
  });
  state.cy.on("tap", "node", (event) => {
    const node = event.target.data();
    if (node.kind === "memory") showDetails(node.id);
    state.focus.add(node.id);  // expand: its neighbours join the view
    render();
  });
  state.cy.on("mouseover", "edge[kind = 'relates'], node[kind = 'memory']", (event) => {
    const data = event.target.data();
    const hover = $("#hover");
    hover.textContent = data.fact || data.text || "";
    hover.style.display = hover.textContent ? "block" : "none";
  });
  state.cy.on("mouseout", "edge, node", () => { $("#hover").style.display = "none"; });
}

// -- search and details -------------------------------------------------------------------------------
async function search(query) {
  state.query = query;
  const found = await api("search", { q: query, ...state.scope, as_of: state.asOf, limit: 10 });
  state.results = found.results;
  $("#results").replaceChildren(...found.results.map(resultItem));
  if (found.results.length) {
    state.focus = new Set([found.results[0].id]);
    await showDetails(found.results[0].id);
  }
  render();
}

function resultItem(result) {
  const signals = Object.entries(result.explain || {}).map(([name, v]) => element("span", {
    textContent: `${name} ${Number(v).toFixed(2)}` }));
  const item = element("li", { className: "result" },
    element("div", { className: "memory", textContent: result.memory }),
    element("div", { className: "score", textContent: `score ${result.score.toFixed(3)} · ${(result.created_at || "").slice(0, 10)}` }),
    element("div", { className: "signals" }, ...signals));
  item.dataset.id = result.id;
  item.addEventListener("click", () => { state.focus = new Set([result.id]); showDetails(result.id); render(); });
  return item;
}

async function showDetails(memoryId) {
  state.selected = memoryId;
  document.querySelectorAll(".result").forEach((li) => li.classList.toggle("selected", li.dataset.id === memoryId));
  const details = await api(`memories/${encodeURIComponent(memoryId)}`);
  const m = details.memory;
  const editor = element("textarea", { id: "edit-text", value: m.memory });
  const save = element("button", { id: "save", textContent: "Save" });
  const remove = element("button", { id: "delete", textContent: "Delete" });
  save.onclick = async () => { await api(`memories/${encodeURIComponent(m.id)}`, {}, { method: "PUT",
    headers: { "Content-Type": "application/json" }, body: JSON.stringify({ text: editor.value }) }); await refresh(m.id); };
  remove.onclick = async () => { await api(`memories/${encodeURIComponent(m.id)}`, {}, { method: "DELETE" }); await refresh(null); };
  $("#details").replaceChildren(
    element("h2", { textContent: "Memory" }),
    element("p", { className: m.invalid_at ? "ended" : "", textContent: m.memory }),
    element("p", { className: "score", textContent: `said ${(m.created_at || "").slice(0, 19)}${m.invalid_at ? " · ended " + m.invalid_at.slice(0, 10) : ""}` }),
    element("h2", { textContent: "Came from" }),
    element("ul", { className: "sources" }, ...details.sources.map((s) => element("li", {
      textContent: `${s.name || s.role || "?"}: ${s.content || ""} (${(s.occurred_at || "").slice(0, 10)})` }))),
    element("h2", { textContent: "History" }),
    element("ol", { className: "history" }, ...details.history.map((h) => element("li", {
      textContent: `${h.event} ${(h.created_at || "").slice(0, 10)}: ${h.old_memory ? h.old_memory + " → " : ""}${h.new_memory || ""}` }))),
    editor, save, remove);
}

async function refresh(memoryId) {
  state.data = await api("graph", state.scope);
  if (state.query) await search(state.query); else render();
  if (memoryId) await showDetails(memoryId); else $("#details").replaceChildren(element("p", { textContent: "Deleted." }));
}

// -- wiring ----------------------------------------------------------------------------------------
makeGraph();
$("#scope").addEventListener("change", (e) => pickScope(state.scopes[Number(e.target.value)]));
$("#search-form").addEventListener("submit", (e) => { e.preventDefault(); const q = $("#query").value.trim(); if (q) search(q); });
$("#asof").addEventListener("input", onSlide);
$("#show-all").addEventListener("click", () => { state.showAll = !state.showAll; render(); });
$("#key-form").addEventListener("submit", useKey);
function start() { loadScopes().catch((error) => setStatus(String(error))); }
const heldKey = sessionStorage.getItem(KEY);
if (NEEDS_KEY && !(heldKey && keyUsable(heldKey))) askForKey("This server needs an API key (graphmem keys create).");
else start();
