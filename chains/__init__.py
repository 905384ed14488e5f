"""Pure logic: markup segmentation, translation and proofreading runnables that take a model as
an argument and do no I/O. Other layers import from here (or a subpackage's `__init__`) only."""

from .calls import CallGate, FaultCheck, ModelCaller, Usage
from .detect import UNDETERMINED, detect_language, load_detector
from .errors import (
    BackendUnavailable,
    DragomanError,
    DtdForbidden,
    InputError,
    InputTooLarge,
    MarkupMismatch,
    NestedTooDeeply,
    UnsupportedFormat,
    UnsupportedLanguage,
)
from .formats import (
    FILE_FORMATS,
    TEXT_DOCUMENTS,
    FileDocument,
    FileFormat,
    ProofreadFormat,
    TextFormat,
    decode_text,
    file_format,
    format_of,
    html_bytes,
    is_translatable,
    load_file,
    parse_text,
    printable_format,
    proofread_format,
    text_format,
)
from .languages import is_english, language_name, language_names, normalize_code, primary
from .markup.archive import ArchiveLimits
from .profile import ModelProfile
from .scripts import UNSPACED_LANGUAGES

__all__ = [
    "ArchiveLimits",
    "FILE_FORMATS",
    "TEXT_DOCUMENTS",
    "BackendUnavailable",
    "CallGate",
    "DragomanError",
    "DtdForbidden",
    "FaultCheck",
    "FileDocument",
    "FileFormat",
    "InputError",
    "InputTooLarge",
    "NestedTooDeeply",
    "ModelCaller",
    "ModelProfile",
    "ProofreadFormat",
    "TextFormat",
    "MarkupMismatch",
    "UnsupportedFormat",
    "UnsupportedLanguage",
    "Usage",
    "decode_text",
    "UNDETERMINED",
    "UNSPACED_LANGUAGES",
    "html_bytes",
    "is_english",
    "detect_language",
    "load_detector",
    "primary",
    "file_format",
    "format_of",
    "is_translatable",
    "language_name",
    "language_names",
    "load_file",
    "normalize_code",
    "parse_text",
    "proofread_format",
    "printable_format",
    "text_format",
]
