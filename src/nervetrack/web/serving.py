"""The app factory that `nervetrack serve --workers N` gives uvicorn: each worker process builds its own app
(engine, pool) from the environment, which `serve` has filled from its options. Everything the workers share
(sessions, login back-off, idempotency keys) lives in the database."""

from __future__ import annotations

from fastapi import FastAPI

from nervetrack.config import Settings, for_serving
from nervetrack.web.app import create_app


def app_from_environment() -> FastAPI:
    """A fresh app for one worker process, from NERVETRACK_* variables."""
    return create_app(for_serving(Settings()))
