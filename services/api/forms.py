"""Reading parameters the way compatibility clients send them: in the query string, in a JSON,
urlencoded or multipart body, and sometimes a form labelled as JSON.

LibreTranslate reads Flask's `request.values` (the query, then the form, first value of a repeated
key) or, for a JSON body, the JSON object; LanguageTool's server reads the query and the form
alike. `read_fields` merges them the same way, so one request answers as it would there.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from fastapi import Request
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool

from dragoman.chains import InputError

from .errormap import validation_message
from .jsonbody import loads_object

_FORMS = ("multipart/form-data", "application/x-www-form-urlencoded")
# Bodies up to this size are parsed on the event loop (well under a millisecond); larger ones in
# a worker thread.
_ON_THE_LOOP = 64 << 10


def _first_values(pairs: Any) -> dict[str, str]:
    """Keep the first value of each repeated key, as Werkzeug's MultiDict.get does."""
    out: dict[str, str] = {}
    for key, value in pairs:
        if isinstance(value, str):
            out.setdefault(key, value)
    return out


async def body_fields(request: Request) -> dict[str, Any] | None:
    """The body's fields: a JSON object, or a form (however labelled); None when there is none.
    Parsed once per request (the token check and the endpoint share them), and a large body in a
    worker thread: parsing megabytes on the event loop would stall every other request."""
    if hasattr(request.state, "body_fields"):
        return request.state.body_fields  # type: ignore[no-any-return]
    raw = await request.body()
    content_type = request.headers.get("content-type", "")
    if not raw:
        fields = None
    elif content_type.startswith("multipart/form-data"):  # parsed chunk by chunk, awaiting
        fields = _first_values((await request.form()).multi_items())
    elif len(raw) > _ON_THE_LOOP:
        fields = await run_in_threadpool(_parse, raw, content_type)
    else:
        fields = _parse(raw, content_type)
    request.state.body_fields = fields
    return fields


def _parse(raw: bytes, content_type: str) -> dict[str, Any]:
    """A urlencoded form, a JSON object, or a form labelled as something else."""
    labelled_form = content_type.startswith(_FORMS)
    if not labelled_form:
        data = loads_object(raw)
        if data is not None:
            return data
    try:  # a form, perhaps sent with another label (often application/json)
        text = raw.decode("utf-8")
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=not labelled_form)
    except (UnicodeDecodeError, ValueError):
        raise InputError("the body is neither JSON nor a form") from None
    return _first_values(pairs)


async def read_fields(request: Request) -> dict[str, Any]:
    """Query and body together: a JSON body's fields win, a form's lose to the query's (as in
    LibreTranslate); with neither, InputError."""
    query = _first_values(request.query_params.multi_items())
    body = await body_fields(request)
    if body is None:
        if not query:
            raise InputError("no parameters: send them in the query string or the body")
        return query
    is_json = not request.headers.get("content-type", "").startswith(_FORMS)
    return {**query, **body} if is_json else {**body, **query}


def validated(model: type[BaseModel], fields: dict[str, Any]) -> Any:
    """Validate fields into `model`, turning problems into one InputError."""
    try:
        return model.model_validate(fields)
    except ValidationError as exc:
        raise InputError(validation_message(exc.errors())) from None
