"""Telling a model's commentary from a translation that only starts like it.

"Ich kann mein Passwort nicht zurücksetzen." is rightly "I can't reset my password.", and
"Hinweis: …" is rightly "Note: …". So an answer that opens like a refusal or an aside ("I'm
sorry", "I can't", "Here is", "Sure", "Note:") is accepted when its source says the same in its
own language: an apology, a negation, a "here is", a short interjection or a label of its own.
What a model adds by itself is rejected: a refusal that speaks of the task ("I can't translate
this", "as an AI"), a note about its choices, or an opening its source does not have. A label
announcing the translation ("Translation:", "Sure! Here it is:") is stripped, not rejected.
"""

from __future__ import annotations

import re

# An opening that announces the translation, up to its colon: stripped, the rest is kept.
_LABELS = (
    re.compile(
        r"^\s*(?:(?:sure|certainly|of course|okay|ok)[,!.]?\s*)?"
        r"(?:(?:here(?:'s| is)|this is)\s+(?:the|your|my|an?)\s+)?"
        r"(?:(?:english|literal|natural|possible)\s+)?"
        r"(?:translation|translated text|rendering)(?:\s+(?:in|into|to)\s+\w+)?"
        r"(?:\s+of\s+(?:the|this|your)\s+(?:text|sentence|line|segment))?\s*[:：]\s*",
        re.I,
    ),
    re.compile(
        r"^\s*(?:sure|certainly|of course|okay)[,!.]?\s*"
        r"(?:here(?:'s| is| are| you go| it is)[^:\n]{0,40})?[:：]\s*",
        re.I,
    ),
)
# A model speaking of itself or of the task, never of what a source says.
_TASK = re.compile(
    r"\b(?:translat\w*|as an ai\b|ai language model|language model|original text|source text|"
    r"the (?:given|provided) (?:text|sentence)|(?:this|that|your) request|assist with)",
    re.I,
)
_SELF = re.compile(r"\b(?:as an ai|language model)\b", re.I)
# "Translate" in the languages Dragoman translates from, where a source may speak of it.
_TRANSLATING = re.compile(
    r"übersetz|tradu|tłumacz|перев|превод|перекл|překl|preklad|prevod|vertal|översätt|oversæt|"
    r"overset|käänn|fordít|çevir|μετάφρ|翻译|翻譯|翻訳|번역|translat|ترجم|תרגמ|अनुवाद|แปล|dịch",
    re.I,
)
_WORD = r"(?<![^\W\d_])(?:{})"  # a word's start: a stem (CJK cues match anywhere)
_WHOLE = r"(?<![^\W\d_])(?:{})(?![^\W\d_])"  # a whole word
# What an opening says, and how a source says it in the languages Dragoman translates from.
_CUES: dict[str, tuple[re.Pattern[str], re.Pattern[str]]] = {
    "apology": (
        re.compile(r"^\s*(?:i(?:'m| am) (?:so |very |really )?sorry|sorry|unfortunately)\b", re.I),
        re.compile(
            _WORD.format(
                r"leid|entschuldig|sorry|sry|désolé|desole|pardon|excuse|malheureusement|siento|"
                r"perd[oó]n|disculp|lamentablemente|scusa|dispiace|purtroppo|desculp|sinto|"
                r"infelizmente|извин|прост|жаль|сожалени|przepraszam|przykro|niestety|ursäkta|"
                r"förlåt|tyvärr|beklager|undskyld|desværre|dessverre|anteeksi|valitettavasti|"
                r"sajnál|sajnos|elnézés|özür|maalesef|omlouv|bohužel|spijt|helaas|excuses"
            )
            + r"|すみません|ごめん|申し訳|残念|对不起|對不起|抱歉|不好意思|可惜|遗憾|죄송|미안",
            re.I,
        ),
    ),
    "negation": (
        re.compile(
            r"^\s*(?:i|we|you|it|this|that|there)?\s*(?:can(?:no|')t|cannot|am unable|"
            r"(?:'m|am) unable|won't|don't|didn't)\b",
            re.I,
        ),  # fmt: skip
        re.compile(
            _WHOLE.format(
                r"nicht|kein\w*|nie|ne|n|pas|non|no|nada|nunca|não|nao|не|нет|ни|nie|niet|geen|"
                r"inte|ej|ikke|ei|en|nem|değil|yok|ne|δεν|μη|lo|לא|لا|ليس|न|नहीं|không"
            )
            + r"|ない|ません|できず|不|没|沒|别|안|못|않",
            re.I,
        ),
    ),
    "presenting": (
        re.compile(r"^\s*here(?:'s| is| are)\b", re.I),
        re.compile(
            _WORD.format(
                r"hier|voici|voilà|voila|aquí|aqui|acá|ecco|вот|oto|här|her|tässä|täältä|itt|"
                r"işte|εδώ|hieronder|anbei|ci-joint|adjunto|allegato|segue|segu"
            )
            + r"|ここ|以下|这是|這是|这里|這裡|附上|여기|다음",
            re.I,
        ),
    ),
}
# "Sure," "Of course!" "Certainly." — a source opens the same way with a word or two of its own.
_INTERJECTION = re.compile(r"^\s*(?:sure|certainly|of course|absolutely|definitely)\s*[,!.]", re.I)
_SHORT_OPENING = re.compile(r"^\W*\w+(?:[ '-]\w+)?\s*[,!.;:？！，、。¡¿]")
_NOTE = re.compile(r"^\s*\(?\s*note\s*[:：]", re.I)
_TRAILING_NOTE = re.compile(r"[(\[]\s*(?:note|translator'?s? note|n\.b\.)\b", re.I)
_LABELLED = re.compile(r"^\W*[^\W\d_][\w .'-]{0,23}\s*[:：]")


def strip_label(answer: str, source: str) -> tuple[str, bool]:
    """The answer without an announcing label ("Translation:", "Sure! Here it is:") that the
    source does not have; whether one was stripped."""
    if not _LABELLED.match(source):
        for label in _LABELS:
            match = label.match(answer)
            if match and answer[match.end() :].strip():
                return answer[match.end() :], True
    return answer, False


def commentary(answer: str, source: str) -> str | None:
    """Why `answer` is commentary or a refusal rather than a translation of `source`, or None."""
    about_task = bool(_TASK.search(answer)) and not _TRANSLATING.search(source)
    if about_task and (_SELF.search(answer) or _opening(answer)):
        return "commentary or refusal instead of a translation"
    if _NOTE.match(answer) and not _LABELLED.match(source):
        return "a note instead of a translation"
    if _TRAILING_NOTE.search(answer) and not _TRAILING_NOTE.search(source):
        return "a note added to the translation"
    if _same_opening(answer, source):  # an English source, or a line kept as it was
        return None
    unsaid = [name for name, (opens, _) in _CUES.items() if opens.match(answer)]
    if any(not _CUES[name][1].search(source) for name in unsaid):
        return f"opens with {_describe(unsaid)} its source does not have"
    if _INTERJECTION.match(answer) and not _SHORT_OPENING.match(source):
        return "opens with an interjection its source does not have"
    return None


def _same_opening(answer: str, source: str) -> bool:
    """Whether the source holds the answer's first words as they are."""
    words = re.findall(r"[^\W\d_]+(?:'[^\W\d_]+)?", answer)[:3]
    return (
        bool(words)
        and " ".join(words).lower()
        in " ".join(re.findall(r"[^\W\d_]+(?:'[^\W\d_]+)?", source)).lower()
    )


def _opening(answer: str) -> bool:
    return bool(
        _INTERJECTION.match(answer)
        or _NOTE.match(answer)
        or any(opens.match(answer) for opens, _ in _CUES.values())
    )


def _describe(names: list[str]) -> str:
    return " and ".join(
        {"apology": "an apology", "negation": "a refusal", "presenting": "a 'here is'"}[n]
        for n in names
    )
