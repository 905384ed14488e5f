"""A real llama.cpp llama-server with real models, started once per session on loopback.

`make real-server` builds llama-server from the llama.cpp sources vendored in the pinned
llama-cpp-python sdist and fetches SmolLM2; without them the tier is skipped with the reason.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.llama_server import SMOLLM2, LlamaServer, Missing, gemma_gguf, llama_server


def _serve(model: Path, log_dir: Path) -> Iterator[LlamaServer]:
    try:
        with llama_server(model, log_dir) as server:
            yield server
    except Missing as exc:
        pytest.skip(str(exc))


@pytest.fixture(scope="session")
def smollm2_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LlamaServer]:
    """SmolLM2-135M-Instruct, a real (and very small) chat model."""
    yield from _serve(SMOLLM2, tmp_path_factory.mktemp("smollm2"))


@pytest.fixture(scope="session")
def gemma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LlamaServer]:
    """Gemma 3 270M, a base model, from the GGUF the embedded backend ships."""
    gguf = gemma_gguf(tmp_path_factory.mktemp("gemma-data"))
    yield from _serve(gguf, tmp_path_factory.mktemp("gemma"))
