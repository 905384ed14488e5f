"""Service health and the models it knows."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from ...catalog import load_catalog
from ...llm import probe_backend
from ...stores.db import describe
from ..deps import RuntimeDep

router = APIRouter()


class ServerHealth(BaseModel):
    """One model server of a task's pool."""

    url: str
    up: bool = Field(description="whether it answered its last probe and request")
    in_flight: int
    slots: int
    error: str | None


class BackendHealth(BaseModel):
    """One task's model (or the verifier's) and whether its backend answers."""

    preset: str
    backend: str
    model: str
    url: str | None
    urls: list[str]
    prompt_style: str
    reachable: bool = Field(description="whether at least one server answers")
    detail: str
    slots: int = Field(description="model calls Dragoman runs at once on this backend")
    servers: list[ServerHealth] = Field(default_factory=list)


class DatabaseHealth(BaseModel):
    """The database the translation memory and document jobs share."""

    url: str = Field(description="its URL, without the password")
    reachable: bool
    detail: str = ""


class HealthResponse(BaseModel):
    """`ok` when every task's backend, the verifier and the database answer, else `degraded`."""

    status: Literal["ok", "degraded"]
    backends: dict[str, BackendHealth]
    database: DatabaseHealth


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
    probes = runtime.models.probe_servers()
    away = {name: p.detail for name, p in probes.items() if not p.reachable}
    for task, resolved in runtime.models.resolved.items():
        pool = runtime.models.pools.get(task)
        urls = [s.url for s in pool.servers] if pool else [runtime.models.url(task)]
        detail = "; ".join(f"{url}: {away[url]}" for url in urls if url in away)
        backends[task] = BackendHealth(
            **resolved.describe(),
            reachable=any(url not in away for url in urls),
            detail=detail or probes[urls[0]].detail,
            slots=runtime.models.slots(task),
            servers=[ServerHealth(**server) for server in pool.describe()] if pool else [],
        )
    if runtime.models.verifying is not None:  # the in-process model that checks proofreading fixes
        probe = probe_backend(runtime.models.verifying, runtime.settings)
        backends["verify"] = BackendHealth(
            **runtime.models.verifying.describe(),
            reachable=probe.reachable,
            detail=probe.detail,
            slots=1,
        )
    problem = runtime.stores.database.ping()
    database = DatabaseHealth(
        url=describe(runtime.stores.database.url), reachable=problem is None, detail=problem or ""
    )
    # Degraded: a task has no server that answers, some server of a pool is away, the verifier
    # is not ready, or the database is away (translation still works; memory and jobs do not).
    unready = not all(b.reachable for b in backends.values())
    status = "degraded" if away or problem or unready else "ok"
    return HealthResponse(status=status, backends=backends, database=database)


@router.get("/v1/models", response_model=ModelList)
def models(runtime: RuntimeDep) -> ModelList:
    """List every preset, marking the ones in use for each task."""
    in_use: dict[str, list[str]] = {}
    for task, resolved in runtime.models.resolved.items():
        in_use.setdefault(resolved.preset_name, []).append(task)
    if runtime.models.verifying is not None:
        in_use.setdefault(runtime.models.verifying.preset_name, []).append("verify")
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
