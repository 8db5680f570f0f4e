"""A real server on SQLite while another connection holds the write lock: health and other patients' pages
answer at once, a check-in waits a bounded time and is either stored after the lock or refused with 503 and
Retry-After, with nothing half-stored."""

from __future__ import annotations

import sqlite3
import statistics
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from nervetrack.adapters.db.tables import AuditEvent, Checkin
from tests.live.server import Prepared, ServerProcess, prepare, surgery_date

BUSY_TIMEOUT = 2.0  # the server's bounded wait (NERVETRACK_DB_BUSY_TIMEOUT_SECONDS)
HOLD_SECONDS = 30.0  # how long the other connection holds the write lock (the figure)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[Prepared, ServerProcess]]:
    prepared = prepare(tmp_path, patients=2, NERVETRACK_DB_BUSY_TIMEOUT_SECONDS=str(BUSY_TIMEOUT))
    process = ServerProcess(prepared, tmp_path / "server.log")
    yield prepared, process
    process.stop()


class WriteLock:
    """Another connection holding SQLite's write lock (BEGIN IMMEDIATE) until released."""

    def __init__(self, prepared: Prepared) -> None:
        self.connection = sqlite3.connect(prepared.settings.data_dir / "nervetrack.sqlite3", isolation_level=None)
        self.connection.execute("BEGIN IMMEDIATE")

    def release(self) -> None:
        self.connection.execute("ROLLBACK")
        self.connection.close()


def _checkin(server: ServerProcess, prepared: Prepared, key: str) -> httpx.Response:
    body = {"date": surgery_date(5).isoformat(), "leg_pain": 3, "bladder_problem": True}
    headers = {"Authorization": f"Bearer {prepared.token}", "Idempotency-Key": key}
    return httpx.post(f"{server.url}/api/v1/patients/p-001/checkins", json=body, headers=headers, timeout=30)


def _stored(prepared: Prepared, model: type) -> int:
    uow = prepared.uow()
    with uow:
        return int(uow.session.scalar(select(func.count()).select_from(model)) or 0)


def _timed_gets(url: str, paths: list[str], seconds: float) -> dict[str, list[float]]:
    """GET each path in turn for `seconds`; every answer must be a 200, and its time is kept per path."""
    times: dict[str, list[float]] = {path: [] for path in paths}
    deadline = time.monotonic() + seconds
    with httpx.Client(base_url=url, timeout=10) as client:
        while time.monotonic() < deadline:
            for path in paths:
                start = time.perf_counter()
                response = client.get(path)
                times[path].append(time.perf_counter() - start)
                assert response.status_code == 200, (path, response.status_code)
    return times


def test_a_held_write_lock_gives_a_bounded_wait_then_503_while_other_pages_answer(
    server: tuple[Prepared, ServerProcess],
) -> None:
    prepared, process = server
    other = f"/p/{prepared.links['p-002']}"
    paths = ["/healthz", other, f"{other}/recovery"]
    names = dict(zip(paths, ["health", "check-in form", "recovery page"], strict=True))
    unlocked = _timed_gets(process.url, paths, 1.0)  # what each page costs by itself, in this run
    lock = WriteLock(prepared)
    try:
        answer: dict[str, httpx.Response] = {}
        waited: list[float] = []

        def check_in() -> None:
            started = time.monotonic()
            answer["r"] = _checkin(process, prepared, "k-1")
            waited.append(time.monotonic() - started)

        worker = threading.Thread(target=check_in)
        worker.start()
        times = _timed_gets(process.url, paths, HOLD_SECONDS)
        worker.join(timeout=30)
        assert _stored(prepared, Checkin) == 0  # read while the lock is still held: nothing half-stored
    finally:
        lock.release()
    response = answer["r"]
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("application/problem+json")
    assert int(response.headers["Retry-After"]) > 0
    assert BUSY_TIMEOUT * 0.9 <= waited[0] < BUSY_TIMEOUT + 5
    # Pages of other patients and the health check answered throughout, within 100 ms of what they cost
    # without the lock, and never near the lock's time.
    for path in paths:
        alone, held = statistics.median(unlocked[path]), statistics.median(times[path])
        print(f"{names[path]}: {alone * 1000:.1f} ms alone, {held * 1000:.1f} ms under the lock (median)")
        assert len(times[path]) >= 3
        assert held < alone + 0.1, (path, alone, sorted(times[path]))
        assert max(times[path]) < 1.0, (path, sorted(times[path]))
    # The retry with the same key after the lock stores the check-in once, with its emergency alert.
    retried = _checkin(process, prepared, "k-1")
    assert retried.status_code == 201
    assert [a["code"] for a in retried.json()["new_alerts"]] == ["cauda_equina"]
    assert _stored(prepared, Checkin) == 1


def test_a_check_in_waiting_on_a_shorter_lock_is_stored_when_it_is_released(
    server: tuple[Prepared, ServerProcess],
) -> None:
    prepared, process = server
    lock = WriteLock(prepared)
    answer: dict[str, httpx.Response] = {}
    worker = threading.Thread(target=lambda: answer.setdefault("r", _checkin(process, prepared, "k-2")))
    worker.start()
    time.sleep(BUSY_TIMEOUT / 3)
    lock.release()
    worker.join(timeout=30)
    assert answer["r"].status_code == 201
    assert _stored(prepared, Checkin) == 1


def test_reads_during_the_lock_are_audited_once_it_is_released(server: tuple[Prepared, ServerProcess]) -> None:
    prepared, process = server
    before = _stored(prepared, AuditEvent)
    lock = WriteLock(prepared)
    try:
        page = httpx.get(f"{process.url}/p/{prepared.links['p-002']}/recovery", timeout=10)
        assert page.status_code == 200
    finally:
        lock.release()
    deadline = time.monotonic() + 10
    while _stored(prepared, AuditEvent) == before and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _stored(prepared, AuditEvent) > before


def test_an_emergency_check_in_on_the_form_still_shows_the_call_now_page_when_it_cannot_be_stored(
    server: tuple[Prepared, ServerProcess],
) -> None:
    prepared, process = server
    base = f"/p/{prepared.links['p-001']}"
    with httpx.Client(base_url=process.url, timeout=30) as client:
        form = client.get(base).text
        csrf = form.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        lock = WriteLock(prepared)
        try:
            response = client.post(
                f"{base}/checkin",
                data={"csrf_token": csrf, "signs": "bladder_problem", "leg_pain": "4", "idempotency_key": "f-1"},
            )
        finally:
            lock.release()
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert "not saved" in response.text
    assert "112" in response.text
    assert _stored(prepared, Checkin) == 0
