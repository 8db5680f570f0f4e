"""Check-ins per second and p50/p99 with 1 and 3 server processes on one PostgreSQL and with 1 on SQLite, each
beside a trivial request (GET /healthz) in the same run; and the cost of a check-in for a patient with 1,000
earlier check-ins against one with 10.

Real `nervetrack serve` processes on 127.0.0.1 (tests/live/server.py), a throwaway PostgreSQL (tests/pg.py),
16 clients retrying on time-outs with the same Idempotency-Key (benchmarks/load_driver.py). Every phase stops
at its request count or its time limit. Aims: 3 processes >= 2x one; 1,000 earlier check-ins < 1.5x 10.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import statistics
import tempfile
import threading
import time
from pathlib import Path

import httpx
from sqlalchemy import insert, select
from tests.live.server import Prepared, ServerProcess, prepare, surgery_date
from tests.pg import PostgresServer

from benchmarks.load_driver import LoadResult, run_checkins
from nervetrack.adapters.db.engine import make_engine
from nervetrack.adapters.db.tables import Checkin, Patient

CLIENTS = 16
CHECKINS = 1500
TRIVIAL = 3000
PHASE_SECONDS = 60.0
HISTORY_PATIENTS = 20
HISTORY_ROUNDS = 5


def main() -> None:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{os.cpu_count()} CPU cores, load average {load} (clients, servers and PostgreSQL share them)")
    with tempfile.TemporaryDirectory(prefix="nervetrack-scale-") as tmp:
        root = Path(tmp)
        database = PostgresServer()
        database.start()
        try:
            prepared = prepare(root / "pg", database.new_database(), patients=40)
            one = _measure(prepared, root, processes=1, label="PostgreSQL, 1 process ")
            three = _measure(prepared, root, processes=3, label="PostgreSQL, 3 processes")
            print(f"3 processes / 1 process, check-ins per second: {three / one:.2f}x (aim >= 2x)")
        finally:
            database.stop()
        sqlite = prepare(root / "sqlite", patients=40)
        _measure(sqlite, root, processes=1, label="SQLite, 1 process     ", clients=8)
        _history_cost(root / "history")


def _measure(prepared: Prepared, root: Path, *, processes: int, label: str, clients: int = CLIENTS) -> float:
    """Print the trivial request's and the check-in's rate and p50/p99 through `processes` servers."""
    servers = [ServerProcess(prepared, root / f"{label.strip()}-{n}.log") for n in range(processes)]
    try:
        urls = [s.url for s in servers]
        trivial = _gets(urls, clients)
        result = run_checkins(
            urls,
            prepared.token,
            prepared.patients,
            surgery_date(),
            total=CHECKINS,
            clients=clients,
            deadline=PHASE_SECONDS,
            key_prefix=f"bench-{processes}-{time.monotonic_ns()}",
        )
    finally:
        for server in servers:
            server.stop()
    _check(result)
    print(
        f"{label} GET /healthz {len(trivial) / trivial.elapsed:7.1f}/s p50 {trivial.p(0.5):6.1f} ms p99 "
        f"{trivial.p(0.99):6.1f} ms | check-in {result.rate():6.1f}/s p50 {result.median() * 1000:6.1f} ms p99 "
        f"{result.percentile(0.99) * 1000:6.1f} ms ({len(result.acknowledged)} stored, {clients} clients)"
    )
    return result.rate()


def _check(result: LoadResult) -> None:
    if result.refused or result.server_errors or result.gave_up:
        raise SystemExit(f"load failed: {result.refused[:2]} {result.server_errors} gave up {result.gave_up}")


class Timings(list[float]):
    elapsed = 0.0

    def p(self, share: float) -> float:
        ordered = sorted(self)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000 if ordered else 0.0


def _gets(urls: list[str], clients: int) -> Timings:
    """GET /healthz from `clients` threads, TRIVIAL times in all or until PHASE_SECONDS."""
    timings = Timings()
    numbers = itertools.count()
    lock = threading.Lock()
    stop_at = time.monotonic() + PHASE_SECONDS

    def client(index: int) -> None:
        with httpx.Client(timeout=10, trust_env=False) as http:
            while time.monotonic() < stop_at:
                with lock:
                    number = next(numbers)
                if number >= TRIVIAL:
                    return
                started = time.perf_counter()
                http.get(f"{urls[number % len(urls)]}/healthz").raise_for_status()
                with lock:
                    timings.append(time.perf_counter() - started)

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    timings.elapsed = time.monotonic() - started
    return timings


def _history_cost(root: Path) -> None:
    """One client posts check-ins, alternately for patients with 10 and with 1,000 earlier check-ins."""
    prepared = prepare(root, patients=2 * HISTORY_PATIENTS)
    short, long = prepared.patients[:HISTORY_PATIENTS], prepared.patients[HISTORY_PATIENTS:]
    _add_history(prepared, short, 10)
    _add_history(prepared, long, 1000)
    server = ServerProcess(prepared, root / "history.log")
    times: dict[int, list[float]] = {10: [], 1000: []}
    headers = {"Authorization": f"Bearer {prepared.token}"}
    try:
        with httpx.Client(base_url=server.url, headers=headers, timeout=30, trust_env=False) as http:
            for round_ in range(HISTORY_ROUNDS):
                for a, b in zip(short, long, strict=True):
                    for patient, earlier in ((a, 10), (b, 1000)):
                        body = {"date": dt.date.today().isoformat(), "leg_pain": 3 + round_, "back_pain": 2}
                        key = {"Idempotency-Key": f"h-{patient}-{round_}"}
                        started = time.perf_counter()
                        response = http.post(f"/api/v1/patients/{patient}/checkins", json=body, headers=key)
                        times[earlier].append(time.perf_counter() - started)
                        response.raise_for_status()
    finally:
        server.stop()
    few, many = statistics.median(times[10]) * 1000, statistics.median(times[1000]) * 1000
    print(
        f"check-in with 10 earlier: p50 {few:.1f} ms; with 1,000 earlier: p50 {many:.1f} ms; "
        f"ratio {many / few:.2f}x (aim < 1.5x)"
    )


def _add_history(prepared: Prepared, patients: list[str], count: int) -> None:
    """Bulk-insert `count` daily check-ins before today for each patient (their surgery was 1,100 days ago)."""
    engine = make_engine(prepared.settings)
    now = dt.datetime.now(dt.UTC)
    today = dt.date.today()
    with engine.begin() as db:
        ids = dict(db.execute(select(Patient.ref, Patient.id).where(Patient.ref.in_(patients))).all())
        db.exec_driver_sql(
            f"UPDATE surgery SET date = '{today - dt.timedelta(days=1100)}' WHERE patient_id IN "
            f"({', '.join(str(i) for i in ids.values())})"
        )
        rows = [
            {"patient_id": ids[ref], "date": today - dt.timedelta(days=k), "leg_pain": 2 + k % 3, "back_pain": 2,
             "triage_level": "routine", "assessment": {}, "submitted_at": now}
            for ref in patients
            for k in range(1, count + 1)
        ]  # fmt: skip
        db.execute(insert(Checkin), rows)
    engine.dispose()
