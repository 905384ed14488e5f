"""Reading request bodies the way compatibility clients send them: JSON or form, labelled either."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from fastapi import Request
from pydantic import BaseModel, ValidationError

from dragoman.chains import InputError

from .errormap import validation_message


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
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        form = await request.form()
        return {key: value for key, value in form.items() if isinstance(value, str)}
    try:  # a form body sent with another label (often application/json)
        return dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=True, strict_parsing=True))
    except (UnicodeDecodeError, ValueError):
        raise InputError("the body is neither JSON nor a form") from None


def validated(model: type[BaseModel], fields: dict[str, Any]) -> Any:
    """Validate fields into `model`, turning problems into one InputError."""
    try:
        return model.model_validate(fields)
    except ValidationError as exc:
        raise InputError(validation_message(exc.errors())) from None
