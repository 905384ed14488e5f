"""LibreTranslate's file translation: `POST /translate_file` (multipart `file`, `source`,
`target`, `api_key`) answers {"translatedFileUrl": …}; `GET /download_file/<name>` serves it.

Files go through Dragoman's document pipeline (html, txt, md, srt, docx, epub). Results are kept
in the data folder for `download_retention` seconds under a random name, which is the only key
to them: like LibreTranslate, the download URL needs no API key.
"""

from __future__ import annotations

import re
import time
import uuid
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse
from starlette.datastructures import UploadFile

from dragoman.chains import FILE_FORMATS, InputError, InputTooLarge, file_format, normalize_code

from ...errors import JobNotFound
from ...files import write_atomically
from ...llm.faults import backend_errors
from ...settings import Settings
from ...translation import archive_limits, translate_file_bytes
from ..deps import AdmissionDep, RuntimeDep, TranslatorDep
from ..forms import read_fields
from .libretranslate import TAG

router = APIRouter(tags=[TAG])
_STORED = re.compile(r"[0-9a-f]{32}\.[A-Za-z0-9._-]+")


def _folder(settings: Settings) -> Path:
    return settings.data_dir / "libretranslate-files"


def _safe_name(name: str) -> str:
    """The upload's name reduced to letters, digits, dots, dashes and underscores."""
    stem = re.sub(r"[^A-Za-z0-9._-]", "_", Path(name).name).lstrip(".")
    return stem or "file"


def _prune(folder: Path, keep_seconds: float) -> None:
    """Forget results older than the retention, as LibreTranslate's cleanup does."""
    cutoff = time.time() - keep_seconds
    for path in folder.glob("*") if folder.is_dir() else ():
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)


async def _upload(request: Request, limit: int) -> tuple[str, bytes]:
    form = await request.form()
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise InputError("Invalid request: missing file parameter")
    try:
        file_format(upload.filename)
        data = await upload.read()
    finally:
        await form.close()  # the spooled upload's temporary file
    if not data:
        raise InputError("Invalid request: empty file")
    if len(data) > limit:
        raise InputTooLarge(f"the file has {len(data)} bytes; at most {limit}")
    return upload.filename, data


@router.post("/translate_file")
async def translate_file(
    request: Request, runtime: RuntimeDep, translator: TranslatorDep, admission: AdmissionDep
) -> dict[str, str]:
    """Translate an uploaded file and answer with the URL of the result."""
    settings = runtime.settings
    fields = await read_fields(request)
    name, data = await _upload(request, settings.max_upload_bytes)
    target = fields.get("target")
    if not isinstance(target, str) or not target:
        raise InputError("Invalid request: missing target parameter")
    source = fields.get("source") or "auto"
    target = normalize_code(target)
    source = source if source == "auto" else normalize_code(source)
    async with admission.slot(settings.request_deadline):
        with backend_errors(runtime.models.url("translate")):
            limits = archive_limits(settings)
            translated, _ = await translate_file_bytes(
                translator, data, name, target, limits, source, None, settings.max_document_chars
            )
    folder = _folder(settings)
    _prune(folder, settings.download_retention)
    stored = f"{uuid.uuid4().hex}.{_safe_name(name)}"
    write_atomically(folder / stored, translated)
    return {"translatedFileUrl": str(request.url_for("download_file", filename=stored))}


@router.get("/download_file/{filename}")
def download_file(runtime: RuntimeDep, filename: str) -> FileResponse:
    """A translated file, under the name it was uploaded with."""
    path = _folder(runtime.settings) / filename
    if not _STORED.fullmatch(filename) or ".." in filename or not path.is_file():
        raise JobNotFound(f"no translated file {filename!r} (they are kept for a while only)")
    download = filename.split(".", 1)[1]
    media = FILE_FORMATS[file_format(download)].media_type
    return FileResponse(path, media_type=media, filename=download)
