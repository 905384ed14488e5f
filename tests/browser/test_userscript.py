"""The userscript on saved pages of real forum engines, in Chromium, against a running Dragoman."""

from __future__ import annotations

import pytest

from tests.browser.conftest import inject_userscript, screenshot

# One saved page per forum engine, with the userscript's selector for its posts; an engine
# without a built-in rule is found through the user's own selector setting.
ENGINES = {
    "phpbb": (
        "harvest/forum-mein-schoener-garten-de-viewtopic-php-f-1-t-4825193-sid-0e26c5b6.html",
        ".postbody .content, .postmsg",
        "",
    ),
    "xenforo": (
        "harvest/computerbase-de-forum-threads-ram-empfehlung-fuer-ryzen-1940441.html",
        ".message-body .bbWrapper, blockquote.messageText",
        "",
    ),
    "xenforo-1": (
        "harvest/juraforum-de-forum-t-fahrtkostenerstattung-bei-falschen-rezepten-67562.html",
        ".message-body .bbWrapper, blockquote.messageText",
        "",
    ),
    "vbulletin": (
        "harvest/skyscraperpage-com-forum-showthread-php-t-242165.html",
        'div[id^="post_message_"], .js-post__content-text, .postcontent',
        "",
    ),
    "stack-exchange": (
        "trafilatura/german-stackexchange-com-questions-10376-when-to-use-wurde-versus-war.html",
        ".s-prose.js-post-body, .post-text, .comment-copy",
        "",
    ),
    "reddit": (
        "magic-html/reddit-com-r-boomersbeingfools-comments-1cqcfkk-boomer-took-offense-to-46807681.html",
        'shreddit-post [slot="text-body"], shreddit-comment [slot="comment"]',
        "",
    ),
    "inyoka-own-selector": (
        "harvest/forum-ubuntuusers-de-topic-ubuntu-lst-18-04-newbie.html",
        "div.text",
        "div.text",
    ),
}

PARTS = """(el) => ({
  links: [...el.querySelectorAll("a")].map((x) => x.getAttribute("href")),
  images: [...el.querySelectorAll("img")].map((x) => x.getAttribute("src")),
  quotes: el.querySelectorAll("blockquote").length,
  code: [...el.querySelectorAll("code, pre")].map((x) => x.textContent),
})"""

BEFORE = (
    """(selector) => {
  const found = [...document.querySelectorAll(selector)];
  const parts = __PARTS__;
  window.__before = new Map(found.map((el) => [el, el.innerHTML]));
  window.__beforeParts = new Map(found.map((el) => [el, parts(el)]));""".replace("__PARTS__", PARTS)
    + """
  window.__clicks = 0;
  const link = found.map((el) => el.querySelector("a[href]")).find(Boolean);
  if (link) link.addEventListener("click", (event) => { event.preventDefault(); window.__clicks += 1; });
  window.__link = link || null;
  return found.length;
}"""
)

SETTLED = """() => {
  const posts = [...document.querySelectorAll("[data-dragoman-state]")];
  return posts.length > 0 && posts.every((el) => !["queued", "translating"].includes(el.getAttribute("data-dragoman-state")));
}"""

COMPARE = """() => [...document.querySelectorAll("[data-dragoman-state]")].map((el) => ({
  state: el.getAttribute("data-dragoman-state"),
  known: window.__before.has(el),
  before: window.__before.get(el) || "",
  after: el.innerHTML,
  text: el.textContent,
  parts: (__PARTS__)(el),
  beforeParts: window.__beforeParts.get(el),
}))""".replace("__PARTS__", PARTS)


@pytest.mark.parametrize("engine", sorted(ENGINES))
def test_userscript_translates_posts_in_place(open_page, pseudo_dragoman, engine) -> None:
    file, selector, own = ENGINES[engine]
    page = open_page(file, pseudo_dragoman, target="eo", selectors=own)
    assert page.evaluate(BEFORE, selector) > 0
    inject_userscript(page)
    page.wait_for_function(SETTLED, timeout=60_000)
    posts = page.evaluate(COMPARE)
    assert posts and all(p["known"] for p in posts), (
        "the userscript found other elements than the engine's posts"
    )
    assert all(p["state"] == "done" for p in posts), [p["state"] for p in posts]
    for post in posts:
        assert post["after"] != post["before"]
        assert "[" in post["text"] and any(
            c in post["text"] for c in "àéîöûŕšţ"
        )  # pseudo-translated
        assert post["parts"] == post["beforeParts"]  # links, images, quotes and code as they were
    if page.evaluate("() => window.__link !== null"):
        page.evaluate("() => window.__link.click()")
        assert page.evaluate("() => window.__clicks") == 1  # the page's own listener still fires
    page.locator(".dragoman-toggle").first.dispatch_event("click")
    restored = page.evaluate(
        "() => { const el = document.querySelector('[data-dragoman-state]'); return [el.innerHTML, window.__before.get(el)]; }"
    )
    assert restored[0] == restored[1]  # "show original" restores it exactly
    page.locator(".dragoman-toggle").first.dispatch_event("click")
    assert (
        page.evaluate("() => document.querySelector('[data-dragoman-state]').innerHTML")
        == posts[0]["after"]
    )
    screenshot(page, f"userscript-{engine}")


def test_posts_added_later_are_translated_too(open_page, pseudo_dragoman) -> None:
    file, selector, _ = ENGINES["vbulletin"]
    page = open_page(file, pseudo_dragoman, target="en")
    inject_userscript(page)
    page.wait_for_function(SETTLED, timeout=60_000)
    page.evaluate(
        """(selector) => {
      const first = document.querySelector(selector);
      const more = document.createElement("div");
      more.id = "post_message_999";
      more.textContent = "Noch ein neuer Beitrag, der später geladen wurde.";
      first.parentElement.append(more);
    }""",
        selector,
    )
    page.wait_for_function(
        "() => document.getElementById('post_message_999').getAttribute('data-dragoman-state') === 'done'",
        timeout=30_000,
    )
    assert page.evaluate(
        "() => document.getElementById('post_message_999').textContent"
    ).startswith("[")


def test_bilingual_mode_keeps_the_original_and_adds_the_translation(
    open_page, pseudo_dragoman
) -> None:
    file, selector, _ = ENGINES["phpbb"]
    page = open_page(file, pseudo_dragoman, target="en", mode="bilingual")
    page.evaluate(BEFORE, selector)
    inject_userscript(page)
    page.wait_for_function(SETTLED, timeout=60_000)
    unchanged = page.evaluate(
        "() => [...document.querySelectorAll('[data-dragoman-state]')].every((el) => el.innerHTML === window.__before.get(el))"
    )
    assert unchanged
    copies = page.evaluate(
        "() => [...document.querySelectorAll('.dragoman-translation')].map((el) => el.textContent)"
    )
    assert copies and all("[" in text for text in copies)


def test_an_unreachable_service_shows_one_clear_message(open_page, pseudo_dragoman) -> None:
    from tests.fakes import free_port

    file, _, _ = ENGINES["phpbb"]
    page = open_page(file, f"http://127.0.0.1:{free_port()}", target="en")
    inject_userscript(page)
    page.wait_for_selector("#dragoman-banner", timeout=30_000)
    assert "cannot reach the service" in page.inner_text("#dragoman-banner")
    assert page.locator("#dragoman-banner").count() == 1
    states = page.evaluate(
        "() => [...document.querySelectorAll('[data-dragoman-state]')].map((el) => el.getAttribute('data-dragoman-state'))"
    )
    assert "translating" not in states and "failed" in states


def test_translate_on_command_when_the_site_is_not_automatic(open_page, pseudo_dragoman) -> None:
    file, _, _ = ENGINES["vbulletin"]
    page = open_page(file, pseudo_dragoman, target="en", auto=False)
    inject_userscript(page)
    assert page.evaluate("() => document.querySelectorAll('[data-dragoman-state]').length") == 0
    page.evaluate("() => window.__dragomanMenu['Dragoman: translate this page']()")
    page.wait_for_function(SETTLED, timeout=60_000)


# Puts each request's callbacks in a later task, as a real manager's events do (so whatever they
# throw is uncaught there), after CHANGE has had its way with the page or the response.
LATER_CALLBACKS = """() => {
  const send = window.GM_xmlhttpRequest;
  const change = __CHANGE__;
  window.__requests = 0;
  window.GM_xmlhttpRequest = (options) => {
    window.__requests += 1;
    const later = (callback) => callback && ((response) => setTimeout(() => callback(change(response))));
    return send({ ...options, onprogress: later(options.onprogress), onload: later(options.onload) });
  };
}"""

# A line that is not JSON right after the service's first answer line.
MALFORMED_SECOND_LINE = r"""(response) => ({
  ...response, responseText: (response.responseText || "").replace("\n", "\n{not json\n"),
})"""

# The page adds an element to every post being translated before the answer arrives.
CHANGE_POSTS_IN_FLIGHT = """(response) => {
  for (const post of document.querySelectorAll('[data-dragoman-state="translating"]')) {
    if (post.querySelector(".dm-late")) continue;
    const late = document.createElement("b");
    late.className = "dm-late";
    late.textContent = "Später eingefügt. ";
    post.prepend(late);
  }
  return response;
}"""

STATES = "() => [...document.querySelectorAll('[data-dragoman-state]')].map((el) => el.getAttribute('data-dragoman-state'))"

ID_COUNTS = """() => {
  const counts = {};
  for (const el of document.querySelectorAll("[id]")) counts[el.id] = (counts[el.id] || 0) + 1;
  return counts;
}"""


def test_bilingual_copies_carry_no_duplicate_ids(open_page, pseudo_dragoman) -> None:
    file, selector, _ = ENGINES["vbulletin"]  # its posts are found by their ids
    page = open_page(file, pseudo_dragoman, target="en", mode="bilingual")
    page.evaluate(
        """(selector) => document.querySelectorAll(selector).forEach((post, index) => {
      const inner = document.createElement("span");
      inner.id = `dm-inner-${index}`;
      inner.textContent = " Noch ein Satz mit einer eigenen Kennung.";
      post.append(inner);
    })""",
        selector,
    )
    before = page.evaluate(ID_COUNTS)
    assert any(name.startswith("dm-inner-") for name in before)
    inject_userscript(page)
    page.wait_for_function(SETTLED, timeout=60_000)
    copies = page.evaluate(
        """() => [...document.querySelectorAll('.dragoman-translation')].map((copy) => ({
      ids: [copy, ...copy.querySelectorAll('*')].filter((el) => el.hasAttribute('id')).length,
      spans: copy.querySelectorAll('span').length,
      text: copy.textContent,
    }))"""
    )
    assert copies and all(copy["ids"] == 0 for copy in copies)
    assert all(copy["spans"] >= 1 and "[" in copy["text"] for copy in copies)  # still translated
    assert page.evaluate(ID_COUNTS) == before  # no id occurs more often than the page had it


def test_a_malformed_answer_line_fails_through_the_promise(open_page, pseudo_dragoman) -> None:
    file, _, _ = ENGINES["phpbb"]
    page = open_page(file, pseudo_dragoman, target="en")
    errors: list[Exception] = []
    page.on("pageerror", lambda error: errors.append(error))
    page.evaluate(LATER_CALLBACKS.replace("__CHANGE__", MALFORMED_SECOND_LINE))
    inject_userscript(page)
    page.wait_for_selector("#dragoman-banner", timeout=60_000)
    assert "not JSON" in page.inner_text("#dragoman-banner")
    states = page.evaluate(STATES)
    # In each request the line before the bad one was applied (how many requests the posts
    # take depends on which were on screen when the script looked).
    assert states.count("done") == page.evaluate("() => window.__requests") >= 1
    assert "failed" in states and "translating" not in states
    page.evaluate("() => new Promise((resolve) => setTimeout(resolve))")  # let onload run too
    assert page.locator("#dragoman-banner").count() == 1
    assert errors == []


def test_a_removed_post_is_forgotten(open_page, pseudo_dragoman) -> None:
    file, _, _ = ENGINES["phpbb"]
    page = open_page(file, pseudo_dragoman, target="en")
    inject_userscript(page)
    page.wait_for_function(SETTLED, timeout=60_000)
    page.evaluate(
        """() => {
      const post = document.querySelector('[data-dragoman-state="done"]');
      window.__removedPost = new WeakRef(post);
      post.remove();  // the page drops the post; its badge before it is left behind
    }"""
    )
    # The badge goes with its post...
    page.wait_for_function(
        "() => document.querySelectorAll('.dragoman-badge').length === document.querySelectorAll('[data-dragoman-state]').length",
        timeout=10_000,
    )
    # ...and nothing the userscript keeps holds the removed post any more.
    cdp = page.context.new_cdp_session(page)
    collected = False
    for _ in range(5):
        cdp.send("HeapProfiler.collectGarbage")
        collected = page.evaluate("() => window.__removedPost.deref() === undefined")
        if collected:
            break
    assert collected


def test_bilingual_copy_is_the_post_as_it_was_sent(open_page, pseudo_dragoman) -> None:
    file, _, _ = ENGINES["phpbb"]
    page = open_page(file, pseudo_dragoman, target="en", mode="bilingual")
    page.evaluate(LATER_CALLBACKS.replace("__CHANGE__", CHANGE_POSTS_IN_FLIGHT))
    inject_userscript(page)
    page.wait_for_function(SETTLED, timeout=60_000)
    posts = page.evaluate(
        """() => [...document.querySelectorAll('[data-dragoman-state]')].map((post) => {
      const copy = post.nextElementSibling;
      const tags = (root) => [...root.querySelectorAll('*')]
        .filter((el) => !el.classList.contains('dm-late')).map((el) => el.tagName);
      return {
        state: post.getAttribute('data-dragoman-state'),
        late: post.querySelectorAll('.dm-late').length,
        isCopy: copy.classList.contains('dragoman-translation'),
        lateInCopy: copy.querySelectorAll('.dm-late').length,
        sameElements: JSON.stringify(tags(post)) === JSON.stringify(tags(copy)),
      };
    })"""
    )
    assert posts and all(p["late"] == 1 for p in posts)  # every post changed while in flight
    assert all(p["state"] == "done" and p["isCopy"] for p in posts)
    assert all(p["lateInCopy"] == 0 and p["sameElements"] for p in posts)


def test_a_post_changed_in_flight_is_not_replaced(open_page, pseudo_dragoman) -> None:
    file, _, _ = ENGINES["phpbb"]
    page = open_page(file, pseudo_dragoman, target="en")
    page.evaluate(LATER_CALLBACKS.replace("__CHANGE__", CHANGE_POSTS_IN_FLIGHT))
    inject_userscript(page)
    page.wait_for_function(SETTLED, timeout=60_000)
    posts = page.evaluate(
        """() => [...document.querySelectorAll('[data-dragoman-state]')].map((post) => ({
      state: post.getAttribute('data-dragoman-state'),
      late: post.querySelectorAll('.dm-late').length,
      mark: post.previousElementSibling.textContent,
    }))"""
    )
    assert posts and all(p["state"] == "failed" and p["late"] == 1 for p in posts)
    assert all("changed while it was being translated" in p["mark"] for p in posts)


@pytest.mark.e2e
def test_userscript_with_the_embedded_model(open_page, embedded_dragoman) -> None:
    file, selector, _ = ENGINES["xenforo-1"]  # a German forum
    page = open_page(file, embedded_dragoman, target="en")
    page.evaluate(BEFORE, selector)
    inject_userscript(page)
    page.wait_for_function(SETTLED, timeout=240_000)
    posts = page.evaluate(COMPARE)
    assert any(p["state"] == "done" for p in posts)
    first = next(p for p in posts if p["state"] == "done")
    assert first["after"] != first["before"]
    assert (
        sum(
            word in first["text"].lower().split()
            for word in ("the", "is", "and", "i", "it", "you", "a")
        )
        >= 2
    )
    screenshot(page, "userscript-embedded-xenforo")


# Each answer line's XHTML rewritten: every start tag declaring the XHTML namespace again, or
# none declaring it, as different XML writers (and lxml releases) spell the same tree.
XHTML_SPELLING = r"""(response) => ({
  ...response,
  responseText: (response.responseText || "").split("\n").map((line) => {
    let value;
    try { value = JSON.parse(line); } catch { return line; }
    if (typeof value.text !== "string") return line;
    const bare = value.text.replaceAll(' xmlns="http://www.w3.org/1999/xhtml"', "");
    const text = __SPELL__ ? bare.replace(/<([A-Za-z][\w.-]*)/g, '<$1 xmlns="http://www.w3.org/1999/xhtml"') : bare;
    return JSON.stringify({ ...value, text });
  }).join("\n"),
})"""


def test_answers_read_alike_with_or_without_redundant_xmlns(open_page, pseudo_dragoman) -> None:
    """The userscript reads the tree, not the bytes: an answer that repeats the XHTML namespace
    on every element, or never states it, rebuilds each post exactly as the answer served."""
    file, _, _ = ENGINES["xenforo"]
    results = {}
    for spelling in ("served", "every-element", "none"):
        page = open_page(file, pseudo_dragoman, target="eo")
        if spelling != "served":
            change = XHTML_SPELLING.replace("__SPELL__", str(spelling == "every-element").lower())
            page.evaluate(LATER_CALLBACKS.replace("__CHANGE__", change))
        page.evaluate(BEFORE, ".message-body .bbWrapper, blockquote.messageText")
        inject_userscript(page)
        page.wait_for_function(SETTLED, timeout=60_000)
        results[spelling] = page.evaluate(COMPARE)
    served = results["served"]
    assert served and all(p["state"] == "done" for p in served)
    assert any("<a " in p["after"] for p in served)  # posts with markup, not only text
    for spelling in ("every-element", "none"):
        assert [(p["state"], p["after"]) for p in results[spelling]] == [
            (p["state"], p["after"]) for p in served
        ], spelling


def test_the_script_the_service_serves_works_pointed_at_it(open_page, pseudo_dragoman) -> None:
    # Before #35 the service served no userscript: users opened it from a checkout. A manager
    # fetches the link on the service's page and runs the script; no service URL is set.
    file, selector, own = ENGINES["phpbb"]
    page = open_page(file, pseudo_dragoman, target="eo", selectors=own)
    home = page.context.new_page()
    home.goto(f"{pseudo_dragoman}/")
    href = home.get_attribute("#userscript", "href")
    served = page.context.request.get(f"{pseudo_dragoman}{href}")
    assert served.ok and served.headers["content-type"].startswith("text/javascript")
    page.evaluate(
        "() => { const s = JSON.parse(GM_getValue('settings')); delete s.serviceUrl;"
        " GM_setValue('settings', JSON.stringify(s)); }"
    )
    assert page.evaluate(BEFORE, selector) > 0
    page.add_script_tag(content=served.text())
    page.wait_for_function(SETTLED, timeout=60_000)
    posts = page.evaluate(COMPARE)
    assert posts and all(p["state"] == "done" for p in posts), [p["state"] for p in posts]
    assert all(any(c in p["text"] for c in "àéîöûŕšţ") for p in posts)  # pseudo-translated
