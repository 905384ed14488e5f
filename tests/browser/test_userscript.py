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
