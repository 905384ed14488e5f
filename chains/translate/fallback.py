"""The last step of the repair ladder: each text run translated alone inside the source's tags."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from ..errors import Rejected
from ..markup.inline import Node, Text, has_letters, map_text, walk
from ..markup.segment import Segment
from .result import Outcome


async def per_run(
    segment: Segment,
    reason: str,
    tokens: float,
    budget: Callable[[str], Awaitable[int]],
    translate_run: Callable[[str], Awaitable[str]],
) -> Outcome:
    """Translate each distinct text run of `segment` within `tokens`, keeping its tags; a run
    whose answer is rejected stays as it was. `failed` when no run could be translated."""
    runs = list(dict.fromkeys(n.value.strip() for n in _texts(segment.nodes) if has_letters([n])))
    if runs == [segment.text.strip()]:  # one run and no tags: that request was already sent
        return Outcome(None, "failed", reason)
    done = {}
    for run in runs:
        cost = await budget(run)
        if cost > tokens:
            break
        tokens -= cost
        try:
            done[run] = await translate_run(run)
        except Rejected:
            continue
    if not done:
        return Outcome(None, "failed", reason)

    def swap(value: str) -> str:
        core = value.strip()
        if core not in done:
            return value
        return value[: len(value) - len(value.lstrip())] + done[core] + value[len(value.rstrip()) :]

    if len(done) < len(runs):  # a half-translated cue says so
        reason = f"{reason}; {len(runs) - len(done)} of {len(runs)} runs kept as they were"
    return Outcome(map_text(segment.nodes, swap), "fallback", reason)


def plain(nodes: list[Node]) -> str:
    """The text of an answer to a single run, without placeholders."""
    return "".join(n.value for n in nodes if isinstance(n, Text)).strip()


def _texts(nodes: list[Node]) -> list[Text]:
    return [n for n, _ in walk(nodes) if isinstance(n, Text)]
