"""Clinician sessions live on the server: logging out, a password change, `nervetrack clinician disable` and
an idle timeout end them, and a copy of the old cookie replayed afterwards opens nothing."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).parent))
from pages_support import CSRF, Site, make_site

from nervetrack import cli
from nervetrack.services import clock
from nervetrack.web.session import COOKIE_NAME


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    built = make_site(tmp_path)
    built.data_dir = tmp_path  # type: ignore[attr-defined]
    yield built
    built.client.close()


def _signed_in(site: Site) -> str:
    site.log_in(site.seed.demo.email, site.seed.demo.password)
    assert site.client.get("/clinic/", follow_redirects=False).status_code == 200
    cookie = site.client.cookies.get(COOKIE_NAME)
    assert cookie
    return cookie


def _opens_the_dashboard(site: Site, cookie: str) -> bool:
    site.client.cookies.clear()
    site.client.cookies.set(COOKIE_NAME, cookie)
    return site.client.get("/clinic/", follow_redirects=False).status_code == 200


def _log_out(site: Site) -> None:
    token = CSRF.search(site.client.get("/clinic/").text).group(1)  # type: ignore[union-attr]
    site.client.post("/clinic/logout", data={"csrf_token": token})


def _cli(site: Site, *args: str, stdin: str = "") -> None:
    data_dir = str(site.data_dir)  # type: ignore[attr-defined]
    result = CliRunner().invoke(
        cli.app, [*args, "--data-dir", data_dir], input=stdin, env={"NERVETRACK_SECRET_KEY": "test-secret-key"}
    )
    assert result.exit_code == 0, result.output


ENDINGS: dict[str, Callable[[Site], None]] = {
    "logout": _log_out,
    "password change": lambda site: _cli(
        site, "clinician", "password", site.seed.demo.email, "--password-stdin", stdin="a brand new password\n"
    ),
    "clinician disable": lambda site: _cli(site, "clinician", "disable", site.seed.demo.email),
}


@pytest.mark.parametrize("ending", ENDINGS)
def test_an_ended_session_cannot_be_replayed(site: Site, ending: str) -> None:
    old = _signed_in(site)
    ENDINGS[ending](site)
    assert not _opens_the_dashboard(site, old)


def test_a_session_ends_after_the_idle_timeout_and_lives_while_used(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    cookie = _signed_in(site)
    start = dt.datetime.now(dt.UTC)
    monkeypatch.setattr(clock, "now", lambda: start + dt.timedelta(minutes=25))
    assert _opens_the_dashboard(site, cookie)  # used within 30 minutes: still open, and seen now
    monkeypatch.setattr(clock, "now", lambda: start + dt.timedelta(minutes=50))
    assert _opens_the_dashboard(site, cookie)
    monkeypatch.setattr(clock, "now", lambda: start + dt.timedelta(minutes=81))
    assert not _opens_the_dashboard(site, cookie)


def test_a_new_session_after_logging_in_again_works_while_the_old_one_stays_ended(site: Site) -> None:
    old = _signed_in(site)
    _log_out(site)
    fresh = _signed_in(site)
    assert fresh != old
    assert _opens_the_dashboard(site, fresh)
    assert not _opens_the_dashboard(site, old)
