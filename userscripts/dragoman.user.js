// ==UserScript==
// @name         Dragoman — translate forum posts in place
// @namespace    https://dragoman.invalid/userscript
// @version      0.1.1
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

  // ---- Configuration: defaults and limits ---------------------------------------------------
  const DEFAULTS = {
    serviceUrl: "http://127.0.0.1:8787",
    token: "",
    target: (navigator.language || "en").split("-")[0],
    mode: "replace", // or "bilingual": the translation under the original
    autoSites: [],
    customSelectors: "",
  };
  const BATCH_SIZE = 8; // posts per stream request
  const TIMEOUT_MS = 180000;
  const RESCAN_DELAY_MS = 300; // infinite scroll and "load more" add posts in bursts
  const STATE_ATTR = "data-dragoman-state";
  const NUMBER_ATTR = "data-dm"; // numbers the elements of the copy sent to the service
  const BADGE_CLASS = "dragoman-badge";
  const TRANSLATION_CLASS = "dragoman-translation";

  // ---- Userscript-manager compatibility (Tampermonkey, Violentmonkey, Greasemonkey 4) -------
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

  // ---- Site rules: where posts live, per forum engine -----------------------------------------
  // Data, not code. The first rule that finds posts wins; users' own selectors (settings) are
  // tried before these, the generic rule after them.
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

  function postSelectors() {
    const own = settings.customSelectors.trim();
    const rulesForThisSite = SITE_RULES.filter((rule) => !rule.host || rule.host.test(location.hostname));
    return [...(own ? [own] : []), ...rulesForThisSite.map((rule) => rule.posts)];
  }

  function findPosts(root = document) {
    for (const selector of postSelectors()) {
      const found = matchesOf(root, selector).filter(isOutermost).filter(hasText);
      if (found.length) return found;
    }
    return [];
  }

  function matchesOf(root, selector) {
    try {
      return [...root.querySelectorAll(selector)];
    } catch (error) {
      return []; // a user's selector that does not parse
    }
  }

  // A quote inside a post is translated with its post, not as a post of its own.
  function isOutermost(element, index, matches) {
    return !matches.some((other) => other !== element && other.contains(element));
  }

  function hasText(element) {
    return element.textContent.trim().length > 1;
  }

  // ---- Settings: the user's choices, kept by the userscript manager ---------------------------
  let settings = { ...DEFAULTS };

  async function loadSettings() {
    try {
      return { ...DEFAULTS, ...JSON.parse(await gm.get("settings", "{}")) };
    } catch (error) {
      return { ...DEFAULTS }; // unreadable settings must not keep the script from running
    }
  }

  function settingsFromForm(form) {
    const otherAutoSites = settings.autoSites.filter((site) => site !== location.hostname);
    return {
      ...settings,
      serviceUrl: String(form.get("serviceUrl")).trim() || DEFAULTS.serviceUrl,
      token: String(form.get("token")).trim(),
      target: String(form.get("target")).trim() || DEFAULTS.target,
      mode: form.get("bilingual") ? "bilingual" : "replace",
      autoSites: form.get("auto") ? [...otherAutoSites, location.hostname] : otherAutoSites,
      customSelectors: String(form.get("customSelectors")),
    };
  }

  async function saveSettings(changed) {
    settings = changed;
    await gm.set("settings", JSON.stringify(settings));
  }

  // ---- Service client: one streaming request per batch, answered as NDJSON --------------------
  // Resolves when the service has answered every item; each answer line goes to onAnswer as it
  // arrives. Every failure, a malformed line included, rejects the promise.
  function streamRequest(items, onAnswer) {
    return new Promise((resolve, reject) => {
      const readLines = ndjsonReader(onAnswer);
      let finished = false;
      const finish = (error) => {
        finished = true;
        if (error) reject(error);
        else resolve();
      };
      // The manager calls these from its own events, outside this promise: anything thrown
      // there would go uncaught, so it rejects instead, and later calls are ignored.
      const guarded = (handler) => (response) => {
        if (finished) return;
        try {
          handler(response);
        } catch (error) {
          finish(error);
        }
      };
      gm.request({
        method: "POST",
        url: `${settings.serviceUrl.replace(/\/+$/, "")}/v1/translate/stream`,
        headers: requestHeaders(),
        data: JSON.stringify({ q: items, source: "auto", target: settings.target, format: "xhtml", context: document.title }),
        timeout: TIMEOUT_MS,
        onprogress: guarded((response) => readLines(response.responseText || "", false)),
        onload: guarded((response) => {
          const refusal = refusalOf(response);
          if (refusal) return finish(refusal);
          readLines(response.responseText || "", true);
          finish(null);
        }),
        onerror: guarded(() => finish(new Error(`cannot reach the service at ${settings.serviceUrl}; is \`dragoman serve\` running?`))),
        ontimeout: guarded(() => finish(new Error(`the service at ${settings.serviceUrl} did not answer in time`))),
      });
    });
  }

  function requestHeaders() {
    const headers = { "Content-Type": "application/json" };
    if (settings.token) headers.Authorization = `Bearer ${settings.token}`;
    return headers;
  }

  // The response text grows while the stream runs; the reader hands on each line once, when it
  // is complete (the last one only when the response is final).
  function ndjsonReader(onValue) {
    let linesRead = 0;
    return (text, final) => {
      const lines = text.split("\n");
      const completeLines = final ? lines.length : lines.length - 1;
      for (; linesRead < completeLines; linesRead += 1) {
        const line = lines[linesRead];
        if (line.trim()) onValue(parseJsonLine(line));
      }
    };
  }

  function parseJsonLine(line) {
    try {
      return JSON.parse(line);
    } catch (error) {
      throw new Error("the service sent an answer line that is not JSON");
    }
  }

  function refusalOf(response) {
    if (response.status === 401 || response.status === 403) {
      return new Error("the service refused the API token; set it in the Dragoman settings");
    }
    if (response.status >= 400) return new Error(serviceErrorMessage(response));
    return null;
  }

  function serviceErrorMessage(response) {
    const statusOnly = `HTTP ${response.status}`;
    try {
      return JSON.parse(response.responseText).error.message || statusOnly;
    } catch (error) {
      return statusOnly; // not Dragoman's error format: the status is all there is
    }
  }

  // ---- Snapshot: the post as sent, numbered when it is sent -----------------------------------
  // The service gets a copy whose elements carry numbers, and its answer names elements by them.
  // All the answer is matched against is taken here, at send time, so a post that changes while
  // the service works is noticed rather than rebuilt from the wrong elements. The page itself is
  // never marked, and "show original" restores it exactly.
  function takeSnapshot(element) {
    const liveElements = elementsOf(element);
    const copy = element.cloneNode(true);
    const copyElements = elementsOf(copy);
    copyElements.forEach((el, number) => el.setAttribute(NUMBER_ATTR, String(number)));
    // XML syntax keeps the nesting exactly as the DOM holds it (a link inside a link, which the
    // HTML parser would re-nest); the service reads it as XML and answers in XML.
    const serializer = new XMLSerializer();
    const html = [...copy.childNodes].map((node) => serializer.serializeToString(node)).join("");
    const parentNumbers = new Map(copyElements.slice(1).map((el) => [el.getAttribute(NUMBER_ATTR), el.parentElement.getAttribute(NUMBER_ATTR)]));
    copyElements.forEach((el) => el.removeAttribute(NUMBER_ATTR));
    return {
      html,
      parentNumbers, // number -> its parent's number, for every element below the post
      liveElements: byNumber(liveElements), // the page's own elements
      copyElements: byNumber(copyElements), // the same post, unattached, for bilingual mode
      originalChildren: new Map(liveElements.map((el) => [el, [...el.childNodes]])),
    };
  }

  function elementsOf(root) {
    return [root, ...root.querySelectorAll("*")];
  }

  function byNumber(elements) {
    return new Map(elements.map((el, number) => [String(number), el]));
  }

  // Translating in place moves the page's elements, so they must all still be where they were.
  function unchangedSinceSent(snapshot) {
    const { liveElements, parentNumbers } = snapshot;
    const elementsNow = elementsOf(liveElements.get("0"));
    if (elementsNow.length !== liveElements.size) return false;
    return elementsNow.every((el, index) => {
      const number = String(index);
      if (liveElements.get(number) !== el) return false;
      return number === "0" || liveElements.get(parentNumbers.get(number)) === el.parentElement;
    });
  }

  // ---- Applying answers -----------------------------------------------------------------------
  function applyAnswer(post, answer) {
    if (answer.error || answer.status === "failed") {
      setState(post, "failed", answer.error ? answer.error.message : "the model could not translate it");
    } else if (answer.detected_source === settings.target) {
      setState(post, "same");
    } else {
      applyTranslation(post, parseTranslation(answer.text), answer.status !== "ok" ? answer.status : "");
    }
  }

  function applyTranslation(post, translation, statusNote) {
    if (!sameShape(translation, post.snapshot)) {
      setState(post, "failed", "its markup could not be rebuilt safely");
    } else if (settings.mode === "bilingual") {
      insertTranslatedCopy(post, translation);
      setState(post, "done", statusNote);
    } else if (!unchangedSinceSent(post.snapshot)) {
      setState(post, "failed", "the post changed while it was being translated");
    } else {
      post.translated = rebuild(post.element, translation, post.snapshot.liveElements, new Map());
      showing(post, true);
      setState(post, "done", statusNote);
    }
  }

  // The service writes every tag out in full, so its answer parses as XML exactly as it was
  // nested; a browser's HTML parser would re-nest what pages hold (say, a link inside a link).
  function parseTranslation(html) {
    const xml = new DOMParser().parseFromString(`<dm xmlns="http://www.w3.org/1999/xhtml">${html}</dm>`, "application/xml");
    if (!xml.getElementsByTagName("parsererror").length) return xml.documentElement;
    return new DOMParser().parseFromString(`<body>${html}</body>`, "text/html").body;
  }

  // Each numbered element must come back once, under the parent it was sent in, or the post
  // stays as it is.
  function sameShape(translation, snapshot) {
    const { parentNumbers } = snapshot;
    const seen = new Set();
    for (const el of translation.querySelectorAll(`[${NUMBER_ATTR}]`)) {
      const number = el.getAttribute(NUMBER_ATTR);
      const parentNumber = el.parentElement === translation ? "0" : el.parentElement.getAttribute(NUMBER_ATTR);
      if (!parentNumbers.has(number) || seen.has(number) || parentNumbers.get(number) !== parentNumber) return false;
      seen.add(number);
    }
    return seen.size === parentNumbers.size;
  }

  // The translation is parsed inertly and only its text is copied: elements are the post's own
  // nodes, moved, so their listeners keep working and nothing from the service becomes markup.
  // Returns, for `target` and each element under it, the children it gets.
  function rebuild(target, translation, elementsByNumber, childrenByElement) {
    const children = [];
    for (const node of translation.childNodes) {
      if (node.nodeType === Node.TEXT_NODE) {
        children.push(document.createTextNode(node.data));
      } else if (node.nodeType === Node.ELEMENT_NODE && elementsByNumber.has(node.getAttribute(NUMBER_ATTR))) {
        const element = elementsByNumber.get(node.getAttribute(NUMBER_ATTR));
        rebuild(element, node, elementsByNumber, childrenByElement);
        children.push(element);
      }
    }
    childrenByElement.set(target, children);
    return childrenByElement;
  }

  // Bilingual mode fills the copy taken at send time, which matches the numbering the service
  // answered to, whatever the page did to the post meanwhile.
  function insertTranslatedCopy(post, translation) {
    const { copyElements } = post.snapshot;
    const copy = copyElements.get("0");
    for (const el of copyElements.values()) el.removeAttribute("id"); // ids must stay unique in the page
    copy.removeAttribute(STATE_ATTR);
    for (const [element, children] of rebuild(copy, translation, copyElements, new Map())) element.replaceChildren(...children);
    copy.classList.add(TRANSLATION_CLASS);
    copy.style.borderLeft = "3px solid #9bd";
    copy.style.paddingLeft = "6px";
    post.element.insertAdjacentElement("afterend", copy);
  }

  function showing(post, translation) {
    const childrenByElement = translation ? post.translated : post.original;
    for (const [element, children] of childrenByElement) element.replaceChildren(...children);
    post.showingTranslation = translation;
    post.toggle.textContent = translation ? "show original" : "show translation";
  }

  // ---- UI: each post's mark, the error banner and the settings form ---------------------------
  const STATE_LABELS = {
    queued: "⋯",
    translating: "translating…",
    done: "translated",
    same: "already in your language",
    failed: "failed",
  };

  function setState(post, state, detail) {
    post.state = state;
    post.element.setAttribute(STATE_ATTR, state);
    post.label.textContent = `Dragoman: ${STATE_LABELS[state] || state}${detail ? ` (${detail})` : ""}`;
    post.toggle.hidden = !(state === "done" && post.translated); // bilingual mode keeps both in view
  }

  function makeBadge(post) {
    const badge = document.createElement("div");
    badge.className = BADGE_CLASS;
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
    Object.assign(post, { badge, label, toggle });
  }

  function banner(message) {
    const box = document.getElementById("dragoman-banner") || makeBanner();
    box.lastChild.textContent = `Dragoman: ${message}`;
  }

  function makeBanner() {
    const box = document.createElement("div");
    box.id = "dragoman-banner";
    box.setAttribute("role", "alert");
    box.style.cssText = "position:fixed;z-index:2147483647;right:12px;bottom:12px;max-width:28em;padding:10px 14px;background:#fff3f3;color:#700;border:1px solid #d99;border-radius:6px;font:13px/1.4 sans-serif;box-shadow:0 2px 8px rgba(0,0,0,.2)";
    const close = document.createElement("button");
    close.textContent = "×";
    close.style.cssText = "float:right;margin-left:8px;border:0;background:none;cursor:pointer";
    close.addEventListener("click", () => box.remove());
    box.append(close, document.createElement("span"));
    document.body.append(box);
    return box;
  }

  function settingsPanel() {
    document.getElementById("dragoman-settings")?.remove();
    const panel = document.createElement("form");
    panel.id = "dragoman-settings";
    panel.style.cssText = "position:fixed;z-index:2147483647;top:12px;right:12px;padding:12px;background:#fff;color:#222;border:1px solid #999;border-radius:6px;font:13px sans-serif;display:grid;gap:6px;min-width:22em";
    panel.append(
      formField("Service URL", "serviceUrl", settings.serviceUrl),
      formField("API token", "token", settings.token, "password"),
      formField("Translate into (language code)", "target", settings.target),
      formField("Bilingual (translation under the original)", "bilingual", settings.mode === "bilingual", "checkbox"),
      formField(`Translate ${location.hostname} automatically`, "auto", settings.autoSites.includes(location.hostname), "checkbox"),
      formField("Extra post selectors (CSS)", "customSelectors", settings.customSelectors),
    );
    const save = document.createElement("button");
    save.textContent = "Save";
    panel.append(save);
    panel.addEventListener("submit", async (event) => {
      event.preventDefault();
      await saveSettings(settingsFromForm(new FormData(panel)));
      panel.remove();
    });
    document.body.append(panel);
  }

  function formField(label, name, value, type = "text") {
    const row = document.createElement("label");
    row.textContent = label;
    const input = document.createElement("input");
    input.name = name;
    input.type = type;
    if (type === "checkbox") input.checked = value;
    else input.value = value;
    input.style.cssText = "display:block;width:100%";
    row.append(input);
    return row;
  }

  // ---- Scheduling: posts on screen first, then the rest -------------------------------------
  // A record per post still on the page; posts the page removes are forgotten (see
  // forgetRemovedPosts), so pages that drop and re-render posts do not pile them up here.
  const posts = new Map(); // element -> post record
  const queue = []; // posts waiting to be sent
  const onScreen = new WeakSet();
  let busy = false;

  const visibilityWatcher = "IntersectionObserver" in window
    ? new IntersectionObserver((entries) => {
      for (const entry of entries) {
        if (entry.isIntersecting) onScreen.add(entry.target);
        else onScreen.delete(entry.target);
      }
      pump();
    }, { rootMargin: "200px" })
    : null;

  function track(element) {
    if (posts.has(element) || element.closest(`.${TRANSLATION_CLASS}`)) return;
    const post = { element, showingTranslation: false };
    makeBadge(post);
    posts.set(element, post);
    queue.push(post);
    setState(post, "queued");
    if (visibilityWatcher) visibilityWatcher.observe(element);
  }

  // Being on screen only decides the order of the queue: once a post leaves it, stop watching.
  function stopWatching(post) {
    if (visibilityWatcher) visibilityWatcher.unobserve(post.element);
    onScreen.delete(post.element);
  }

  function forget(post) {
    posts.delete(post.element);
    const queued = queue.indexOf(post);
    if (queued !== -1) queue.splice(queued, 1);
    stopWatching(post);
    post.badge.remove(); // it would mark nothing, and keep the post alive through its toggle
  }

  function forgetRemovedPosts() {
    for (const [element, post] of posts) if (!element.isConnected) forget(post);
  }

  function nextBatch() {
    queue.sort((a, b) => Number(onScreen.has(b.element)) - Number(onScreen.has(a.element)));
    const batch = queue.splice(0, BATCH_SIZE);
    batch.forEach(stopWatching);
    return batch;
  }

  async function pump() {
    if (busy || !queue.length) return;
    busy = true;
    const batch = nextBatch();
    batch.forEach(prepareForSending);
    let failure = null;
    try {
      await streamRequest(batch.map((post) => post.snapshot.html), (answer) => {
        if (typeof answer.index === "number" && batch[answer.index]) applyAnswer(batch[answer.index], answer);
      });
    } catch (error) {
      failure = error;
    }
    finishBatch(batch, failure);
    busy = false;
    if (failure) banner(failure.message); // and stop here: the next batch would fail the same way
    else pump();
  }

  function prepareForSending(post) {
    post.snapshot = takeSnapshot(post.element);
    post.original = post.snapshot.originalChildren;
    setState(post, "translating");
  }

  function finishBatch(batch, failure) {
    for (const post of batch) {
      if (post.state === "translating") setState(post, "failed", failure ? failure.message : "no answer");
      post.snapshot = null; // no answer can come any more; the copy need not be kept
    }
  }

  function scan() {
    findPosts().forEach(track);
    pump();
  }

  function refresh() {
    forgetRemovedPosts();
    scan();
  }

  // ---- Bootstrap: menu commands, and automatic translation on the user's chosen sites ---------
  let started = false;

  function start() {
    if (started) return;
    started = true;
    scan();
    watchForChangedPosts();
  }

  function watchForChangedPosts() {
    let pendingRefresh = null;
    new MutationObserver((mutations) => {
      if (!mutations.some(addsOrRemovesPageElements)) return;
      clearTimeout(pendingRefresh);
      pendingRefresh = setTimeout(refresh, RESCAN_DELAY_MS);
    }).observe(document.body, { childList: true, subtree: true });
  }

  // Only the page's own elements can bring or take posts; our badges come and go with them.
  function addsOrRemovesPageElements(mutation) {
    const changedNodes = [...mutation.addedNodes, ...mutation.removedNodes];
    return changedNodes.some((node) => node.nodeType === Node.ELEMENT_NODE && !node.classList.contains(BADGE_CLASS));
  }

  async function main() {
    settings = await loadSettings();
    gm.menu("Dragoman: translate this page", start);
    gm.menu("Dragoman: settings", settingsPanel);
    if (settings.autoSites.includes(location.hostname)) start();
  }

  main();
})();
