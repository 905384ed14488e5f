"""A translation that opens like a refusal or an aside is kept when its source says the same in
its own language; a model's own commentary is still caught, and an announcing label is
stripped rather than the answer thrown away."""

from __future__ import annotations

import asyncio

import pytest

from dragoman.chains import ModelProfile
from dragoman.chains.translate import TranslateRequest, translate_document
from tests.fakes import RecordingChatModel, make_translator

CHAT = ModelProfile(style="chat")

# (source language, source, its correct English), each opening like commentary.
CORRECT = [
    ("de", "Ich kann mein Passwort nicht zurücksetzen.", "I can't reset my password."),
    ("fr", "Je ne peux pas me connecter depuis hier.", "I can't log in since yesterday."),
    ("es", "No puedo instalar el controlador nuevo.", "I can't install the new driver."),
    ("ru", "Я не могу найти этот файл на диске.", "I can't find this file on the disk."),
    ("ja", "パスワードをリセットできません。", "I cannot reset the password."),
    (
        "de",
        "Tut mir leid, ich habe das falsche Kabel gekauft.",
        "I'm sorry, I bought the wrong cable.",
    ),
    ("fr", "Désolé, je me suis trompé de lien.", "Sorry, I posted the wrong link."),
    ("es", "Lo siento, no funciona en mi equipo.", "I'm sorry, it doesn't work on my computer."),
    ("it", "Purtroppo il problema persiste ancora.", "Unfortunately the problem still persists."),
    ("pl", "Przepraszam, to był mój błąd.", "Sorry, that was my mistake."),
    ("de", "Hier ist mein Log von heute Morgen:", "Here is my log from this morning:"),
    (
        "fr",
        "Voici la configuration complète du serveur.",
        "Here is the server's full configuration.",
    ),
    ("de", "Hinweis: Das Forum ist morgen offline.", "Note: The forum will be offline tomorrow."),
    ("fr", "Remarque : le serveur redémarre à minuit.", "Note: the server restarts at midnight."),
    ("de", "Natürlich, das kannst du so machen.", "Of course, you can do it that way."),
    ("de", "Klar, ich schicke dir morgen die Datei.", "Sure, I'll send you the file tomorrow."),
    ("es", "¡Claro! Te lo explico mañana con calma.", "Sure! I'll explain it to you tomorrow."),
    ("fr", "Certainement, c'est un bug connu.", "Certainly, it is a known bug."),
    (
        "de",
        "Ich kann diesen Text nicht übersetzen, er ist verschlüsselt.",
        "I can't translate this text, it is encrypted.",
    ),
]
SOURCES = {
    "de": "Das Update hat meinen Drucker kaputt gemacht.",
    "fr": "La mise à jour a cassé mon imprimante.",
}
ENGLISH = "The update broke my printer."
# A model's own words: refusals, asides and notes, none of them said by the source.
COMMENTARY = [
    "I'm sorry, but I can't translate this text.",
    "I'm sorry, I can't help with that request.",
    "As an AI language model, I cannot do this.",
    f"Sorry! {ENGLISH}",
    f"Sure! {ENGLISH}",
    "Here is my printer after the update.",
    f"Note: {ENGLISH.lower()}",
    f"{ENGLISH} (Note: 'kaputt' means broken.)",
    "I can't believe the update broke my printer.",
]
LABELLED = [
    f"Translation: {ENGLISH}",
    f"Here is the translation: {ENGLISH}",
    f"Sure! Here it is: {ENGLISH}",
    f"English translation: {ENGLISH}",
]


def translate(source_language: str, source: str, answer: str):
    model = RecordingChatModel(reply=lambda messages: answer)
    request = TranslateRequest(source, "en", source_language, "text")
    return asyncio.run(translate_document(make_translator(model, CHAT), request))


@pytest.mark.parametrize(("language", "source", "english"), CORRECT)
def test_a_translation_that_opens_like_commentary_is_kept(language, source, english) -> None:
    result = translate(language, source, english)
    assert (result.status, result.text) == ("ok", english), result.reasons


@pytest.mark.parametrize("language", SOURCES)
@pytest.mark.parametrize("answer", COMMENTARY)
def test_commentary_the_source_does_not_say_is_rejected(language, answer) -> None:
    result = translate(language, SOURCES[language], answer)
    assert (result.status, result.text) == ("failed", SOURCES[language])


@pytest.mark.parametrize("answer", LABELLED)
def test_an_announcing_label_is_stripped(answer) -> None:
    result = translate("de", SOURCES["de"], answer)
    assert (result.status, result.text) == ("repaired", ENGLISH)


def test_a_source_with_a_label_of_its_own_keeps_it() -> None:
    source = "Übersetzung: so heißt das Menü in der deutschen Version."
    english = "Translation: that is what the menu is called in the German version."
    result = translate("de", source, english)
    assert (result.status, result.text) == ("ok", english)
