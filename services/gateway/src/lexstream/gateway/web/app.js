// lexstream web page: plain DOM, no framework. Everything from the server is put on the
// page with textContent (never innerHTML), so names and text containing HTML stay text.
"use strict";

const state = { key: sessionStorage.getItem("lexstream-key") || "", filters: {}, next: null };
const $ = (id) => document.getElementById(id);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (name === "onclick") node.addEventListener("click", value);
    else if (name === "text") node.textContent = value;
    else node.setAttribute(name, value);
  }
  for (const child of children) node.append(child);
  return node;
}

async function api(path, options = {}) {
  const headers = Object.assign({ "X-API-Key": state.key }, options.headers || {});
  const response = await fetch(path, Object.assign({}, options, { headers }));
  if (response.status === 401) { signOut("Your key was refused; sign in again."); throw new Error("401"); }
  const body = response.headers.get("content-type")?.includes("json") ? await response.json() : await response.text();
  if (!response.ok) throw new Error((body && body.detail) || `HTTP ${response.status}`);
  return body;
}

function signOut(message) {
  state.key = "";
  sessionStorage.removeItem("lexstream-key");
  $("app").hidden = true; $("signin").hidden = false; $("sign-out").hidden = true;
  $("who").textContent = "";
  $("signin-error").textContent = message || "";
}

async function signIn(key) {
  state.key = key;
  try {
    const me = await api("/v1/me");
    sessionStorage.setItem("lexstream-key", key);
    $("who").textContent = me.subject;
    $("signin").hidden = true; $("app").hidden = false; $("sign-out").hidden = false;
    loadMatters();
  } catch (err) {
    if (err.message !== "401") $("signin-error").textContent = err.message;
  }
}

async function loadMatters() {
  const select = $("upload-matter");
  select.replaceChildren(el("option", { value: "", text: "(no matter: admins only)" }));
  try {
    const { matters } = await api("/v1/matters");
    for (const m of matters) select.append(el("option", { value: m.matter_id, text: `${m.matter_id} — ${m.name}` }));
    if (matters.length) select.value = matters[0].matter_id;
  } catch (err) { /* the upload form still works for admins */ }
}

// Highlights come as text with <em> markers; build marks from the pieces, never parse HTML.
function highlighted(fragment) {
  const span = el("span");
  fragment.split(/(<em>|<\/em>)/).reduce((inMark, piece) => {
    if (piece === "<em>") return true;
    if (piece === "</em>") return false;
    if (piece) span.append(inMark ? el("mark", { text: piece }) : document.createTextNode(piece));
    return inMark;
  }, false);
  return span;
}

function clock(seconds) {
  const s = Math.floor(seconds);
  const hh = Math.floor(s / 3600), mm = Math.floor((s % 3600) / 60), ss = s % 60;
  return (hh ? `${hh}:` : "") + `${String(mm).padStart(hh ? 2 : 1, "0")}:${String(ss).padStart(2, "0")}`;
}

async function search(append = false) {
  $("search-error").textContent = "";
  const params = new URLSearchParams({ size: "20", sort: $("sort").value });
  const q = $("q").value.trim();
  if (q) params.set("q", q);
  for (const [name, value] of Object.entries(state.filters)) params.set(name, value);
  if (append && state.next) params.set("search_after", state.next);
  let answer;
  try { answer = await api(`/v1/search?${params}`); }
  catch (err) { if (err.message !== "401") $("search-error").textContent = err.message; return; }
  state.next = answer.next;
  $("more").hidden = !answer.next;
  $("total").textContent = `${answer.total} document${answer.total === 1 ? "" : "s"}`;
  if (!append) $("results").replaceChildren();
  for (const hit of answer.hits) $("results").append(renderHit(hit));
  if (!append) renderFacets(answer.facets);
  renderFilters();
}

function renderHit(hit) {
  const title = el("a", { class: "title", text: hit.title || hit.filename || hit.document_id, onclick: () => openDocument(hit, null) });
  const meta = [hit.jurisdiction, hit.court, hit.decision_date, hit.doc_type, hit.matter_id].filter(Boolean).join(" · ");
  const item = el("li", { class: "hit", "data-document-id": hit.document_id }, title, el("div", { class: "meta", text: meta }));
  for (const h of hit.highlights || []) {
    const where = h.page != null ? `page ${h.page}` : `${clock(h.start)}`;
    const link = el("a", { class: "hl", "data-page": h.page ?? "", "data-start": h.start ?? "", onclick: () => openDocument(hit, h) },
      el("strong", { text: `${where}: ` }), highlighted(h.text));
    item.append(link);
  }
  return item;
}

function renderFacets(facets) {
  const box = $("facets");
  box.replaceChildren();
  const tree = (nodes) => el("ul", {}, ...nodes.map((n) => el("li", {},
    el("a", { class: "facet", "data-facet": "jurisdiction", "data-value": n.path, text: `${n.path.split("/").pop()} (${n.count})`,
      onclick: () => { state.filters.jurisdiction = n.path; search(); } }),
    ...(n.children.length ? [tree(n.children)] : []))));
  if (facets.jurisdiction?.length) box.append(el("h3", { text: "Jurisdiction" }), tree(facets.jurisdiction));
  for (const name of ["court", "doc_type", "language", "matter_id"]) {
    const buckets = facets[name] || [];
    if (!buckets.length) continue;
    box.append(el("h3", { text: name.replace("_", " ") }), el("ul", {}, ...buckets.map((b) => el("li", {},
      el("a", { class: "facet", "data-facet": name, "data-value": b.value, text: `${b.value} (${b.count})`,
        onclick: () => { state.filters[name] = b.value; search(); } })))));
  }
}

function renderFilters() {
  $("filters").replaceChildren(...Object.entries(state.filters).map(([name, value]) =>
    el("span", { class: "chip", text: `${name}: ${value} ✕`, onclick: () => { delete state.filters[name]; search(); } })));
}

async function openDocument(hit, highlight) {
  const viewer = $("viewer");
  viewer.hidden = false;
  const player = $("player");
  player.pause(); player.hidden = true; player.removeAttribute("src");
  $("doc-body").replaceChildren();
  const doc = await api(`/v1/documents/${encodeURIComponent(hit.document_id)}`);
  viewer.dataset.documentId = hit.document_id;
  $("doc-title").textContent = doc.title || doc.filename || hit.document_id;
  $("doc-meta").replaceChildren(...["filename", "status", "matter_id", "jurisdiction", "court", "decision_date", "doc_type", "language"]
    .filter((k) => doc[k] != null)
    .flatMap((k) => [el("dt", { text: k }), el("dd", { class: `meta-${k}`, text: String(doc[k]) })]));
  if (doc.duration != null || (highlight && highlight.start != null)) {
    const { url } = await api(`/v1/documents/${encodeURIComponent(hit.document_id)}/original?redirect=false`);
    const start = highlight && highlight.start != null ? Number(highlight.start) : 0;
    player.hidden = false;
    player.dataset.start = String(start);
    player.addEventListener("loadedmetadata", () => { player.currentTime = start; player.play().catch(() => {}); }, { once: true });
    player.src = url;
    try {
      const transcript = await api(`/v1/documents/${encodeURIComponent(hit.document_id)}/transcript`);
      $("doc-body").replaceChildren(...transcript.segments.map((s) => el("p", { class: "segment" },
        el("a", { class: "hl", text: clock(s.start), onclick: () => { player.currentTime = s.start; player.play().catch(() => {}); } }),
        document.createTextNode(` ${s.text}`))));
    } catch (err) { /* no transcript yet */ }
    return;
  }
  try {
    const text = await api(`/v1/documents/${encodeURIComponent(hit.document_id)}/text`);
    $("doc-body").replaceChildren(...text.pages.map((p) => el("section", { class: "page", id: `page-${p.number}`, "data-page": p.number },
      el("h4", { text: `Page ${p.number}` }), document.createTextNode(p.text))));
    const page = highlight && highlight.page != null ? highlight.page : 1;
    const target = $(`page-${page}`);
    if (target) { target.classList.add("current"); target.scrollIntoView(); viewer.dataset.page = String(page); }
  } catch (err) {
    $("doc-body").replaceChildren(el("p", { class: "error", text: err.message }));
  }
}

function upload(event) {
  event.preventDefault();
  const file = $("upload-file").files[0];
  if (!file) return;
  const form = new FormData();
  const matter = $("upload-matter").value;
  if (matter) form.append("matter_id", matter);  // fields before the file: the gateway streams
  form.append("file", file);
  const xhr = new XMLHttpRequest();
  xhr.open("POST", "/v1/documents");
  xhr.setRequestHeader("X-API-Key", state.key);
  xhr.upload.onprogress = (e) => { if (e.lengthComputable) $("upload-progress").value = (100 * e.loaded) / e.total; };
  xhr.onload = () => {
    let body = {};
    try { body = JSON.parse(xhr.responseText); } catch (err) { /* not JSON */ }
    if (xhr.status !== 202) { $("upload-status").textContent = `Refused: ${body.detail || xhr.status}`; return; }
    $("upload-progress").value = 100;
    $("upload-status").dataset.documentId = body.document_id;
    followStatus(body.status_url);
  };
  xhr.onerror = () => { $("upload-status").textContent = "Upload failed (network)"; };
  $("upload-status").textContent = "uploading";
  xhr.send(form);
}

async function followStatus(url) {
  for (;;) {
    let doc;
    try { doc = await api(url); } catch (err) { doc = { status: "received" }; }
    $("upload-status").textContent = doc.status + (doc.failure_reason ? `: ${doc.failure_reason}` : "");
    $("upload-status").dataset.status = doc.status;
    if (doc.status === "indexed" || doc.status === "failed") return;
    await new Promise((resolve) => setTimeout(resolve, 700));
  }
}

document.addEventListener("DOMContentLoaded", () => {
  $("signin-form").addEventListener("submit", (e) => { e.preventDefault(); signIn($("api-key").value.trim()); });
  $("sign-out").addEventListener("click", () => signOut(""));
  $("search-form").addEventListener("submit", (e) => { e.preventDefault(); state.next = null; search(); });
  $("more").addEventListener("click", () => search(true));
  $("close-viewer").addEventListener("click", () => { $("player").pause(); $("viewer").hidden = true; });
  $("upload-form").addEventListener("submit", upload);
  if (state.key) signIn(state.key);
});
