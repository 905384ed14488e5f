"""The built-in page at /: translate with streaming output, proofread with inline fixes."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import screenshot
from tests.conftest import TOKEN


@pytest.fixture
def web(browser: Any, pseudo_dragoman: str) -> Any:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{pseudo_dragoman}/?token={TOKEN}")  # the link `dragoman serve` prints
    page.wait_for_function("() => document.querySelectorAll('#target option').length > 10")
    yield page
    context.close()


def test_translate_tab_streams_items(web) -> None:
    web.select_option("#source", "de")
    web.select_option("#target", "en")
    web.fill("#source-text", "Erster Beitrag hier.\n\nZweiter Beitrag <b>hier</b>.")
    web.click("#translate")
    web.wait_for_function(
        "() => document.getElementById('translate-status').textContent.startsWith('done')"
    )
    items = web.eval_on_selector_all(
        "#translation .item", "els => els.map(e => [e.className, e.textContent])"
    )
    assert items == [
        ["item ok", "[Éŕšţéŕ Ɓéîţŕàĝ ĥîéŕ.]"],
        ["item ok", "[Žŵéîţéŕ Ɓéîţŕàĝ <ƀ>ĥîéŕ</ƀ>.]"],
    ]
    assert (
        web.locator("#translation b").count() == 0
    )  # model text is shown as text, never as markup


def test_translate_tab_html_keeps_markup_as_text(web) -> None:
    web.select_option("#format", "html")
    web.select_option("#target", "en")
    web.fill("#source-text", '<p>Siehe <a href="https://example.org">die Doku</a>.</p>')
    web.click("#translate")
    web.wait_for_function(
        "() => document.getElementById('translate-status').textContent.startsWith('done')"
    )
    assert (
        web.inner_text("#translation .item")
        == '<p>[Šîéĥé <a href="https://example.org">đîé Đöķû</a>.]</p>'
    )


def test_proofread_tab_highlights_explains_and_applies(web) -> None:
    web.click("#tab-proofread")
    web.fill("#proof-text", "I saw the the cat. The cake was eaten by the kids.")
    web.click("#proofread")
    web.wait_for_selector("mark.issue.style")
    mark = web.locator("mark.issue.style").first
    assert mark.inner_text() == "the the"
    assert "repeat this word" in mark.get_attribute("title")  # Harper's message
    assert web.locator("mark.issue.passive_voice").inner_text() == "was eaten"
    screenshot(web, "web-proofread")
    mark.click()
    web.wait_for_function(
        "() => document.getElementById('proof-text').value.startsWith('I saw the cat.')"
    )
    web.wait_for_function("() => document.querySelectorAll('mark.issue.style').length === 0")
    assert web.locator("mark.issue.passive_voice").count() == 1


def test_errors_are_shown_not_swallowed(web) -> None:
    web.click("#tab-proofread")
    web.fill("#proof-text", "   ")
    web.click("#proofread")
    web.wait_for_function(
        "() => document.getElementById('proofread-status').classList.contains('error')"
    )
    assert "empty" in web.inner_text("#proofread-status")
