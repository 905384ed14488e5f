"""What each part of `dragoman serve` keeps resident: run as its own process, it loads the service's
parts one by one, as warm-up does, and reports RSS and PSS after each (python -m bench.footprint).

llama.cpp's own figures for its buffers (KV cache, compute, output) are read from its log lines,
which Dragoman routes to the `dragoman.llama_cpp` logger.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

# llama.cpp: "llama_kv_cache:        CPU KV buffer size =    36.00 MiB" and the like.
BUFFER = re.compile(r"^(\w+):\s+CPU (?:KV |compute |output )?buffer size =\s+([\d.]+) MiB")
KINDS = {"kv": "KV cache", "compute": "compute", "output": "output"}


class BufferLog(logging.Handler):
    """Collects llama.cpp's reports of the buffers it allocates, in MiB, by kind."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.buffers: list[tuple[str, float]] = []

    def emit(self, record: logging.LogRecord) -> None:
        line = record.getMessage()
        match = BUFFER.match(line)
        if match:
            kind = next((name for word, name in KINDS.items() if f" {word}" in line.lower()), "")
            self.buffers.append((kind or match.group(1), float(match.group(2))))


def resident() -> tuple[int, int]:
    """This process's RSS and PSS in MB."""
    import psutil

    info = psutil.Process(os.getpid()).memory_full_info()
    return round(info.rss / 2**20), round(info.pss / 2**20)


def probe(env: dict[str, str]) -> list[dict[str, Any]]:
    """Load the service's parts in warm-up's order; RSS and PSS (MB) and seconds after each."""
    os.environ.update(env)
    log = BufferLog()
    llama_log = logging.getLogger("dragoman.llama_cpp")
    llama_log.addHandler(log)
    llama_log.setLevel(logging.DEBUG)
    stages: list[dict[str, Any]] = []

    def stage(name: str, load: Any) -> None:
        seen = len(log.buffers)
        started = time.monotonic()
        load()
        rss, pss = resident()
        stages.append({"part": name, "rss_mb": rss, "pss_mb": pss, "s": round(time.monotonic() - started, 2), "buffers": log.buffers[seen:]})  # fmt: skip

    stages.append({"part": "Python interpreter", "rss_mb": resident()[0], "pss_mb": resident()[1], "s": 0, "buffers": []})  # fmt: skip
    holder: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as folder:

        def base() -> None:
            from dragoman.services.api.app import create_app
            from dragoman.services.runtime import Runtime
            from dragoman.services.settings import Settings

            runtime = Runtime(Settings(data_dir=Path(folder), token="probe"))
            holder.update(runtime=runtime, app=create_app(runtime=runtime))

        def spacy() -> None:
            holder["runtime"].nlp()

        def harper() -> None:
            from dragoman.services.nlp import harper_linter

            harper_linter("en-US")

        def errant() -> None:
            from dragoman.services.nlp import errant_annotator

            errant_annotator()

        def generator() -> None:
            runtime = holder["runtime"]
            for task in runtime.models.resolved:
                runtime.models.model(task)

        stage("Python, FastAPI and Dragoman's app", base)
        stage("spaCy and its English pipeline", spacy)
        stage("Harper (en-US)", harper)
        stage("ERRANT", errant)
        stage(
            "SQLAlchemy and the database, migrated",
            lambda: holder["runtime"].stores.database.open(),
        )
        stage("the generator: llama.cpp model and context", generator)
        stage("the verifier", lambda: holder["runtime"].verifier())
        holder["runtime"].stores.database.close()
    return stages


if __name__ == "__main__":
    env = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
    print(json.dumps(probe(env)))
