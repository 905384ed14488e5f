"""Answers that real small models give and that must never pass as `ok` or enter the memory."""

from __future__ import annotations

import asyncio

from dragoman.chains import ModelProfile
from dragoman.chains.translate import TranslateRequest, translate_document
from tests.fakes import DictMemory, RecordingChatModel, fenced, make_translator, to_english

CHAT = ModelProfile(style="chat")
POST = "Mein Rechner verliert ständig die Verbindung zum WLAN, seit ich das Update gemacht habe."


def run(translator, text: str, fmt: str = "text", source: str = "de"):
    return asyncio.run(translate_document(translator, TranslateRequest(text, "en", source, fmt)))


def test_an_answer_still_in_the_source_language_is_never_ok_nor_stored() -> None:
    # SmolLM2 did this on a real llama-server: the German source back, one word misspelled.
    copy = POST.replace("verliert", "veriert")
    model = RecordingChatModel(reply=lambda messages: copy)
    memory = DictMemory()
    result = run(make_translator(model, CHAT, memory=memory), POST)
    assert result.status == "failed" and result.text == POST
    assert any("not in en" in reason for reason in result.reasons)
    assert memory == {}


def test_an_answer_in_a_third_language_is_rejected() -> None:
    french = (
        "Mon ordinateur perd sans cesse la connexion au wifi depuis que j'ai fait la mise à jour."
    )
    model = RecordingChatModel(reply=lambda messages: french)
    result = run(make_translator(model, CHAT), POST)
    assert result.status == "failed" and result.text == POST


def test_a_good_answer_after_a_source_language_one_is_repaired() -> None:
    answers = iter([POST, "My computer keeps losing its wifi connection since the update."])
    model = RecordingChatModel(reply=lambda messages: next(answers))
    memory = DictMemory()
    result = run(make_translator(model, CHAT, memory=memory), POST)
    assert result.status == "repaired" and result.text.startswith("My computer")
    assert list(memory.values()) == [
        "My computer keeps losing its wifi connection since the update."
    ]


def test_a_repetition_loop_is_rejected() -> None:
    looping = "My computer keeps keeps keeps keeps keeps keeps keeps keeps keeps losing"
    answers = iter([looping, "My computer keeps losing its wifi connection since the update."])
    model = RecordingChatModel(reply=lambda messages: next(answers))
    result = run(make_translator(model, CHAT), POST)
    assert result.status == "repaired"


def test_repetition_that_the_source_has_is_kept() -> None:
    source = "Hahahahahahahaha, das ist wirklich der beste Witz, den ich heute gelesen habe!"
    answer = "Hahahahahahahaha, that really is the best joke I have read today!"
    model = RecordingChatModel(reply=lambda messages: answer)
    assert run(make_translator(model, CHAT), source).status == "ok"


def test_one_answer_for_two_different_sources_in_a_batch_is_asked_again_alone() -> None:
    # SmolLM2 gave a title and an alt text the same invented phrase in one batch.
    html = (
        "<p>Ich habe das gleiche Problem mit meinem Fahrrad.</p>"
        '<img alt="Ein Bild von meinem Fahrrad" src="a.png">'
        '<a title="Zum Thema Fahrrad" href="/t">Fahrrad</a>'
    )
    invented = "A picture of something nice"

    def reply(messages):
        body = fenced(messages)
        lines = body.split("\n")
        if len(lines) > 1:  # the batch: every line gets the same phrase but the first
            return "\n".join(
                f"[{n}] {to_english(line.split('] ', 1)[1]) if n == 1 else invented}"
                for n, line in enumerate(lines, start=1)
            )
        return to_english(body)

    model = RecordingChatModel(reply=reply)
    result = run(make_translator(model, CHAT), html, fmt="html")
    assert invented not in result.text
    singles = [fenced(m) for m in model.history[1:]]
    assert "Ein Bild von meinem Fahrrad" in singles and "Zum Thema Fahrrad" in singles
    assert "Ich habe das gleiche Problem mit meinem Fahrrad." not in singles  # its answer stood
    assert "I HAVE THE SAME PROBLEM WITH MY BICYCLE." in result.text


def test_a_long_foreign_answer_to_a_short_source_is_rejected() -> None:
    # SmolLM2 answered the title "Fehlermeldung" with an unrelated German sentence.
    model = RecordingChatModel(reply=lambda messages: "Ich habe aufgeschlossen, die sich eine")
    memory = DictMemory()
    result = run(make_translator(model, CHAT, memory=memory), "Fehlermeldung")
    assert result.status == "failed" and memory == {}


def test_a_name_kept_as_it_was_is_fine_and_counted_as_kept() -> None:
    # Before #35 an answer the same as its source counted as translated ("ok").
    name = "Grand Theft Auto: Vice City Stories"
    model = RecordingChatModel(reply=lambda messages: name)
    result = run(make_translator(model, CHAT), name)
    assert result.status == "kept" and result.reasons == ["answered with the source unchanged"]


def test_language_identification_keeps_only_the_languages_dragoman_names() -> None:
    """The identifier holds the restricted tables alone, and answers as py3langid restricted to
    the same languages does."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    from dragoman.chains.detect import _identifier
    from dragoman.chains.languages import language_names

    ours = _identifier()
    reference = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    reference.set_languages([c for c in language_names() if c in reference.labels])
    assert set(ours.labels) <= set(language_names())
    assert ours.nb_ptc.shape[1] == len(ours.nb_classes) < reference._full_model[0].shape[1]
    texts = ["Mein Computer startet nicht mehr.", "Je ne sais pas pourquoi.", "Это тест.",
             "これはテストです。", "This is fine.", "Dit is een korte zin."]  # fmt: skip
    assert [ours.classify(t) for t in texts] == [reference.classify(t) for t in texts]
