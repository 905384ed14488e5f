"""Service health and the models it knows."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from ..catalog import load_catalog
from ..deps import RuntimeDep
from ..llm import probe_backend

router = APIRouter()


class BackendHealth(BaseModel):
    """One task's model and whether its backend answers."""

    preset: str
    backend: str
    model: str
    url: str | None
    prompt_style: str
    reachable: bool
    detail: str
    slots: int = Field(description="model calls Dragoman runs at once on this backend")


class HealthResponse(BaseModel):
    """`ok` when every task's backend answers, else `degraded`."""

    status: Literal["ok", "degraded"]
    backends: dict[str, BackendHealth]


class ModelCard(BaseModel):
    """A preset as listed by /v1/models."""

    id: str
    object: Literal["model"] = "model"
    backend: str
    model: str
    prompt_style: str
    description: str
    used_for: list[str]


class ModelList(BaseModel):
    """OpenAI-style list of presets."""

    object: Literal["list"] = "list"
    data: list[ModelCard]


@router.get("/health", response_model=HealthResponse)
def health(runtime: RuntimeDep) -> HealthResponse:
    """Report each task's backend; probes run in a worker thread, so this never blocks the loop."""
    backends = {}
    for task, resolved in runtime.resolved.items():
        probe = probe_backend(resolved, runtime.settings)
        backends[task] = BackendHealth(
            **resolved.describe(),
            reachable=probe.reachable,
            detail=probe.detail,
            slots=runtime.slots(task),
        )
    status = "ok" if all(b.reachable for b in backends.values()) else "degraded"
    return HealthResponse(status=status, backends=backends)


@router.get("/v1/models", response_model=ModelList)
def models(runtime: RuntimeDep) -> ModelList:
    """List every preset, marking the ones in use for each task."""
    in_use: dict[str, list[str]] = {}
    for task, resolved in runtime.resolved.items():
        in_use.setdefault(resolved.preset_name, []).append(task)
    cards = [
        ModelCard(
            id=name,
            backend=preset.backend,
            model=preset.model,
            prompt_style=preset.prompt_style,
            description=preset.description,
            used_for=in_use.get(name, []),
        )
        for name, preset in load_catalog().presets.items()
    ]
    return ModelList(data=cards)
