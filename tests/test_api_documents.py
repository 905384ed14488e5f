"""The document jobs API: upload, poll, download; refusals; a job that survives a restart."""

from __future__ import annotations

import io
import sqlite3
import threading
from contextlib import closing
from pathlib import Path

import docx
from fastapi.testclient import TestClient

from dragoman.services.api.app import create_app
from dragoman.services.runtime import Runtime
from dragoman.services.settings import Settings
from dragoman.services.stores.db import head_revision
from tests.conftest import AUTH
from tests.documents import SRT, make_docx
from tests.fakes import RecordingChatModel, free_port, segment_replier
from tests.live import wait_until


def app_for(data_dir, model=None) -> TestClient:
    if model is None:
        settings = Settings(backend="pseudo", data_dir=data_dir, warm_up=False)
        return TestClient(create_app(settings), raise_server_exceptions=False, headers=AUTH)
    settings = Settings(backend="llama-server", data_dir=data_dir, warm_up=False, batch_segments=1)
    runtime = Runtime(settings, model_factory=lambda *_: model)
    return TestClient(create_app(runtime=runtime), raise_server_exceptions=False, headers=AUTH)


def wait_done(client: TestClient, job_id: str, timeout: float = 30) -> dict:
    def finished() -> dict | None:
        body = client.get(f"/v1/documents/{job_id}").json()
        return body if body["status"] in ("done", "failed") else None

    return wait_until(finished, timeout, f"job {job_id} to finish")


def test_upload_poll_and_download(tmp_path) -> None:
    data = make_docx([[("Hallo ", ""), ("Welt", "b"), (".", "")]])
    with app_for(tmp_path) as client:
        created = client.post(
            "/v1/documents",
            files={"file": ("brief.docx", data)},
            data={"target": "en", "source": "de"},
        )
        assert created.status_code == 202, created.text
        job = wait_done(client, created.json()["id"])
        assert job["status"] == "done" and job["progress"] == {"done": 3, "total": 3}
        assert job["counts"] == {"ok": 3} and job["filename"] == "brief.docx"
        result = client.get(f"/v1/documents/{job['id']}/result")
    assert result.headers["content-type"].startswith("application/vnd.openxmlformats")
    runs = [(r.text, r.bold) for r in docx.Document(io.BytesIO(result.content)).paragraphs[0].runs]
    assert runs == [("[Ĥàĺĺö ", None), ("Ŵéĺţ", True), (".]", None)]


def test_unsupported_corrupt_and_unknown(tmp_path) -> None:
    with app_for(tmp_path) as client:
        pdf = client.post(
            "/v1/documents", files={"file": ("a.pdf", b"%PDF-1.4")}, data={"target": "en"}
        )
        assert pdf.status_code == 415 and pdf.json()["error"]["code"] == "unsupported_format"
        broken = client.post(
            "/v1/documents", files={"file": ("a.docx", b"not a zip")}, data={"target": "en"}
        )
        assert (
            broken.status_code == 422
            and "not a readable .docx" in broken.json()["error"]["message"]
        )
        latin = client.post(
            "/v1/documents",
            files={"file": ("a.txt", "Grüße".encode("latin-1"))},
            data={"target": "en"},
        )
        assert latin.status_code == 422 and "not valid UTF-8" in latin.json()["error"]["message"]
        missing = client.get("/v1/documents/nope")
        assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
        nolang = client.post(
            "/v1/documents", files={"file": ("a.srt", SRT.encode())}, data={"target": "xx"}
        )
        assert nolang.status_code == 422


def test_result_before_done_is_409(tmp_path) -> None:
    release = threading.Event()
    held = RecordingChatModel(reply=segment_replier(lambda t: release.wait(30) and t.upper()))
    try:
        with app_for(tmp_path, held) as client:
            job = client.post(
                "/v1/documents",
                files={"file": ("film.srt", SRT.encode())},
                data={"target": "en", "source": "de"},
            ).json()
            early = client.get(f"/v1/documents/{job['id']}/result")
            assert early.status_code == 409 and early.json()["error"]["code"] == "not_finished"
            release.set()
            assert wait_done(client, job["id"])["status"] == "done"
    finally:
        release.set()


def test_a_job_survives_a_restart(tmp_path) -> None:
    text = "".join(f"Satz Nummer {n} im Dokument.\n\n" for n in range(12))
    hanging = RecordingChatModel(reply=segment_replier(str.upper), stall_after=3)
    with app_for(tmp_path, hanging) as client:
        job_id = client.post(
            "/v1/documents",
            files={"file": ("notes.md", text.encode())},
            data={"target": "en", "source": "de"},
        ).json()["id"]
        wait_until(
            lambda: client.get(f"/v1/documents/{job_id}").json()["progress"]["done"] >= 3,
            10,
            "three segments done",
        )
    first_calls = len(hanging.history)
    assert first_calls == 4  # three answered, the fourth hung until the service stopped
    fresh = RecordingChatModel(reply=segment_replier(lambda t: t.upper()))
    with app_for(tmp_path, fresh) as client:
        job = wait_done(client, job_id)
        assert job["status"] == "done"
        out = client.get(f"/v1/documents/{job_id}/result").text
    assert out.startswith("SATZ NUMMER 0 IM DOKUMENT.") and "SATZ NUMMER 11 IM DOKUMENT." in out
    assert len(fresh.history) == 12 - 3  # the three finished segments came from memory


OLD_MEMORY = """CREATE TABLE translations (
    key TEXT PRIMARY KEY, text TEXT NOT NULL, created REAL NOT NULL
)"""
OLD_JOBS = """CREATE TABLE jobs (
    id TEXT PRIMARY KEY, filename TEXT NOT NULL, source TEXT NOT NULL, target TEXT NOT NULL,
    status TEXT NOT NULL, total INTEGER NOT NULL, done INTEGER NOT NULL DEFAULT 0,
    counts TEXT NOT NULL DEFAULT '{}', error TEXT, created REAL NOT NULL, updated REAL NOT NULL
)"""


def old_data_dir(data: Path) -> None:
    """A data directory as the SQLite-only versions left it: memory.sqlite3, and jobs.sqlite3
    with a folder of files per job under jobs/."""
    (data / "jobs" / "old-done").mkdir(parents=True)
    (data / "jobs" / "old-running").mkdir()
    with closing(sqlite3.connect(data / "memory.sqlite3")) as memory, memory:
        memory.execute(OLD_MEMORY)
        memory.execute("INSERT INTO translations VALUES ('old-key', 'kept translation', 1.0)")
    with closing(sqlite3.connect(data / "jobs" / "jobs.sqlite3")) as jobs, jobs:
        jobs.execute(OLD_JOBS)
        jobs.execute("INSERT INTO jobs VALUES ('old-done', 'a.txt', 'de', 'en', 'done', 1, 1,"
                     " '{\"ok\": 1}', NULL, 1.0, 2.0)")  # fmt: skip
        jobs.execute("INSERT INTO jobs (id, filename, source, target, status, total, created,"
                     " updated) VALUES ('old-running', 'b.txt', 'de', 'en', 'running', 1, 3, 3)")  # fmt: skip
    (data / "jobs" / "old-done" / "input").write_text("Hallo.\n")
    (data / "jobs" / "old-done" / "output").write_text("Hello (from before).\n")
    (data / "jobs" / "old-running" / "input").write_text("Welt.\n")


def test_a_data_dir_from_before_migrations_keeps_its_memory_and_jobs(tmp_path) -> None:
    old_data_dir(tmp_path)
    with app_for(tmp_path) as client:
        done = client.get("/v1/documents/old-done/result")
        resumed = wait_done(client, "old-running")
        again = client.get("/v1/documents/old-running/result")
        memory = client.app.state.runtime.stores.memory  # type: ignore[attr-defined]
        kept = memory.get_many(["old-key"])
    assert done.status_code == 200 and done.text == "Hello (from before).\n"
    assert resumed["status"] == "done" and again.text == "[Ŵéĺţ.]\n"
    assert kept == {"old-key": "kept translation"}
    with closing(sqlite3.connect(tmp_path / "memory.sqlite3")) as db:
        assert db.execute("SELECT version_num FROM alembic_version").fetchall() == [
            (head_revision(),)
        ]
    assert not (tmp_path / "jobs" / "jobs.sqlite3").exists()  # read once, kept as .imported
    assert (tmp_path / "jobs" / "jobs.sqlite3.imported").is_file()


def test_a_database_that_is_down_answers_503(tmp_path) -> None:
    url = f"postgresql+psycopg://dragoman:secret@127.0.0.1:{free_port()}/dragoman"
    settings = Settings(backend="pseudo", data_dir=tmp_path, warm_up=False, database_url=url)
    client = TestClient(create_app(settings), raise_server_exceptions=False, headers=AUTH)
    answer = client.get("/v1/documents/some-job")
    assert answer.status_code == 503
    error = answer.json()["error"]
    assert error["code"] == "database_unavailable" and "secret" not in error["message"]
    assert error["message"].startswith("database at postgresql+psycopg://dragoman:***@127.0.0.1:")


def _client(tmp_path: Path, **limits) -> TestClient:
    settings = Settings(backend="pseudo", data_dir=tmp_path, warm_up=False, **limits)
    return TestClient(create_app(settings), raise_server_exceptions=False, headers=AUTH)


def test_a_book_is_judged_by_its_text_not_by_its_pictures(tmp_path: Path) -> None:
    # Before #35 uploads were capped at 4 × DRAGOMAN_MAX_CHARS bytes and by the 8 MB body limit:
    # a 4,057,659-byte EPUB 3 sample with little text was refused.
    book = (Path(__file__).parent / "files" / "idpf-wasteland.epub").read_bytes()
    with _client(tmp_path, max_chars=10_000, max_body_bytes=50_000) as client:
        assert len(book) > 4 * 10_000 and len(book) > 50_000
        answer = client.post(
            "/v1/documents", files={"file": ("book.epub", book)}, data={"target": "fr"}
        )
        assert answer.status_code == 202, answer.text
        refused = client.post("/v1/translate", json={"q": "x" * 60_000, "target": "en"})
        assert refused.status_code == 413  # every other path keeps the body limit


def test_too_much_text_or_too_many_bytes_is_refused_naming_the_setting(tmp_path: Path) -> None:
    book = (Path(__file__).parent / "files" / "idpf-wasteland.epub").read_bytes()
    with _client(tmp_path, max_document_chars=5_000) as client:
        answer = client.post(
            "/v1/documents", files={"file": ("b.epub", book)}, data={"target": "fr"}
        )
        assert answer.status_code == 413
        assert "DRAGOMAN_MAX_DOCUMENT_CHARS" in answer.json()["error"]["message"]
    with _client(tmp_path / "2", max_upload_bytes=50_000) as client:
        answer = client.post(
            "/v1/documents", files={"file": ("b.epub", book)}, data={"target": "fr"}
        )
        assert answer.status_code == 413 and "DRAGOMAN_MAX_UPLOAD_BYTES" in answer.text
