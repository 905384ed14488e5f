"""FastAPI dependencies; tests replace them with app.dependency_overrides."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from dragoman.chains.translate import Translator

from ..runtime import Runtime
from .admission import Admission


def get_runtime(request: Request) -> Runtime:
    """The runtime the app was built with."""
    return request.app.state.runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def get_translator(runtime: RuntimeDep) -> Translator:
    """A translator on the configured translation model, one per request."""
    return runtime.translator()


TranslatorDep = Annotated[Translator, Depends(get_translator)]


def get_admission(request: Request) -> Admission:
    """The app's gate towards the model."""
    return request.app.state.admission


AdmissionDep = Annotated[Admission, Depends(get_admission)]
