"""FastAPI dependencies; tests replace them with app.dependency_overrides."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from langchain_core.runnables import Runnable

from .runtime import Runtime


def get_runtime(request: Request) -> Runtime:
    """The runtime the app was built with."""
    return request.app.state.runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def get_translate_text_chain(runtime: RuntimeDep) -> Runnable:
    """The plain-text translation chain on the configured translation model."""
    return runtime.translate_text_chain()


TranslateTextChainDep = Annotated[Runnable, Depends(get_translate_text_chain)]
