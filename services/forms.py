"""Reading request bodies the way compatibility clients send them: JSON or form, labelled either."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request
from pydantic import BaseModel, ValidationError

from chains.errors import InputError


async def read_fields(request: Request) -> dict[str, Any]:
    """Read a JSON object or a form body; some clients label one as the other, so try both."""
    raw = await request.body()
    if not raw:
        raise InputError("empty request body")
    try:
        data = json.loads(raw)
        if isinstance(data, dict):
            return data
    except ValueError:
        pass
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


def validated(model: type[BaseModel], fields: dict[str, Any]) -> Any:
    """Validate fields into `model`, turning problems into one InputError."""
    try:
        return model.model_validate(fields)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise InputError(problems) from None
