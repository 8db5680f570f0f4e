"""Words for the clinician pages: audit events as sentences, times in the clinic's zone, and the QR code of a
patient's link (segno, as inline SVG)."""

from __future__ import annotations

import datetime as dt
import io
import zoneinfo
from dataclasses import dataclass

import segno

from nervetrack.services.views import AuditView

# What each audited action means, said of the person who did it.
ACTIONS = {
    "patient.read": "opened the record",
    "patient.create": "added the patient",
    "patient.export": "downloaded the record (JSON)",
    "assessment.read": "read the assessment",
    "audit.read": "read this audit trail",
    "checkin.create": "sent a check-in",
    "checkin.follow_up": "answered follow-up questions",
    "checkin.follow_up_sweep": "found follow-up questions unanswered for a day",
    "alert.acknowledge": "acknowledged alerts",
    "link.issue": "issued a new check-in link",
    "link.revoke": "revoked the check-in links",
    "reminders.read": "read the reminder settings",
    "reminders.update": "changed the reminder settings",
    "reminders.pause": "paused the reminders",
    "reminders.stop": "stopped the reminders",
    "reminders.resume": "started the reminders again",
    "adherence.read": "read the check-in adherence",
}
WHO = {"patient_link": "the patient (own link)", "system": "NerveTrack", "api_token": "clinic system"}


@dataclass(frozen=True)
class AuditLine:
    at: dt.datetime
    who: str
    what: str


def audit_words(event: AuditView, patient_ref: str) -> AuditLine:
    """An audit event as a sentence about this patient: who did what, when."""
    who = event.actor_name if event.actor_kind == "clinician" else WHO.get(event.actor_kind, event.actor_kind)
    if event.actor_kind == "api_token":
        who = f"{WHO['api_token']} “{event.actor_name}”"
    what = ACTIONS.get(event.action, event.action.replace(".", " ").replace("_", " "))
    return AuditLine(event.at, who, what.replace("the record", f"the record of {patient_ref}", 1))


def local_time(moment: dt.datetime | None, zone: str = "UTC") -> str:
    """A stored (UTC) time in the clinic's time zone, with the zone named: "1 Dec 2026, 09:30 GMT"."""
    if moment is None:
        return "–"
    try:
        tz = zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        tz = zoneinfo.ZoneInfo("UTC")
    aware = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    shown = aware.astimezone(tz)
    return f"{shown.day} {shown.strftime('%b %Y, %H:%M')} {shown.tzname()}"


def qr_svg(text: str) -> str:
    """The QR code of `text` as an inline SVG element, labelled for screen readers."""
    buffer = io.BytesIO()
    segno.make(text, error="m").save(
        buffer, kind="svg", scale=5, border=2, xmldecl=False, svgns=True, title="QR code of the check-in link"
    )
    return buffer.getvalue().decode().replace("<svg ", '<svg role="img" aria-label="QR code of the check-in link" ', 1)
