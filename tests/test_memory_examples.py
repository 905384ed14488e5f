"""Few-shot examples from the translation memory: the word search on SQLite and PostgreSQL, the
fuzzy-match scoring, and the prompts the engine sends with them."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator

import pytest
from langchain_core.messages import SystemMessage

from dragoman.chains import ModelProfile
from dragoman.chains.translate import (
    Origin,
    TranslateRequest,
    closest,
    match_score,
    rehearse_document,
    single_prompt,
    terms,
    translate_document,
)
from dragoman.chains.translate.prompting import few_shot_prefix
from dragoman.services.runtime import Runtime
from dragoman.services.settings import Settings
from dragoman.services.stores.db import Database
from dragoman.services.stores.memory import TranslationMemory
from tests.fakes import (
    DictMemory,
    RecordingChatModel,
    ScriptedLLM,
    last_line_after,
    make_translator,
    segment_replier,
    to_english,
)

COMPLETION = ModelProfile(style="completion")
CHAT = ModelProfile(style="chat")


@pytest.fixture
def memory(database_url: str) -> Iterator[TranslationMemory]:
    store = TranslationMemory(Database(database_url))
    yield store
    store.close()


def remember(memory, pairs: dict[str, str], source: str = "de", target: str = "en") -> None:
    """Store translations as the engine does: keyed, with their origins."""
    keys = {f"{source}>{target}:{text}": (text, answer) for text, answer in pairs.items()}
    memory.put_many(
        {key: answer for key, (_, answer) in keys.items()},
        {key: Origin(text, source, target) for key, (text, _) in keys.items()},
    )


# --- the store's word search ------------------------------------------------------------------


def test_search_finds_segments_sharing_words_in_the_same_language_pair(memory) -> None:
    remember(memory, {"Das Fahrrad ist blau.": "The bicycle is blue.",
                      "Der Hund schläft im Garten.": "The dog sleeps in the garden."})  # fmt: skip
    remember(memory, {"Das Fahrrad ist grün.": "Le vélo est vert."}, target="fr")
    remember(memory, {"Das Fahrrad ist gelb.": "La bici es amarilla."}, target="es-419")
    found = memory.similar(["Das Fahrrad ist rot.", "Nichts passt."], "de", "en", 5)
    assert found["Das Fahrrad ist rot."][0] == ("Das Fahrrad ist blau.", "The bicycle is blue.")
    assert ("Das Fahrrad ist grün.", "Le vélo est vert.") not in found["Das Fahrrad ist rot."]
    assert found["Nichts passt."] == []
    assert memory.similar(["Fahrrad"], "de", "es-419", 5)["Fahrrad"] == [
        ("Das Fahrrad ist gelb.", "La bici es amarilla.")
    ]
    # Breton → English is not Brazilian Portuguese → English, though "br en" ends "pt br en".
    remember(memory, {"Eu comprei uma bicicleta.": "I bought a bicycle."}, source="pt-BR")
    assert memory.similar(["uma bicicleta"], "br", "en", 5)["uma bicicleta"] == []
    assert memory.similar(["uma bicicleta"], "pt-BR", "en", 5)["uma bicicleta"] != []


def test_search_survives_words_that_are_query_syntax(memory) -> None:
    """Quotes, apostrophes, FTS operators and tsquery symbols are words to look for, not syntax."""
    hostile = "NEAR(a b) AND \"OR\" NOT l'homme -x * : & | ! <-> \\ col:umn {x} (y) o'neil"
    remember(memory, {hostile: "kept"}, source="fr")
    found = memory.similar([hostile, "l'homme AND", "* : & |"], "fr", "en", 3)
    assert found[hostile] == [(hostile, "kept")]
    assert found["l'homme AND"] == [(hostile, "kept")]
    assert found["* : & |"] == []  # no words at all


def test_search_matches_unspaced_scripts_and_placeholders(memory) -> None:
    remember(memory, {"東京で<a1>新しい</a1>自転車を買いました。": "I bought a <a1>new</a1> bicycle in Tokyo."},
             source="ja")  # fmt: skip
    found = memory.similar(["大阪で新しい自転車を買いました。"], "ja", "en", 3)
    assert found["大阪で新しい自転車を買いました。"] == [
        ("東京で<a1>新しい</a1>自転車を買いました。", "I bought a <a1>new</a1> bicycle in Tokyo.")
    ]
    # Tag names are no words: a segment sharing only its tags with another shares nothing.
    assert memory.similar(["<a1>x</a1>"], "ja", "en", 3)["<a1>x</a1>"] == []


def test_a_key_stored_again_is_found_once_and_with_its_new_translation(memory) -> None:
    remember(memory, {"Das Fahrrad ist blau.": "The bike is blue."})
    remember(memory, {"Das Fahrrad ist blau.": "The bicycle is blue."})
    memory.put_many({"old-key": "remembered before sources were kept"})
    found = memory.similar(["Das Fahrrad ist blau."], "de", "en", 10)["Das Fahrrad ist blau."]
    assert found == [("Das Fahrrad ist blau.", "The bicycle is blue.")]


def test_search_returns_at_most_what_was_asked_the_best_first(memory) -> None:
    remember(memory, {f"Satz Nummer {n} über Wetter": f"sentence {n}" for n in range(300)})
    remember(memory, {"Wetter Nummer Satz über heute": "best"})
    found = memory.similar(["Satz Nummer über Wetter heute"], "de", "en", 4)
    assert len(found["Satz Nummer über Wetter heute"]) == 4
    assert found["Satz Nummer über Wetter heute"][0] == ("Wetter Nummer Satz über heute", "best")


# --- scoring ----------------------------------------------------------------------------------


def test_terms_drop_tags_and_cut_unspaced_scripts_into_bigrams() -> None:
    assert terms("Das <b1>Fahrrad</b1> ist <x2/> BLAU.") == ["das", "fahrrad", "ist", "blau"]
    assert terms("自転車です") == ["自転", "転車", "車で", "です"]


def test_closest_keeps_matches_over_the_threshold_closest_last_one_per_source() -> None:
    text = "Ich habe das gleiche Problem mit meinem Drucker."
    candidates = [
        ("Ich habe das gleiche Problem mit meinem Laptop.", "I have the same problem with my laptop."),
        ("Ich habe das gleiche Problem mit meinem Laptop.", "a second answer for the same source"),
        ("Ich habe ein Problem.", "I have a problem."),
        ("Das Wetter ist schön.", "The weather is nice."),
        ("Das gleiche Problem mit meinem Drucker.", "The same problem with my printer."),
    ]  # fmt: skip
    chosen = closest(text, candidates, most=3, threshold=0.5)
    assert [e.translation for e in chosen] == [
        "I have a problem.",
        "The same problem with my printer.",
        "I have the same problem with my laptop.",
    ]
    assert chosen[-1].score == match_score(text, candidates[0][0]) > chosen[0].score
    assert closest(text, candidates, most=3, threshold=0.9) == []
    assert closest(text, candidates, most=0, threshold=0.0) == []


# --- the prompts ------------------------------------------------------------------------------


def _completion_model() -> ScriptedLLM:
    return ScriptedLLM(reply=lambda prompt: to_english(last_line_after(prompt, "German")))


def _translate(translator, text: str, source: str = "de", target: str = "en"):
    request = TranslateRequest(text, target, source, "text")
    return asyncio.run(translate_document(translator, request))


def test_completion_prompt_shows_the_closest_matches_after_the_fixed_examples() -> None:
    memory = DictMemory()
    remember(memory, {"Das Fahrrad ist blau.": "The bicycle is blue.",
                      "Der Hund schläft.": "The dog sleeps."})  # fmt: skip
    remember(memory, {"Das Fahrrad ist rot!": "Le vélo est rouge !"}, target="fr")
    model = _completion_model()
    result = _translate(make_translator(model, COMPLETION, memory=memory), "Das Fahrrad ist rot.")
    assert result.status == "ok"
    assert model.prompts == [
        few_shot_prefix("de", "en")
        + "German: Das Fahrrad ist blau.\nEnglish: The bicycle is blue.\n\n"
        + "German: Das Fahrrad ist rot.\nEnglish:"
    ]


def test_a_dry_run_sends_the_prompt_with_the_examples_the_real_run_sends() -> None:
    memory = DictMemory()
    remember(memory, {"Das Fahrrad ist blau.": "The bicycle is blue."})
    rehearsed = _completion_model()
    request = TranslateRequest("Das Fahrrad ist rot.", "en", "de", "text")
    calls = asyncio.run(
        rehearse_document(make_translator(rehearsed, COMPLETION, memory=memory), request)
    )
    model = _completion_model()
    _translate(make_translator(model, COMPLETION, memory=memory), "Das Fahrrad ist rot.")
    assert rehearsed.prompts == model.prompts == [c.prompt.to_string() for c in calls]
    assert rehearsed.options == model.options and "The bicycle is blue." in model.prompts[0]
    assert "Das Fahrrad ist rot." not in str(memory.values())  # a dry run remembers nothing


def test_no_examples_when_turned_off_or_not_close_enough() -> None:
    plain = single_prompt(COMPLETION, "Das Fahrrad ist rot.", "de", "en").to_string()
    for options in ({"memory_examples": 0}, {"memory_match": 0.9}):
        memory = DictMemory()
        remember(
            memory, {"Das Fahrrad ist blau und sehr alt.": "The bicycle is blue and very old."}
        )
        model = _completion_model()
        _translate(
            make_translator(model, COMPLETION, options, memory=memory), "Das Fahrrad ist rot."
        )
        assert model.prompts == [plain], options


def test_what_one_run_remembers_the_next_run_shows_as_an_example() -> None:
    """The engine stores each segment with its source and pair; a later, similar one finds it."""
    memory = DictMemory()
    first = _translate(make_translator(_completion_model(), COMPLETION, memory=memory),
                       "Ich habe das gleiche Problem mit meinem Fahrrad.")  # fmt: skip
    model = _completion_model()
    _translate(make_translator(model, COMPLETION, memory=memory),
               "Ich habe das gleiche Problem mit meinem Fahrrad seit dem Update.")  # fmt: skip
    example = f"German: Ich habe das gleiche Problem mit meinem Fahrrad.\nEnglish: {first.text}\n\n"
    assert example in model.prompts[0]
    assert model.prompts[0].endswith(
        example
        + "German: Ich habe das gleiche Problem mit meinem Fahrrad seit dem Update.\nEnglish:"
    )


def _system(messages) -> str:
    return "\n".join(str(m.content) for m in messages if isinstance(m, SystemMessage))


def test_chat_prompts_carry_the_matches_in_their_notes_a_batch_the_best_of_its_segments() -> None:
    memory = DictMemory()
    remember(memory, {f"Beitrag Nummer {n} über Fahrräder.": f"Post number {n} about bicycles."
                      for n in range(6)})  # fmt: skip
    model = RecordingChatModel(reply=segment_replier(to_english))
    translator = make_translator(model, CHAT, {"memory_examples": 2}, memory=memory)
    _translate(translator, "Beitrag Nummer 7 über Fahrräder.\n\nHallo Welt.")
    system = _system(model.history[0])
    assert "from the translation memory" in system
    assert system.count("  English: Post number") == 2  # a batch gets at most memory_examples
    alone = RecordingChatModel(reply=segment_replier(to_english))
    _translate(make_translator(alone, CHAT, memory=memory), "Guten Morgen!")
    assert "translation memory" not in _system(alone.history[0])


def test_through_the_runtime_on_its_sqlite_memory(tmp_path) -> None:
    """The service's own memory: what one request stored, the next similar one is shown."""
    model = _completion_model()
    settings = Settings(backend="llama-server", translate_preset="gemma3-270m",
                        data_dir=tmp_path, warm_up=False)  # fmt: skip
    runtime = Runtime(settings, model_factory=lambda *_: model)
    assert runtime.models.profile("translate").style == "completion"
    translate: Callable[[str], object] = lambda text: _translate(runtime.translator(), text)  # noqa: E731
    translate("Der Reifen ist seit dem letzten Winter kaputt.")
    translate("Der Reifen ist seit dem Winter kaputt.")
    assert "German: Der Reifen ist seit dem letzten Winter kaputt.\nEnglish:" in model.prompts[-1]
    runtime.stores.memory.close()
