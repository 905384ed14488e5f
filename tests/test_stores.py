"""The translation memory and the job store, on SQLite and on a real PostgreSQL: round trips,
migrations from nothing, and claims that give every job to exactly one holder."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from dragoman.services.errors import ConfigError, DatabaseUnavailable
from dragoman.services.stores.db import Database, alembic_config, head_revision, upgrade
from dragoman.services.stores.dictionary import Dictionary
from dragoman.services.stores.jobstore import JobStore
from dragoman.services.stores.memory import TranslationMemory
from dragoman.services.stores.schema import in_schema, metadata
from tests.fakes import free_port
from tests.live import wait_until


@pytest.fixture
def opened() -> Iterator[Callable[[str], Database]]:
    """Open databases that are closed when the test ends."""
    databases: list[Database] = []
    yield lambda url: databases.append(Database(url)) or databases[-1]
    for database in databases:
        database.close()


def test_memory_round_trip(database_url: str, opened) -> None:
    memory = TranslationMemory(opened(database_url))
    items = {f"key-{n:04d}": f"Übersetzung {n} ✓" for n in range(1200)}  # over three chunks
    memory.put_many(items)
    memory.put_many({"key-0001": "replaced", "key-new": "new"})
    found = memory.get_many(["key-0000", "key-0001", "key-1199", "key-new", "missing"])
    assert found == {
        "key-0000": "Übersetzung 0 ✓",
        "key-0001": "replaced",
        "key-1199": "Übersetzung 1199 ✓",
        "key-new": "new",
    }
    assert len(memory) == 1201 and memory.get_many([]) == {}
    memory.close()
    assert TranslationMemory(opened(database_url)).get_many(["key-0005"]) == {
        "key-0005": "Übersetzung 5 ✓"
    }


def test_migrations_build_the_schema_the_code_uses(database_url: str, opened) -> None:
    engine = opened(database_url).open()
    with engine.connect() as db:
        assert db.scalar(text("SELECT version_num FROM alembic_version")) == head_revision()
        context = MigrationContext.configure(db, opts={"include_name": in_schema})
        assert compare_metadata(context, metadata) == []
    upgrade(engine)  # a second start finds nothing to do
    with engine.begin() as db:  # every step's downgrade(): back to no tables at all
        command.downgrade(alembic_config(db), "base")
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    upgrade(engine, "head")
    assert {"translations", "jobs"} <= set(inspect(engine).get_table_names())


def test_replicas_starting_together_migrate_once(database_url: str, opened) -> None:
    start = threading.Barrier(4)
    failures: list[BaseException] = []

    def replica() -> None:
        database = opened(database_url)
        start.wait()
        try:
            TranslationMemory(database).put_many({"shared": "yes"})
        except BaseException as exc:  # reported below, with the others
            failures.append(exc)

    threads = [threading.Thread(target=replica, daemon=True) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "replicas hung migrating together"
    assert failures == []
    with opened(database_url).connect() as db:
        assert db.execute(text("SELECT version_num FROM alembic_version")).all() == [
            (head_revision(),)
        ]


@pytest.fixture
def store_with_jobs(opened) -> Callable[[str, int], tuple[JobStore, list[str]]]:
    """A job store with `count` queued one-line jobs, oldest first."""

    def make(database_url: str, count: int) -> tuple[JobStore, list[str]]:
        store = JobStore(opened(database_url))
        ids = [store.create(f"d{n}.txt", f"Text {n}".encode(), "de", "en", 1) for n in range(count)]
        return store, ids

    return make


def test_a_claim_takes_the_oldest_free_job_and_a_lapsed_lease_frees_it(
    database_url: str, store_with_jobs
) -> None:
    store, (first, second) = store_with_jobs(database_url, 2)
    assert store.claim("replica-a", lease=0.2, attempts=3) == first
    assert store.claim("replica-b", lease=60, attempts=3) == second
    assert store.claim("replica-b", lease=60, attempts=3) is None  # both held
    # Replica a stops renewing (as if killed): once its lease lapses, b takes the job over.
    taken = wait_until(
        lambda: store.claim("replica-b", lease=60, attempts=3), 30, "the lease to lapse"
    )
    assert taken == first
    assert not store.renew(first, "replica-a", 60, done=1)
    assert not store.finish(first, "replica-a", b"late", {"ok": 1})  # a's result is refused
    assert store.finish(first, "replica-b", b"Text 0 (en)", {"ok": 1})
    job = store.get(first)
    assert job is not None and job.status == "done" and job.done == 1 and job.counts == {"ok": 1}
    assert store.output(first) == b"Text 0 (en)" and store.input(first) == b"Text 0"
    with store.database.connect() as db:
        attempts = db.scalar(text("SELECT attempts FROM jobs WHERE id = :id"), {"id": first})
    assert attempts == 2


def test_release_and_fail_only_by_the_holder(database_url: str, store_with_jobs) -> None:
    store, (job_id,) = store_with_jobs(database_url, 1)
    assert store.claim("replica-a", lease=60, attempts=3) == job_id
    assert not store.release(job_id, "replica-b") and not store.fail(job_id, "replica-b", "no")
    assert store.release(job_id, "replica-a")
    assert store.get(job_id).status == "queued"  # type: ignore[union-attr]
    assert store.claim("replica-b", lease=60, attempts=3) == job_id
    assert store.fail(job_id, "replica-b", "the document could not be translated")
    failed = store.get(job_id)
    assert failed is not None and failed.status == "failed" and failed.error.startswith("the doc")
    assert store.claim("replica-a", lease=60, attempts=3) is None and store.output(job_id) is None


def test_concurrent_claims_hand_each_job_to_exactly_one_holder(
    database_url: str, store_with_jobs
) -> None:
    store, ids = store_with_jobs(database_url, 40)
    claimed: dict[str, list[str]] = {}
    start = threading.Barrier(6)

    def replica(name: str) -> None:
        start.wait()
        mine = claimed.setdefault(name, [])
        while (job_id := store.claim(name, lease=60, attempts=3)) is not None:
            mine.append(job_id)

    threads = [threading.Thread(target=replica, args=(f"r{n}",)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    every = [job_id for mine in claimed.values() for job_id in mine]
    assert sorted(every) == sorted(ids)  # each job once, none twice, none left


def test_an_unsupported_or_unreachable_database_is_one_clear_error(tmp_path) -> None:
    with pytest.raises(ConfigError, match="mysql is not supported"):
        Database("mysql://u:secret@db/x").open()
    url = f"postgresql+psycopg://dragoman:secret@127.0.0.1:{free_port()}/dragoman"
    with pytest.raises(DatabaseUnavailable) as raised:
        Database(url).open()
    message = raised.value.message
    assert message.startswith("database at postgresql+psycopg://dragoman:***@127.0.0.1:")
    assert "secret" not in message and "\n" not in message


def test_a_job_that_stops_every_replica_is_failed_after_its_attempts(
    database_url: str, store_with_jobs
) -> None:
    store, (job_id,) = store_with_jobs(database_url, 1)
    # A clean stop gives the job back without using up an attempt.
    assert store.claim("replica-a", lease=60, attempts=2) == job_id
    assert store.release(job_id, "replica-a")
    # Two replicas start it and die without a word: their leases lapse.
    for replica in ("replica-a", "replica-b"):
        taken = wait_until(
            lambda who=replica: store.claim(who, lease=0.2, attempts=2), 30, "the job"
        )
        assert taken == job_id
    # The next look finds the lease lapsed a second time and gives up rather than start it again.
    wait_until(
        lambda: (
            store.claim("replica-c", lease=60, attempts=2) is None
            and store.get(job_id).status == "failed"
        ),  # type: ignore[union-attr]
        30,
        "the job to be given up",
    )
    job = store.get(job_id)
    assert job is not None and job.error.startswith("gave up after 2 attempts")
    assert store.claim("replica-c", lease=60, attempts=2) is None


def test_the_personal_dictionary_is_shared_by_replicas(database_url: str, opened) -> None:
    a = Dictionary(opened(database_url), ["Configured"])
    b = Dictionary(opened(database_url), ["Configured"])
    assert a.add("zorbify") and not b.add("zorbify")  # b sees a's word at once
    assert b.words() == ["Configured", "zorbify"] and "zorbify" in b.known()
    assert not a.add("Configured") and not a.delete("Configured")  # configured words stay
    assert b.delete("zorbify") and a.words() == ["Configured"]
