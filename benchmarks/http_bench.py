"""Check-ins per second through a real uvicorn server beside a trivial request; the dashboard at scale.

1. Starts `nervetrack serve` on a free 127.0.0.1 port over a fresh SQLite database.
2. Four concurrent clients call GET /healthz, then POST check-ins (each a new Idempotency-Key) to 200
   patients, each phase bounded by a request count and a time limit (30 s in all at most); prints
   requests/s, p50 and p99 latency, and the check-in : trivial ratio (aim < 5x at p50).
3. A clinic of 5,000 patients with 200,000 check-ins is bulk-inserted beforehand; prints the dashboard's
   response time through the same server (aim < 300 ms).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import insert

from nervetrack.adapters.db.engine import make_engine, make_session_factory
from nervetrack.adapters.db.migrate import upgrade
from nervetrack.adapters.db.tables import Alert, Checkin, Patient, Surgery
from nervetrack.config import Settings
from nervetrack.services.clinics import create_clinic
from nervetrack.services.patients import add_patient
from nervetrack.services.tokens import create_api_token
from nervetrack.services.unit_of_work import UnitOfWork
from nervetrack.services.views import Actor

CLIENTS = 4
PHASE_SECONDS = {"healthz": 8.0, "checkin": 16.0}
PHASE_REQUESTS = {"healthz": 4000, "checkin": 2000}
BENCH_PATIENTS = 200
BIG_PATIENTS = 5_000
BIG_CHECKINS = 200_000
TODAY = dt.date.today()


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="nervetrack-bench-") as tmp:
        settings = Settings(data_dir=Path(tmp), secret_key="bench")
        small_token, big_token = _prepare(settings)
        port = _free_port()
        server = _start_server(Path(tmp), port)
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_until_up(base)
            trivial = _phase(base, "healthz", lambda c, i: c.get("/healthz"))
            checkins = _phase(base, "checkin", _checkin_sender(small_token))
            _report("GET /healthz", trivial)
            _report("POST check-in", checkins)
            ratio = statistics.median(checkins) / statistics.median(trivial)
            print(f"check-in / trivial at p50: {ratio:.1f}x (aim < 5x)")
            _dashboard(base, big_token)
        finally:
            server.terminate()
            server.wait(timeout=10)


def _prepare(settings: Settings) -> tuple[str, str]:
    engine = make_engine(settings)
    upgrade(engine)
    uow = UnitOfWork(make_session_factory(engine))
    small = create_clinic(uow, "Bench clinic")
    big = create_clinic(uow, "Big clinic")
    actor = Actor.system(small.id)
    surgery = (TODAY - dt.timedelta(days=60)).isoformat()
    for n in range(BENCH_PATIENTS):
        patient = {"id": f"b-{n:04d}", "birth_year": 1950 + n % 40}
        add_patient(uow, actor, {"patient": patient, "surgery": {"date": surgery, "procedure": "laminectomy"}})
    started = time.perf_counter()
    _bulk_clinic(engine, big.id)
    print(
        f"bulk-inserted {BIG_PATIENTS:,} patients, {BIG_CHECKINS:,} check-ins in {time.perf_counter() - started:.1f} s"
    )
    tokens = create_api_token(uow, small.id, "bench").secret, create_api_token(uow, big.id, "bench").secret
    engine.dispose()
    return tokens


def _bulk_clinic(engine: Any, clinic_id: int) -> None:
    rng = random.Random(7)
    now = dt.datetime.now(dt.UTC)
    procedures = ["discectomy", "microdiscectomy", "laminectomy", "laminotomy", "foraminotomy", "fusion"]
    levels = ["routine"] * 90 + ["soon"] * 7 + ["urgent"] * 2 + ["emergency"]
    per_patient = BIG_CHECKINS // BIG_PATIENTS
    with engine.begin() as connection:
        first = (connection.exec_driver_sql("SELECT coalesce(max(id), 0) FROM patient").scalar() or 0) + 1
        patients, surgeries, checkins, alerts = [], [], [], []
        for n in range(BIG_PATIENTS):
            pk, days = first + n, rng.randint(per_patient, 700)
            level, last = rng.choice(levels), TODAY - dt.timedelta(days=rng.randint(0, 30))
            patients.append(
                {"id": pk, "clinic_id": clinic_id, "ref": f"big-{n:05d}", "birth_year": 1940 + n % 50,
                 "sex": "unknown", "diabetes": False, "peripheral_neuropathy": False, "smoker": False,
                 "baseline": None, "created_at": now, "current_level": level, "last_checkin_date": last,
                 "open_alert_rank": {"routine": 0, "soon": 1, "urgent": 2, "emergency": 3}[level]}
            )  # fmt: skip
            surgeries.append(
                {"patient_id": pk, "date": TODAY - dt.timedelta(days=days), "procedure": rng.choice(procedures),
                 "approach": "open", "levels": ["L4-L5"], "symptom_duration_weeks": None}
            )  # fmt: skip
            for k in range(per_patient):
                checkins.append(
                    {"patient_id": pk, "date": last - dt.timedelta(days=k), "leg_pain": rng.randint(0, 10),
                     "triage_level": level, "assessment": {}, "submitted_at": now}
                )  # fmt: skip
            if level != "routine":
                alerts.append({"patient_id": pk, "code": "bench", "level": level, "message": "bench", "raised_at": now})
        connection.execute(insert(Patient), patients)
        connection.execute(insert(Surgery), surgeries)
        connection.execute(insert(Checkin), checkins)
        ids = dict(connection.exec_driver_sql("SELECT patient_id, max(id) FROM checkin GROUP BY patient_id").all())
        connection.execute(insert(Alert), [{**a, "checkin_id": ids[a["patient_id"]]} for a in alerts])


def _checkin_sender(token: str) -> Callable[[httpx.Client, int], httpx.Response]:
    headers = {"Authorization": f"Bearer {token}"}

    def send(client: httpx.Client, i: int) -> httpx.Response:
        day = TODAY - dt.timedelta(days=i % 50)
        body = {"date": day.isoformat(), "leg_pain": i % 8, "back_pain": 3, "numbness": 4, "walking_minutes": 20}
        key = {"Idempotency-Key": f"bench-{i}"}
        return client.post(f"/api/v1/patients/b-{i % BENCH_PATIENTS:04d}/checkins", json=body, headers=headers | key)

    return send


def _phase(base: str, name: str, send: Callable[[httpx.Client, int], httpx.Response]) -> list[float]:
    """Run `send` from CLIENTS threads until the phase's request count or time is used up."""
    latencies: list[float] = []
    counter = iter(range(PHASE_REQUESTS[name]))
    lock = threading.Lock()
    deadline = time.perf_counter() + PHASE_SECONDS[name]
    failures: list[str] = []

    def worker() -> None:
        with httpx.Client(base_url=base, trust_env=False, timeout=30) as client:
            while time.perf_counter() < deadline:
                with lock:
                    i = next(counter, None)
                if i is None:
                    return
                started = time.perf_counter()
                response = send(client, i)
                elapsed = time.perf_counter() - started
                if response.status_code >= 300:
                    failures.append(f"{response.status_code} {response.text[:200]}")
                with lock:
                    latencies.append(elapsed)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    if failures:
        raise SystemExit(f"{name}: {len(failures)} failed requests, first: {failures[0]}")
    latencies.append(-wall)  # carried to _report as the phase's wall time
    return latencies


def _report(label: str, samples: list[float]) -> None:
    wall = -samples.pop()
    ordered = sorted(samples)
    p50 = ordered[len(ordered) // 2] * 1000
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
    print(
        f"{label:<14} {len(ordered):>5} requests in {wall:4.1f} s with {CLIENTS} clients: "
        f"{len(ordered) / wall:7.1f}/s  p50 {p50:6.1f} ms  p99 {p99:6.1f} ms"
    )


def _dashboard(base: str, token: str) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, trust_env=False, timeout=30, headers=headers) as client:
        for query in ({}, {"level": "urgent"}, {"procedure": "fusion", "phase": "late"}, {"search": "big-0123"}):
            times = []
            for _ in range(15):
                started = time.perf_counter()
                response = client.get("/api/v1/patients", params=query)
                times.append((time.perf_counter() - started) * 1000)
                response.raise_for_status()
            total = response.json()["total"]
            print(
                f"dashboard {json.dumps(query):<42} {total:>5} patients: "
                f"median {statistics.median(times):6.1f} ms, worst {max(times):6.1f} ms (aim < 300 ms)"
            )


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _start_server(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "nervetrack", "serve", "--data-dir", str(data_dir), "--port", str(port)]
    env = {**os.environ, "NERVETRACK_SECRET_KEY": "bench"}
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _wait_until_up(base: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", trust_env=False).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise SystemExit("the server did not start within 30 s")


if __name__ == "__main__":
    main()
