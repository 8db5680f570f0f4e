"""Run the app under uvicorn for the browser tests: `python serve_app.py PORT` with NERVETRACK_* settings."""

from __future__ import annotations

import sys

import uvicorn

from nervetrack.config import Settings
from nervetrack.web.app import create_app

if __name__ == "__main__":
    uvicorn.run(create_app(Settings()), host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
