// ==UserScript==
// @name         Dragoman — translate forum posts in place
// @namespace    https://dragoman.invalid/userscript
// @version      0.1.0
// @description  Translates forum posts with your local Dragoman service; links, quotes and code stay as they are.
// @match        *://*/*
// @grant        GM_xmlhttpRequest
// @grant        GM.xmlHttpRequest
// @grant        GM_getValue
// @grant        GM_setValue
// @grant        GM.getValue
// @grant        GM.setValue
// @grant        GM_registerMenuCommand
// @grant        GM.registerMenuCommand
// @connect      localhost
// @connect      127.0.0.1
// @run-at       document-idle
// @noframes
// ==/UserScript==

(function dragoman() {
  "use strict";

  // Where posts live, per forum engine: data, not code. The first rule that finds posts wins;
  // users' own selectors (settings) are tried before these, the generic rule after them.
  const SITE_RULES = [
    { name: "reddit (old)", posts: ".thing .usertext-body .md" },
    { name: "reddit", posts: 'shreddit-post [slot="text-body"], shreddit-comment [slot="comment"]' },
    { name: "hacker news", host: /(^|\.)news\.ycombinator\.com$/, posts: ".commtext, .toptext" },
    { name: "stack exchange", posts: ".s-prose.js-post-body, .post-text, .comment-copy" },
    { name: "discourse", posts: ".topic-post .cooked, .post .cooked" },
    { name: "xenforo", posts: ".message-body .bbWrapper, blockquote.messageText" },
    { name: "phpbb", posts: ".postbody .content, .postmsg" },
    { name: "vbulletin", posts: 'div[id^="post_message_"], .js-post__content-text, .postcontent' },
    { name: "inyoka (ubuntuusers)", host: /(^|\.)ubuntuusers\.de$/, posts: ".postinfo + .text, td.post div.text" },
    { name: "lemmy", posts: ".comment-content, .post-listing .md-div" },
    { name: "generic", posts: "article p, article li, main p, main li" },
  ];
  const DEFAULTS = {
    serviceUrl: "http://127.0.0.1:8787",
    token: "",
    target: (navigator.language || "en").split("-")[0],
    mode: "replace", // or "bilingual": the translation under the original
    autoSites: [],
    customSelectors: "",
  };
  const BATCH = 8; // posts per stream request
  const TIMEOUT_MS = 180000;
  const STATE_ATTR = "data-dragoman-state";

  // --- userscript-manager compatibility (Tampermonkey, Violentmonkey, Greasemonkey 4) -------
  const hasGM = typeof GM !== "undefined";
  const gm = {
    async get(key, fallback) {
      if (hasGM && GM.getValue) return GM.getValue(key, fallback);
      if (typeof GM_getValue === "function") return GM_getValue(key, fallback);
      return fallback;
    },
    async set(key, value) {
      if (hasGM && GM.setValue) return GM.setValue(key, value);
      if (typeof GM_setValue === "function") return GM_setValue(key, value);
    },
    request(options) {
      const send = (hasGM && GM.xmlHttpRequest) || (typeof GM_xmlhttpRequest === "function" && GM_xmlhttpRequest);
      if (!send) throw new Error("this userscript manager offers no GM_xmlhttpRequest");
      return send(options);
    },
    menu(name, action) {
      if (typeof GM_registerMenuCommand === "function") GM_registerMenuCommand(name, action);
      else if (hasGM && GM.registerMenuCommand) GM.registerMenuCommand(name, action);
    },
  };

  let settings = { ...DEFAULTS };
  const posts = new Map(); // element -> post record
  const queue = [];
  let busy = false;
  let started = false;

  // --- finding posts -----------------------------------------------------------------------
  function ruleSelectors() {
    const own = settings.customSelectors.trim();
    const rules = SITE_RULES.filter((r) => !r.host || r.host.test(location.hostname));
    return [...(own ? [own] : []), ...rules.map((r) => r.posts)];
  }

  function findPosts(root = document) {
    for (const selector of ruleSelectors()) {
      let found;
      try {
        found = [...root.querySelectorAll(selector)];
      } catch (error) {
        continue; // a user's selector that does not parse
      }
      // Keep the outermost matches: a quote inside a post is translated with its post.
      found = found.filter((el) => !found.some((other) => other !== el && other.contains(el)));
      found = found.filter((el) => el.textContent.trim().length > 1);
      if (found.length) return found;
    }
    return [];
  }

  // --- marks and messages ------------------------------------------------------------------
  function setState(post, state, detail) {
    post.element.setAttribute(STATE_ATTR, state);
    const labels = { queued: "⋯", translating: "translating…", done: "translated", same: "already in your language", failed: "failed" };
    post.badge.textContent = `Dragoman: ${labels[state] || state}${detail ? ` (${detail})` : ""}`;
    post.toggle.hidden = state !== "done";
  }

  function makeBadge(post) {
    const badge = document.createElement("div");
    badge.className = "dragoman-badge";
    badge.style.cssText = "font:11px/1.4 sans-serif;color:#555;margin:2px 0;display:flex;gap:6px;align-items:center";
    const label = document.createElement("span");
    const toggle = document.createElement("button");
    toggle.type = "button";
    toggle.className = "dragoman-toggle";
    toggle.textContent = "show original";
    toggle.style.cssText = "font:11px sans-serif;padding:0 4px;cursor:pointer";
    toggle.hidden = true;
    toggle.addEventListener("click", (event) => {
      event.preventDefault();
      showing(post, !post.showingTranslation);
    });
    badge.append(label, toggle);
    post.element.insertAdjacentElement("beforebegin", badge);
    post.badge = label;
    post.toggle = toggle;
  }

  function banner(message) {
    let box = document.getElementById("dragoman-banner");
    if (!box) {
      box = document.createElement("div");
      box.id = "dragoman-banner";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;z-index:2147483647;right:12px;bottom:12px;max-width:28em;padding:10px 14px;background:#fff3f3;color:#700;border:1px solid #d99;border-radius:6px;font:13px/1.4 sans-serif;box-shadow:0 2px 8px rgba(0,0,0,.2)";
      const close = document.createElement("button");
      close.textContent = "×";
      close.style.cssText = "float:right;margin-left:8px;border:0;background:none;cursor:pointer";
      close.addEventListener("click", () => box.remove());
      box.append(close, document.createElement("span"));
      document.body.append(box);
    }
    box.lastChild.textContent = `Dragoman: ${message}`;
  }

  // --- sending -----------------------------------------------------------------------------
  // Elements are numbered on a copy, so the rebuilt HTML tells which live element is which;
  // the page itself is never marked, and "show original" restores it exactly.
  function snapshot(element) {
    const copy = element.cloneNode(true);
    const live = [element, ...element.querySelectorAll("*")];
    const copies = [copy, ...copy.querySelectorAll("*")];
    copies.forEach((el, index) => el.setAttribute("data-dm", String(index)));
    return {
      html: copy.innerHTML,
      byId: new Map(live.map((el, index) => [String(index), el])),
      original: new Map(live.map((el) => [el, [...el.childNodes]])),
    };
  }

  function streamRequest(items, onLine) {
    return new Promise((resolve, reject) => {
      let seen = 0;
      const consume = (text, final) => {
        const lines = text.split("\n");
        const complete = final ? lines.length : lines.length - 1;
        for (; seen < complete; seen += 1) if (lines[seen].trim()) onLine(JSON.parse(lines[seen]));
      };
      const headers = { "Content-Type": "application/json" };
      if (settings.token) headers.Authorization = `Bearer ${settings.token}`;
      gm.request({
        method: "POST",
        url: `${settings.serviceUrl.replace(/\/+$/, "")}/v1/translate/stream`,
        headers,
        data: JSON.stringify({ q: items, source: "auto", target: settings.target, format: "html", context: document.title }),
        timeout: TIMEOUT_MS,
        onprogress: (response) => response.responseText && consume(response.responseText, false),
        onload: (response) => {
          if (response.status === 401 || response.status === 403) {
            reject(new Error("the service refused the API token; set it in the Dragoman settings"));
          } else if (response.status >= 400) {
            let detail = `HTTP ${response.status}`;
            try {
              detail = JSON.parse(response.responseText).error.message;
            } catch (error) { /* keep the status */ }
            reject(new Error(detail));
          } else {
            consume(response.responseText || "", true);
            resolve();
          }
        },
        onerror: () => reject(new Error(`cannot reach the service at ${settings.serviceUrl}; is \`dragoman serve\` running?`)),
        ontimeout: () => reject(new Error(`the service at ${settings.serviceUrl} did not answer in time`)),
      });
    });
  }

  // --- applying ----------------------------------------------------------------------------
  // The translation is parsed inertly and only its text is copied: elements are the page's own
  // nodes, moved, so their listeners keep working and nothing from the service becomes markup.
  function rebuild(live, translated, byId, built) {
    const children = [];
    for (const node of translated.childNodes) {
      if (node.nodeType === Node.TEXT_NODE) {
        children.push(document.createTextNode(node.data));
      } else if (node.nodeType === Node.ELEMENT_NODE && byId.has(node.getAttribute("data-dm"))) {
        const element = byId.get(node.getAttribute("data-dm"));
        rebuild(element, node, byId, built);
        children.push(element);
      }
    }
    built.set(live, children);
  }

  // The service writes every tag out in full, so its answer parses as XML exactly as it was
  // nested; a browser's HTML parser would re-nest what pages hold (say, a link inside a link).
  function parseTranslation(html) {
    const xml = new DOMParser().parseFromString(`<dm xmlns="http://www.w3.org/1999/xhtml">${html}</dm>`, "application/xml");
    if (!xml.getElementsByTagName("parsererror").length) return xml.documentElement;
    return new DOMParser().parseFromString(`<body>${html}</body>`, "text/html").body;
  }

  // Each numbered element must come back once, under the same parent, or the post stays as it is.
  function sameShape(parsed, byId) {
    const seen = new Set();
    for (const el of parsed.querySelectorAll("[data-dm]")) {
      const id = el.getAttribute("data-dm");
      const live = byId.get(id);
      const parentId = el.parentElement === parsed ? "0" : el.parentElement.getAttribute("data-dm");
      if (!live || seen.has(id) || byId.get(parentId) !== live.parentElement) return false;
      seen.add(id);
    }
    return seen.size === byId.size - 1;
  }

  function showing(post, translation) {
    const lists = translation ? post.translated : post.original;
    for (const [element, children] of lists) element.replaceChildren(...children);
    post.showingTranslation = translation;
    post.toggle.textContent = translation ? "show original" : "show translation";
  }

  function apply(post, line) {
    if (line.error || line.status === "failed") {
      setState(post, "failed", line.error ? line.error.message : "the model could not translate it");
      return;
    }
    if (line.detected_source === settings.target) {
      setState(post, "same");
      return;
    }
    const parsed = parseTranslation(line.text);
    if (!sameShape(parsed, post.snapshot.byId)) {
      setState(post, "failed", "its markup could not be rebuilt safely");
      return;
    }
    if (settings.mode === "bilingual") {
      const copy = post.element.cloneNode(true);
      copy.removeAttribute(STATE_ATTR);
      copy.removeAttribute("id");
      const copyIds = new Map([copy, ...copy.querySelectorAll("*")].map((el, index) => [String(index), el]));
      const built = new Map();
      rebuild(copy, parsed, copyIds, built);
      for (const [element, children] of built) element.replaceChildren(...children);
      copy.classList.add("dragoman-translation");
      copy.style.borderLeft = "3px solid #9bd";
      copy.style.paddingLeft = "6px";
      post.element.insertAdjacentElement("afterend", copy);
      setState(post, "done", line.status !== "ok" ? line.status : "");
      post.toggle.hidden = true;
      return;
    }
    post.translated = new Map();
    rebuild(post.element, parsed, post.snapshot.byId, post.translated);
    showing(post, true);
    setState(post, "done", line.status !== "ok" ? line.status : "");
  }

  // --- scheduling: what is on screen first, then the rest ----------------------------------
  const visible = new Set();
  const watcher = "IntersectionObserver" in window
    ? new IntersectionObserver((entries) => {
      for (const entry of entries) (entry.isIntersecting ? visible.add(entry.target) : visible.delete(entry.target));
      pump();
    }, { rootMargin: "200px" })
    : null;

  function track(element) {
    if (posts.has(element) || element.closest(".dragoman-translation")) return;
    const post = { element, showingTranslation: false };
    makeBadge(post);
    posts.set(element, post);
    queue.push(post);
    setState(post, "queued");
    if (watcher) watcher.observe(element);
  }

  function nextBatch() {
    queue.sort((a, b) => Number(visible.has(b.element)) - Number(visible.has(a.element)));
    return queue.splice(0, BATCH);
  }

  async function pump() {
    if (busy || !queue.length) return;
    busy = true;
    const batch = nextBatch();
    for (const post of batch) {
      post.snapshot = snapshot(post.element);
      post.original = post.snapshot.original;
      setState(post, "translating");
    }
    try {
      await streamRequest(batch.map((post) => post.snapshot.html), (line) => {
        if (typeof line.index === "number" && batch[line.index]) apply(batch[line.index], line);
      });
      for (const post of batch) if (post.element.getAttribute(STATE_ATTR) === "translating") setState(post, "failed", "no answer");
    } catch (error) {
      for (const post of batch) if (post.element.getAttribute(STATE_ATTR) === "translating") setState(post, "failed", error.message);
      banner(error.message);
      busy = false;
      return; // stop here: the next batch would fail the same way
    }
    busy = false;
    pump();
  }

  function scan() {
    findPosts().forEach(track);
    pump();
  }

  function start() {
    if (started) return;
    started = true;
    scan();
    let pending = null;
    new MutationObserver((mutations) => {
      if (!mutations.some((m) => [...m.addedNodes].some((n) => n.nodeType === Node.ELEMENT_NODE && !n.classList.contains("dragoman-badge")))) return;
      clearTimeout(pending);
      pending = setTimeout(scan, 300); // infinite scroll and "load more" add posts in bursts
    }).observe(document.body, { childList: true, subtree: true });
  }

  // --- settings ----------------------------------------------------------------------------
  function settingsPanel() {
    document.getElementById("dragoman-settings")?.remove();
    const panel = document.createElement("form");
    panel.id = "dragoman-settings";
    panel.style.cssText = "position:fixed;z-index:2147483647;top:12px;right:12px;padding:12px;background:#fff;color:#222;border:1px solid #999;border-radius:6px;font:13px sans-serif;display:grid;gap:6px;min-width:22em";
    const field = (label, name, value, type = "text") => {
      const row = document.createElement("label");
      row.textContent = label;
      const input = document.createElement("input");
      input.name = name;
      input.type = type;
      if (type === "checkbox") input.checked = value;
      else input.value = value;
      input.style.cssText = "display:block;width:100%";
      row.append(input);
      panel.append(row);
    };
    field("Service URL", "serviceUrl", settings.serviceUrl);
    field("API token", "token", settings.token, "password");
    field("Translate into (language code)", "target", settings.target);
    field("Bilingual (translation under the original)", "bilingual", settings.mode === "bilingual", "checkbox");
    field(`Translate ${location.hostname} automatically`, "auto", settings.autoSites.includes(location.hostname), "checkbox");
    field("Extra post selectors (CSS)", "customSelectors", settings.customSelectors);
    const save = document.createElement("button");
    save.textContent = "Save";
    panel.append(save);
    panel.addEventListener("submit", async (event) => {
      event.preventDefault();
      const form = new FormData(panel);
      const sites = settings.autoSites.filter((s) => s !== location.hostname);
      if (form.get("auto")) sites.push(location.hostname);
      settings = {
        ...settings,
        serviceUrl: String(form.get("serviceUrl")).trim() || DEFAULTS.serviceUrl,
        token: String(form.get("token")).trim(),
        target: String(form.get("target")).trim() || DEFAULTS.target,
        mode: form.get("bilingual") ? "bilingual" : "replace",
        autoSites: sites,
        customSelectors: String(form.get("customSelectors")),
      };
      await gm.set("settings", JSON.stringify(settings));
      panel.remove();
    });
    document.body.append(panel);
  }

  async function main() {
    try {
      settings = { ...DEFAULTS, ...JSON.parse(await gm.get("settings", "{}")) };
    } catch (error) {
      settings = { ...DEFAULTS };
    }
    gm.menu("Dragoman: translate this page", start);
    gm.menu("Dragoman: settings", settingsPanel);
    if (settings.autoSites.includes(location.hostname)) start();
  }

  main();
})();
