"""A bounded load of check-ins against real NerveTrack servers on 127.0.0.1, with retries on time-outs,
refused connections and 503s under the same Idempotency-Key (as a clinic system would retry).

Used by the load and fault tests (tests/live/) and by `make bench` (benchmarks/scale_bench.py). Every run
stops by itself: after `total` acknowledged check-ins or at `deadline` seconds, whichever comes first.
"""

from __future__ import annotations

import datetime as dt
import itertools
import statistics
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

RETRY_PAUSE = 0.05


@dataclass
class LoadResult:
    """What the clients saw: every acknowledged key with its patient, answers by status, latencies."""

    acknowledged: dict[str, str] = field(default_factory=dict)  # Idempotency-Key -> patient id
    statuses: Counter[int] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)  # time-outs and refused connections
    latencies: list[float] = field(default_factory=list)  # seconds, acknowledged attempts only
    unavailable_without_retry_after: int = 0
    elapsed: float = 0.0
    gave_up: int = 0
    refused: list[str] = field(default_factory=list)  # 4xx answers: a bug of the driver or the server

    @property
    def server_errors(self) -> dict[int, int]:
        return {status: n for status, n in self.statuses.items() if status >= 500}

    def rate(self) -> float:
        return len(self.acknowledged) / self.elapsed if self.elapsed else 0.0

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0

    def median(self) -> float:
        return statistics.median(self.latencies) if self.latencies else 0.0


def checkin_body(number: int, surgery: dt.date) -> dict[str, Any]:
    """The `number`th check-in of the run: ratings that wander, and now and then a bladder problem."""
    day = min(surgery + dt.timedelta(days=1 + number % 18), dt.date.today())
    return {
        "date": day.isoformat(),
        "leg_pain": 2 + number % 5,
        "back_pain": 3,
        "weakness": 1 + number % 3,
        "bladder_problem": number % 97 == 0,
    }


def run_checkins(
    urls: Sequence[str],
    token: str,
    patients: Sequence[str],
    surgery: dt.date,
    *,
    total: int,
    clients: int,
    deadline: float,
    timeout: float = 10.0,
    key_prefix: str = "load",
    during: Callable[[LoadResult], None] | None = None,
) -> LoadResult:
    """Send `total` check-ins from `clients` threads spread over `urls`; retry each until acknowledged."""
    result = LoadResult()
    lock = threading.Lock()
    numbers = itertools.count()
    stop_at = time.monotonic() + deadline
    headers = {"Authorization": f"Bearer {token}"}

    def client(index: int) -> None:
        with httpx.Client(headers=headers, timeout=timeout) as http:
            for attempt_url in itertools.cycle(urls[index % len(urls) :] + urls[: index % len(urls)]):
                with lock:
                    number = next(numbers)
                if number >= total or time.monotonic() > stop_at:
                    return
                key = f"{key_prefix}-{number}"
                patient = patients[number % len(patients)]
                _until_acknowledged(http, urls, attempt_url, patient, key, checkin_body(number, surgery))

    def _until_acknowledged(
        http: httpx.Client, all_urls: Sequence[str], url: str, patient: str, key: str, body: dict[str, Any]
    ) -> None:
        order = [url, *[u for u in all_urls if u != url]]
        for attempt in itertools.count():
            if time.monotonic() > stop_at:
                with lock:
                    result.gave_up += 1
                return
            target = order[attempt % len(order)]
            start = time.perf_counter()
            try:
                response = http.post(
                    f"{target}/api/v1/patients/{patient}/checkins", json=body, headers={"Idempotency-Key": key}
                )
            except httpx.TransportError as error:
                with lock:
                    result.failures[type(error).__name__] += 1
                time.sleep(RETRY_PAUSE)
                continue
            spent = time.perf_counter() - start
            with lock:
                result.statuses[response.status_code] += 1
                if response.status_code == 503 and "retry-after" not in response.headers:
                    result.unavailable_without_retry_after += 1
            if response.status_code in (200, 201):
                with lock:
                    result.acknowledged[key] = patient
                    result.latencies.append(spent)
                return
            if response.status_code < 500 and response.status_code != 429:
                with lock:
                    result.refused.append(f"{response.status_code} {response.text[:300]}")
                return
            time.sleep(RETRY_PAUSE)

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    if during is not None:
        during(result)
    for thread in threads:
        thread.join(timeout=max(1.0, stop_at - time.monotonic() + timeout + 5))
    result.elapsed = time.monotonic() - started
    return result


def wait_for(condition: Callable[[], bool], seconds: float) -> bool:
    """Poll `condition` every 20 ms for at most `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()
