"""A synchronous HTTP client over an ASGI app (httpx's ASGITransport on an anyio portal).

Starlette's TestClient warns that its httpx use is deprecated, and warnings are errors here.
"""

from __future__ import annotations

from contextlib import ExitStack
from typing import Any

import httpx
from anyio.from_thread import start_blocking_portal
from fastapi import FastAPI


class AsgiClient:
    """Send requests to the app in-process; close() when done (or use as a context manager)."""

    def __init__(self, app: FastAPI, base_url: str = "http://testserver") -> None:
        self.app = app
        self._stack = ExitStack()
        self._portal = self._stack.enter_context(start_blocking_portal())
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
        self._client = httpx.AsyncClient(transport=transport, base_url=base_url)

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        async def send() -> httpx.Response:
            return await self._client.request(method, url, **kwargs)

        return self._portal.call(send)

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def close(self) -> None:
        self._portal.call(self._client.aclose)
        self._stack.close()
        engine = getattr(self.app.state, "engine", None)
        if engine is not None:
            engine.dispose()

    def __enter__(self) -> AsgiClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
