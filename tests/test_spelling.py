"""Spelling beyond English with Debian's real Hunspell dictionaries: what is flagged, what never
is, each paragraph in its own language, and the personal dictionary per language."""

from __future__ import annotations

import asyncio

import pytest
from fastapi.testclient import TestClient

from dragoman.chains.proofread import Layers, ProofreadOptions, proofread
from dragoman.chains.proofread.spelling import spelling_issues
from dragoman.services.api.app import create_app
from dragoman.services.nlp import sentence_splitter
from dragoman.services.settings import Settings
from dragoman.services.spelling import dictionaries
from tests.conftest import AUTH


def _flagged(language: str, text: str, known: frozenset[str] = frozenset()) -> list[str]:
    speller = dictionaries().speller(language)
    assert speller is not None, f"no dictionary for {language}: run `make dictionaries`"
    english = dictionaries().speller("en-US")  # the loanwords, as proofreading passes them
    return [
        text[i.offset : i.offset + i.length]
        for i in spelling_issues(speller, text, language, known, english)
    ]


MISSPELT = [
    ("de-DE", "Wir haben gestern ein neues Auto gekauft und sind sehr zufriden.", "zufriden"),
    ("de-DE", "Die Regierung hat die Steuern erhöht, was viele Bürgr ärgert.", "Bürgr"),
    ("de-DE", "Sie fuhr mit dem Fahrrad zur Arbiet.", "Arbiet"),
    ("fr", "Nous avons visité le musée hier et c'était magnifque.", "magnifque"),
    ("fr", "Le gouvernement a annoncé une nouvelle loi sur l'enviroNnement.", None),
    ("fr", "Il faut que tu viennes à la réunoin demain matin.", "réunoin"),
    ("es", "El gobierno anunció una nueva ley sobre la educacion pública.", "educacion"),
    ("it", "Abbiamo mangiato una pizza deliziosa nel ristorantte.", "ristorantte"),
    ("pt-BR", "Nós fomos ao mercado comprar frutas e verduras frescaz.", "frescaz"),
    ("ru", "Мы вчера ходили в кино и смотрели новый фильм про космас.", "космас"),
    ("pl", "Wczoraj poszliśmy do kina na nowy film o kosmosie i było wspaniałe.", None),
    ("nl", "Wij zijn gisteren naar de markt gegaan om groenten te kopen in de stat.", None),
]


@pytest.mark.parametrize(("language", "text", "wrong"), MISSPELT)
def test_one_plain_misspelling_is_flagged_and_nothing_else(language, text, wrong) -> None:
    assert _flagged(language, text) == ([wrong] if wrong else [])


def test_suggestions_come_from_the_dictionary() -> None:
    speller = dictionaries().speller("de-DE")
    assert speller is not None
    text = "Ich habe den Haustürschlüsel verloren."
    (issue,) = spelling_issues(speller, text, "de-DE", frozenset())
    assert issue.replacements[0] == "Haustürschlüssel"
    assert issue.rule == "GERMAN_SPELLER_RULE" and issue.rule_category == "TYPOS"


NEVER_FLAGGED = {
    "names": ("de-DE", "Gestern sprach Sigmund Freud mit Jamie Siminoff und Ehud Ur in Halifax."),
    "acronyms and codes": ("de-DE", "Die NATO, die UNO und ZMapp-Tests mit ISO-8601 und A4."),
    "urls and addresses": (
        "fr",
        "Écrivez à contact@exemple.fr ou voyez https://exemple.fr/aide et ./bin/lancer.",
    ),
    "german compounds": (
        "de-DE",
        "Der Bundestagsabgeordnete verlor den Haustürschlüsselanhänger bei der "
        "Fußballweltmeisterschaft der Donaudampfschifffahrtsgesellschaft.",
    ),
    "other scripts": ("ru", "Он работает в компании Google и пишет на Python каждый день."),
    "quoted english": (
        "de-DE",
        "Er sagte nur „this is absolutely wonderful news for everyone“ und ging nach Hause.",
    ),
    "french elisions": ("fr", "Aujourd’hui, l’homme qu’il connaît jusqu’à présent est là."),
    "english loanwords": ("de-DE", "Das Start-up hat im Meeting ein neues Feature gezeigt."),
    "swiss spelling": ("de-CH", "Die Strasse war nass, und der Fussball lag im Gras."),
    "austrian words": ("de-AT", "Im Jänner essen wir Paradeiser und Erdäpfel."),
}


@pytest.mark.parametrize(("language", "text"), NEVER_FLAGGED.values(), ids=NEVER_FLAGGED.keys())
def test_what_no_dictionary_can_know_is_never_flagged(language, text) -> None:
    assert _flagged(language, text) == []


def test_the_variant_decides_the_spelling() -> None:
    assert _flagged("de-DE", "Die Strasse war nass.") == ["Strasse"]
    assert _flagged("de-CH", "Die Strasse war nass.") == []


def test_the_personal_dictionary_spares_a_word() -> None:
    text = "Wir nutzen die zorbifizierung im Büro."
    assert _flagged("de-DE", text) == ["zorbifizierung"]
    assert _flagged("de-DE", text, frozenset({"zorbifizierung"})) == []


def _layers(nlp, linter) -> Layers:
    return Layers(nlp, linter, speller=dictionaries().speller, splitter=sentence_splitter)


def test_each_paragraph_is_checked_in_its_own_language(nlp, linter) -> None:
    text = (
        "Liebe Kolleginnen, ich habe den Bericht gestern gelesen und fand ihn sehr gründlich, "
        "aber die Zusammenfasung fehlt noch.\n\n"
        "Chers collègues, j'ai lu le rapport hier et je l'ai trouvé très complet, mais le "
        "résumé manque encorre.\n\n"
        "Dear colleagues, I read the report yesterday and found it very thorough, but the "
        "sumary is still missing.\n\n"
        "同僚の皆さん、昨日報告書を読みましたが、とても詳しかったです。"
    )
    options = ProofreadOptions(language="de-DE")
    result = asyncio.run(proofread(text, "text", options, _layers(nlp, linter)))
    found = {(text[i.offset : i.offset + i.length], i.rule) for i in result.issues}
    assert ("Zusammenfasung", "GERMAN_SPELLER_RULE") in found
    assert ("encorre", "FR_SPELLING_RULE") in found
    assert ("sumary", "MORFOLOGIK_RULE_EN_US") in found
    assert len(found) == 3
    assert result.unchecked == {"ja"} and result.checked == {"de-DE", "fr"}


def test_html_in_german_keeps_exact_offsets(nlp, linter) -> None:
    html = (
        "<p>Sehr geehrte Damen und Herren,</p><p>anbei finden Sie die <b>Rechnnung</b> "
        "für <a href='https://beispiel.de/rechnung'>den Monat</a> Mai.</p>"
    )
    options = ProofreadOptions(language="de-DE")
    result = asyncio.run(proofread(html, "html", options, _layers(nlp, linter)))
    assert [html[i.offset : i.offset + i.length] for i in result.issues] == ["Rechnnung"]


@pytest.fixture
def client(tmp_path) -> TestClient:
    settings = Settings(backend="pseudo", data_dir=tmp_path, warm_up=False)
    return TestClient(create_app(settings), headers=AUTH)


def test_every_listed_language_is_checked(client) -> None:
    """Each language /v2/languages lists gets a dictionary check: never `incompleteResults`."""
    listed = client.get("/v2/languages").json()
    codes = {entry["longCode"] for entry in listed}
    assert {"de-DE", "de-AT", "de-CH", "fr", "es", "it", "pt-PT", "pt-BR", "nl", "pl", "sv-SE",
            "ru", "uk-UA"} <= codes  # fmt: skip
    for code in sorted(codes):
        answer = client.post("/v2/check", data={"text": "abc xyz.", "language": code})
        assert answer.status_code == 200, code
        assert answer.json()["warnings"] == {"incompleteResults": False}, code


def test_a_client_walking_every_language_does_not_load_them_all(client) -> None:
    """Dictionaries take 10–20 MB each: only the most recently used dozen stay loaded."""
    for code in sorted(dictionaries().languages):
        client.post("/v2/check", data={"text": "abc xyz.", "language": code})
    assert 0 < dictionaries().loaded <= 12
    german = dictionaries().speller("de-DE")
    assert german is not None and german.check("Haus")  # let go of, then loaded again


def test_words_are_kept_per_language(client) -> None:
    text = "Wir nutzen die zorbifizierung im Büro."

    def ids(language: str) -> list[str]:
        answer = client.post("/v2/check", data={"text": text, "language": language}).json()
        return [m["rule"]["id"] for m in answer["matches"]]

    assert ids("de-DE") == ["GERMAN_SPELLER_RULE"]
    added = client.post("/v2/words/add", data={"word": "zorbifizierung", "language": "de"})
    assert added.json() == {"added": True}
    assert ids("de-DE") == [] and ids("de-AT") == []
    assert client.get("/v2/words", params={"language": "de"}).json() == {
        "words": ["zorbifizierung"]
    }
    assert client.get("/v2/words", params={"language": "fr"}).json() == {"words": []}
    deleted = client.post("/v2/words/delete", data={"word": "zorbifizierung", "language": "de"})
    assert deleted.json() == {"deleted": True}
    assert ids("de-DE") == ["GERMAN_SPELLER_RULE"]


def test_preferred_variants_pick_the_dictionary(client) -> None:
    text = "Die Strasse war nass, und der Schnee blieb liegen. Mit freundlichem Gruss, Anna"
    plain = client.post("/v2/check", data={"text": text, "language": "auto"}).json()
    assert plain["language"]["code"] == "de-DE"
    assert [m["rule"]["id"] for m in plain["matches"]] == ["GERMAN_SPELLER_RULE"] * 2
    swiss = client.post(
        "/v2/check", data={"text": text, "language": "auto", "preferredVariants": "de-CH,en-GB"}
    ).json()
    assert swiss["language"]["code"] == "de-CH" and swiss["matches"] == []
    wrong = client.post(
        "/v2/check", data={"text": text, "language": "de-DE", "preferredVariants": "de-CH"}
    )
    assert wrong.status_code == 400 and "language=auto" in wrong.text


def test_a_word_added_for_one_language_is_not_known_in_another_under_auto(client) -> None:
    german = "Wir nutzen die Zorbifizierung im Büro, und das klappt seit Jahren sehr gut."
    french = "Nous utilisons la zorbifizierung au bureau depuis des années, et cela marche."

    def flagged(text: str) -> list[str]:
        answer = client.post("/v2/check", data={"text": text, "language": "auto"}).json()
        return [text[m["offset"] : m["offset"] + m["length"]] for m in answer["matches"]]

    assert flagged(french) == ["zorbifizierung"]
    client.post("/v2/words/add", data={"word": "zorbifizierung", "language": "de"})
    assert flagged(german) == []
    # Before #34, auto read the dictionary unfiltered: the German word was spared in French too.
    assert flagged(french) == ["zorbifizierung"]


def test_auto_with_a_preferred_english_variant_checks_that_english(client) -> None:
    text = "The colour of the theatre was grey, and we travelled home to realise our plans."
    answer = client.post(
        "/v2/check", data={"text": text, "language": "auto", "preferredVariants": "en-GB,de-AT"}
    ).json()
    assert answer["language"]["code"] == "en-GB"
    # Before #34 every British spelling here was flagged by the American rule.
    assert [m["rule"]["id"] for m in answer["matches"] if "SPELL" in m["rule"]["id"]] == []
    american = client.post("/v2/check", data={"text": text, "language": "auto"}).json()
    assert american["language"]["code"] == "en-US" and len(american["matches"]) >= 4


def test_a_dictionary_let_go_of_and_loaded_again_keeps_its_lock() -> None:
    # The process's own dictionaries: a second enchant broker, once freed, breaks dictionaries
    # the first one loaded meanwhile (libenchant 2.3: "Hallo" unknown to de_DE afterwards).
    found = dictionaries()
    first = found.speller("de-DE")
    others = [c for c in found.languages if not c.startswith("de")][:13]
    for code in others:  # past the twelve kept loaded: German is let go of
        found.speller(code)
    again = found.speller("de-DE")
    assert first is not None and again is not None and again is not first
    # enchant hands back the very native dictionary a thread may still hold through `first`:
    # before #34 each got a lock of its own, so two threads could be inside it at once.
    assert again._dictionary._this == first._dictionary._this  # the native handle
    assert again._lock is first._lock


MAIL_DE = (
    "Hallo Anna,\n\nich wollte dir nur kurz sagen, dass die Unterlagen jetzt fertig sind und ich "
    "sie dir morgen schicke. Das Treffen am Freitag ist klar, wir sehen uns bald.\n\n"
    "Servus Max,\n\nDanke!\n\nViele Grüße\nJonas"
)


def test_short_lines_under_auto_are_checked_in_the_mails_language(client) -> None:
    answer = client.post("/v2/check", data={"text": MAIL_DE, "language": "auto"}).json()
    assert answer["language"]["code"] == "de-DE"
    # Before #34: "klar" flagged by the Portuguese speller, "bald" by the Lithuanian one, and
    # "Servus Max," left unchecked as Estonian.
    assert answer["matches"] == [] and answer["warnings"]["incompleteResults"] is False
