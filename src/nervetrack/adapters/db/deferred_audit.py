"""Audit events of reads that could not be written at once because another connection held SQLite's write lock.

A page that only reads still records who read what (an audit event, a write). On SQLite one writer locks the
whole file, so that write would make every read wait for the writer. Instead the event is written after a
short wait, and when the lock is still held it is kept here and written by a background thread as soon as the
lock is free (in order, retried until it is stored). Events still waiting when the process is killed are lost:
this happens only while another connection holds the lock, and only for reads, never for a change.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from typing import Any

from sqlalchemy import Engine, insert
from sqlalchemy.exc import OperationalError

from nervetrack.adapters.db.tables import AuditEvent

log = logging.getLogger("nervetrack.db")
RETRY_SECONDS = 0.2


class AuditBacklog:
    """Audit events waiting for the write lock, written by one daemon thread started on first use."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._waiting: deque[dict[str, Any]] = deque()
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None
        self._flushing = threading.Lock()

    def put(self, rows: list[dict[str, Any]]) -> None:
        """Keep these audit_event rows (column -> value) until they can be written."""
        with self._wake:
            self._waiting.extend(rows)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="nervetrack-audit-backlog", daemon=True)
                self._thread.start()
            self._wake.notify()

    def __len__(self) -> int:
        with self._wake:
            return len(self._waiting)

    def flush(self) -> bool:
        """Write every waiting event now (waiting the full busy timeout); True when none is left."""
        with self._flushing:
            return self._flush()

    def _flush(self) -> bool:
        with self._wake:
            rows = list(self._waiting)
        if not rows:
            return True
        try:
            with self._engine.begin() as connection:
                connection.execute(insert(AuditEvent), rows)
        except OperationalError:
            return False
        with self._wake:
            for _ in rows:
                self._waiting.popleft()
            return not self._waiting

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._waiting:
                    if not self._wake.wait(timeout=30):
                        self._thread = None
                        return
            try:
                if not self.flush():
                    threading.Event().wait(RETRY_SECONDS)
            except Exception:  # keep the events; try again rather than lose them
                log.exception("deferred audit events could not be written yet")
                threading.Event().wait(RETRY_SECONDS)
