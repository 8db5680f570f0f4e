"""Every page passes axe-core without serious or critical violations, fits a 360-px phone and 200% zoom
without horizontal scrolling, and every control is reachable by Tab with a visible focus indicator."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page

pytestmark = pytest.mark.browser

AXE = Axe()
PHONE = {"viewport": {"width": 360, "height": 780}}
ZOOM_200 = {"viewport": {"width": 640, "height": 450}, "device_scale_factor": 2}  # a 1280-px window at 200%

FOCUSABLE = """() => { document.querySelectorAll('details').forEach(d => { d.open = true; });
  return Array.from(document.querySelectorAll(
  'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]:not([tabindex="-1"])'))
  .filter(e => !e.disabled && e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden')
  .map((e, i) => { e.dataset.kb = String(i); return e.type === 'radio' ? 'radio:' + e.name : 'el:' + i; }); }"""
ACTIVE = """() => { const e = document.activeElement;
  if (!e || e === document.body) return null;
  const s = getComputedStyle(e);
  const visible = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none';
  return [e.type === 'radio' ? 'radio:' + e.name : 'el:' + e.dataset.kb, visible, e.outerHTML.slice(0, 80)]; }"""


@pytest.fixture(scope="session")
def clinician_state(browser: Browser, live_server: Any) -> dict[str, Any]:
    """A logged-in clinician's cookies, to open the clinic pages."""
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.goto("/clinic/login")
    page.get_by_label("Email").fill(live_server.seed.demo.email)
    page.get_by_label("Password").fill(live_server.seed.demo.password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/clinic/")
    state = context.storage_state()
    context.close()
    return state


def _issue_link_page(page: Page) -> None:
    page.goto("/clinic/patients/demo-15")
    page.get_by_role("button", name="Issue a new link").click()
    page.wait_for_selector("#patient-link")


def _error_after_submit(page: Page) -> None:
    page.get_by_label("How many minutes can you walk without stopping?").fill("5000")
    page.get_by_role("button", name="Check my answers").click()
    page.wait_for_selector(".error-summary")


def _emergency_not_saved(page: Page) -> None:
    page.context.clear_cookies()  # the form expires: the check-in cannot be stored
    page.get_by_label("New trouble passing urine").check()
    page.get_by_role("button", name="Check my answers").click()
    page.wait_for_selector(".emergency-screen form")


def _review(page: Page) -> None:
    page.get_by_role("group", name="Pain in your leg or legs").get_by_label("3", exact=True).check()
    page.get_by_label("I have had none of these").check()
    page.get_by_role("button", name="Check my answers").click()
    page.wait_for_selector("#review")


def _follow_up(page: Page) -> None:
    page.get_by_role("group", name="Weakness in your leg or foot").get_by_label("3", exact=True).check()
    page.get_by_label("I have had none of these").check()
    page.get_by_role("button", name="Check my answers").click()
    page.get_by_role("button", name="Save my check-in").click()
    page.wait_for_selector("text=A few more questions")


_FIRST = itertools.count(1)


def _first_checkin(server: Any) -> str:
    return str(server.new_patient_link(f"a11y-first-{next(_FIRST)}"))


# name -> (needs a clinician, path or callable producing the path, action after opening)
PAGES: dict[str, tuple[bool, Callable[[Any], str], Callable[[Page], None] | None]] = {
    "patient check-in": (False, lambda s: s.link_for("demo-17"), None),
    "patient check-in with errors": (False, lambda s: s.link_for("demo-17"), _error_after_submit),
    "patient first check-in": (False, _first_checkin, None),
    "patient emergency, not saved": (False, lambda s: s.link_for("demo-18"), _emergency_not_saved),
    "patient check-in review": (False, lambda s: s.link_for("demo-17"), _review),
    "patient follow-up questions": (False, _first_checkin, _follow_up),
    "patient when to call": (False, lambda s: s.link_for("demo-06") + "/when-to-call", None),
    "patient recovery": (False, lambda s: s.link_for("demo-06") + "/recovery", None),
    "patient recovery, urgent": (False, lambda s: s.link_for("demo-03") + "/recovery", None),
    "patient emergency": (False, lambda s: s.link_for("demo-12") + "/recovery", None),
    "patient reminders": (False, lambda s: s.link_for("demo-06") + "/reminders", None),
    "invalid link": (False, lambda s: "/p/no-such-link", None),
    "clinician login": (False, lambda s: "/clinic/login", None),
    "clinician dashboard": (True, lambda s: "/clinic/?level=urgent", None),
    "clinician patient": (True, lambda s: "/clinic/patients/demo-03", None),
    "add patient": (True, lambda s: "/clinic/patients/new", None),
    "patient link issued": (True, lambda s: "/clinic/patients/demo-15", _issue_link_page),
    "patient not found": (True, lambda s: "/clinic/patients/nobody", None),
    "revoke confirmation": (True, lambda s: "/clinic/patients/demo-14/link/revoke", None),
    "clinic settings": (True, lambda s: "/clinic/settings", None),
}


@pytest.fixture
def open_page(
    browser: Browser, live_server: Any, clinician_state: dict[str, Any]
) -> Iterator[Callable[[str, dict[str, Any]], Page]]:
    contexts: list[BrowserContext] = []

    def opener(name: str, options: dict[str, Any]) -> Page:
        needs_login, path, action = PAGES[name]
        state = {"storage_state": clinician_state} if needs_login else {}
        context = browser.new_context(base_url=live_server.url, **options, **state)
        contexts.append(context)
        page = context.new_page()
        page.goto(path(live_server))
        if action is not None:
            action(page)
        return page

    yield opener
    for context in contexts:
        context.close()


def _horizontal_overflow(page: Page) -> int:
    return int(page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth"))


@pytest.mark.parametrize("name", list(PAGES))
def test_every_page_passes_axe_and_fits_a_phone_and_200_percent_zoom(
    name: str, open_page: Callable[[str, dict[str, Any]], Page]
) -> None:
    page = open_page(name, PHONE)
    results = AXE.run(page)
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == [], f"{name}: {serious}"
    assert _horizontal_overflow(page) <= 0, f"{name} scrolls sideways at 360 px"

    zoomed = open_page(name, ZOOM_200)
    assert _horizontal_overflow(zoomed) <= 0, f"{name} scrolls sideways at 200% zoom"


@pytest.mark.parametrize("name", list(PAGES))
def test_every_control_is_reachable_by_tab_with_a_visible_focus(
    name: str, open_page: Callable[[str, dict[str, Any]], Page]
) -> None:
    page = open_page(name, PHONE)
    expected = set(page.evaluate(FOCUSABLE))
    page.locator("body").focus()
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }")
    order: list[str] = []
    shown: dict[str, str | None] = {}  # key -> html while its focus was never seen drawn, None once it was
    for _ in range(3 * len(expected) + 10):
        page.keyboard.press("Tab")
        active = page.evaluate(ACTIVE)
        if active is None:
            continue
        key, visible, html = active
        if order and key == order[0]:
            break  # round the page once
        if not order or key != order[-1]:  # a date input tabs through its own parts
            order.append(key)
        shown[key] = None if visible or shown.get(key, "") is None else html
    reached = set(order)
    invisible = [html for html in shown.values() if html is not None]
    assert expected <= reached, f"{name}: not reachable by Tab: {sorted(expected - reached)}"
    assert invisible == [], f"{name}: focus not visible on {invisible}"
