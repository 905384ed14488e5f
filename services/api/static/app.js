// Dragoman's built-in page. Model output is only ever inserted as text, never as HTML.
"use strict";

const $ = (id) => document.getElementById(id);

async function api(path, body) {
  const response = await fetch(path, {
    method: body ? "POST" : "GET",
    headers: body ? { "Content-Type": "application/json" } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!response.ok) {
    let message = `HTTP ${response.status}`;
    try { message = (await response.json()).error.message; } catch (error) { /* keep the status */ }
    if (response.status === 401) {
      message = "no token: open this page through the link `dragoman serve` prints (it ends in /?token=…)";
    }
    throw new Error(message);
  }
  return response;
}

function selectTab(name) {
  for (const tab of ["translate", "proofread"]) {
    $(`tab-${tab}`).setAttribute("aria-selected", String(tab === name));
    $(`panel-${tab}`).hidden = tab !== name;
  }
}

async function loadLanguages() {
  const languages = await (await api("/languages")).json();
  const preferred = (navigator.language || "en").split("-")[0];
  for (const { code, name } of languages) {
    $("source").append(new Option(`${name} (${code})`, code));
    $("target").append(new Option(`${name} (${code})`, code, false, code === preferred));
  }
}

async function showHealth() {
  try {
    const health = await (await api("/health")).json();
    const t = health.backends.translate;
    $("health").textContent = `${t.preset} on ${t.backend} — ${health.status}`;
  } catch (error) {
    $("health").textContent = `service: ${error.message}`;
  }
}

// --- translate: items separated by blank lines stream back one by one ----------------------
async function translate() {
  const text = $("source-text").value;
  const format = $("format").value;
  const items = format === "text" ? text.split(/\n\s*\n/).filter((s) => s.trim()) : [text];
  const out = $("translation");
  out.replaceChildren();
  $("translate-status").textContent = "translating…";
  const slots = items.map(() => {
    const slot = document.createElement("div");
    slot.className = "item pending";
    slot.textContent = "…";
    out.append(slot, document.createTextNode("\n\n"));
    return slot;
  });
  try {
    const response = await api("/v1/translate/stream", {
      q: items, source: $("source").value, target: $("target").value, format,
    });
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      buffer += decoder.decode(value || new Uint8Array(), { stream: !done });
      const lines = buffer.split("\n");
      buffer = lines.pop();
      for (const line of lines.filter((l) => l.trim())) showItem(JSON.parse(line), slots);
      if (done) break;
    }
  } catch (error) {
    $("translate-status").textContent = error.message;
    $("translate-status").classList.add("error");
  }
}

function showItem(line, slots) {
  if (line.done) {
    $("translate-status").textContent = `done: ${Object.entries(line.statuses).map(([k, v]) => `${v} ${k}`).join(", ")}`;
    $("translate-status").classList.remove("error");
    return;
  }
  const slot = slots[line.index];
  slot.className = `item ${line.status}`;
  slot.textContent = line.error ? `${line.error.message}` : line.text;
  slot.title = `${line.status}${line.detected_source ? `, from ${line.detected_source}` : ""}`;
}

// --- proofread: issues highlighted in place, explained on hover, applied with a click --------
let issues = [];

async function proofread() {
  $("proofread-status").textContent = "checking…";
  try {
    const body = await (await api("/v1/proofread", { text: $("proof-text").value, format: $("proof-format").value })).json();
    issues = body.issues;
    $("proofread-status").textContent = `${issues.length} issues in ${body.stats.sentences} sentences`;
    $("proofread-status").classList.remove("error");
    render();
  } catch (error) {
    $("proofread-status").textContent = error.message;
    $("proofread-status").classList.add("error");
  }
}

function render() {
  const text = $("proof-text").value;
  const chars = Array.from(text); // offsets count code points, as the API does
  const view = $("proof-view");
  const list = $("issues");
  view.replaceChildren();
  list.replaceChildren();
  let at = 0;
  const ordered = issues.filter((i, n) => n === 0 || i.offset >= issues[n - 1].offset + issues[n - 1].length);
  for (const issue of ordered) {
    view.append(document.createTextNode(chars.slice(at, issue.offset).join("")));
    const mark = document.createElement("mark");
    mark.className = `issue ${issue.category}`;
    mark.textContent = chars.slice(issue.offset, issue.offset + issue.length).join("");
    mark.title = issue.message + (issue.replacements.length ? ` Click to use “${issue.replacements[0]}”.` : "");
    if (issue.replacements.length) mark.addEventListener("click", () => applyFix(issue));
    view.append(mark);
    at = issue.offset + issue.length;
    const item = document.createElement("li");
    item.textContent = `${issue.category}: ${issue.message}`;
    list.append(item);
  }
  view.append(document.createTextNode(chars.slice(at).join("")));
}

function applyFix(issue) {
  const chars = Array.from($("proof-text").value);
  chars.splice(issue.offset, issue.length, ...Array.from(issue.replacements[0]));
  $("proof-text").value = chars.join("");
  proofread();
}

$("tab-translate").addEventListener("click", () => selectTab("translate"));
$("tab-proofread").addEventListener("click", () => selectTab("proofread"));
$("translate").addEventListener("click", translate);
$("proofread").addEventListener("click", proofread);
loadLanguages().catch((error) => { $("translate-status").textContent = error.message; });
showHealth();
