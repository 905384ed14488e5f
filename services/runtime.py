"""What a running Dragoman holds (settings, models, stores), and the wiring of each request's
translator and proofreading layers out of them."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from dragoman.chains import BackendUnavailable, ModelProfile, load_detector, primary
from dragoman.chains.proofread import Corrector, Layers, Verifier
from dragoman.chains.translate import TranslateOptions, Translator

from .catalog import Catalog
from .grammalecte import grammalecte_server
from .llm import make_chat_model
from .llm.dryrun import Recorder
from .llm.faults import as_backend_error
from .models import ModelFactory, Models, ScorerFactory
from .nlp import english_nlp, errant_annotator, harper_linter, sentence_splitter
from .settings import Settings
from .spelling import dictionaries
from .stores import Stores


def translate_options(
    settings: Settings, profile: ModelProfile, concurrency: int | None = None
) -> TranslateOptions:
    """Batching and concurrency limits for a translator, from settings and the model's window."""
    return TranslateOptions(
        batch_segments=settings.batch_segments,
        # A batch's source and answer must fit the context window (about 3 chars a token).
        batch_chars=min(settings.batch_chars, profile.context_window),
        concurrency=concurrency or settings.parallel or 1,
        retry_temperature=settings.retry_temperature,
        ladder_cost=settings.ladder_cost,
        memory_examples=settings.memory_examples,
        memory_match=settings.memory_match,
    )


class Runtime:
    """Per-process state: the settings, the models (`Models`) and the stores (`Stores`)."""

    def __init__(
        self,
        settings: Settings,
        model_factory: ModelFactory = make_chat_model,
        recorder: Recorder | None = None,
        catalog: Catalog | None = None,
        scorer_factory: ScorerFactory | None = None,
    ) -> None:
        self.settings = settings
        self.models = Models(settings, model_factory, recorder, catalog, scorer_factory)
        self.stores = Stores(settings)

    def translator(
        self, concurrency: int | None = None, progress: Callable[[int], None] | None = None
    ) -> Translator:
        """A translator on the translation model; make one per request, it counts its calls."""
        models, settings = self.models, self.settings
        profile = models.profile("translate")
        options = translate_options(settings, profile, concurrency or models.slots("translate"))
        return Translator(
            # The model spreads its calls over the task's server pool (models.pools).
            models.model("translate"),
            profile,
            options,
            memory=self.stores.memory,
            fault_check=partial(as_backend_error, url=models.url("translate")),
            progress=progress,
            retries=settings.backend_retries,
            # An explicit concurrency (a CLI batch's --jobs) gets its own gate.
            gate=None if concurrency else models.gates["translate"],
            count_tokens=models.token_counter("translate"),
        )

    def corrector(self) -> Corrector:
        """A corrector on the proofreading model, one per request."""
        models = self.models
        return Corrector(
            models.model("proofread"),
            models.profile("proofread"),
            fault_check=partial(as_backend_error, url=models.url("proofread")),
            retries=self.settings.backend_retries,
            gate=models.gates["proofread"],
        )

    def verifier(self) -> Verifier | None:
        """The language model that must prefer each model edit and spelling fix, if any."""
        if not self.models.profile("proofread").follows_prompts:
            return None  # no language model proofreads here (the pseudo backend)
        scorer = self.models.scorer()
        return Verifier(scorer, self.settings.verify_margin) if scorer else None

    def nlp(self) -> Any:
        """The spaCy English pipeline."""
        return english_nlp()

    def layers(self, dialect: str) -> Layers:
        """Proofreading's checkers: English's (for `dialect`) with a corrector for this request,
        and Hunspell's speller and a sentence splitter for every other language."""
        return Layers(
            self.nlp(),
            harper_linter(dialect),
            errant_annotator(),
            self.corrector(),
            self.verifier(),
            speller=dictionaries().speller,
            splitter=sentence_splitter,
            grammar=self.grammar,
        )

    def grammar(self, language: str) -> Callable[[str], dict[str, Any] | None] | None:
        """The rule checker of a language's grammar, if there is one: Grammalecte for French."""
        if primary(language) != "fr" or not self.settings.grammalecte:
            return None
        settings = self.settings
        return grammalecte_server(settings.grammalecte, settings.grammalecte_timeout).check

    def warm_up(self) -> None:
        """Load in-process models, ask servers for their slots, load the checkers: all now,
        before the first request."""
        self.models.warm_up()
        load_detector()
        self.nlp()
        harper_linter("en-US")
        errant_annotator()

    def unreachable(self) -> dict[str, str]:
        """Prepare local models, then probe every server: those that do not answer, and why."""
        self.warm_up()
        return self.models.unreachable()

    def check_backends(self) -> None:
        """Prepare local models and check remote backends answer; raise on the first that fails."""
        for url, detail in self.unreachable().items():
            raise BackendUnavailable(url, detail)
