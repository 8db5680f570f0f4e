"""The words of the messages: a reminder carries no health information (not even the clinic's name or the
patient's id), only the short-lived check-in link and the way to pause or stop; the clinic's alert email
names the patient's id and the alert's level, with a link to the patient's page."""

from __future__ import annotations

from html import escape

from nervetrack.adapters.delivery import Outgoing

SUBJECT = "Time for your check-in"


def reminder_email(to: str, checkin_url: str, manage_url: str, hours: int, message_id: str) -> Outgoing:
    """The reminder email: plain text and HTML, with List-Unsubscribe (one click, RFC 8058)."""
    text = (
        "Hello,\n\n"
        "It is time for your check-in. It takes about two minutes.\n\n"
        f"Check in here: {checkin_url}\n\n"
        f"This link works for one check-in within {hours} hours. Please do not forward it.\n\n"
        f"To pause or stop these reminders: {manage_url}\n"
    )
    html = (
        '<!doctype html><html lang="en"><body style="font-family:sans-serif;line-height:1.5">'
        "<p>Hello,</p><p>It is time for your check-in. It takes about two minutes.</p>"
        f'<p><a href="{escape(checkin_url)}" style="font-size:1.2em;font-weight:bold">Check in now</a></p>'
        f"<p>This link works for one check-in within {hours} hours. Please do not forward it.</p>"
        f'<p><a href="{escape(manage_url)}">Pause or stop these reminders</a></p>'
        "</body></html>"
    )
    headers = {"List-Unsubscribe": f"<{manage_url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    return Outgoing(to=to, subject=SUBJECT, text=text, html=html, headers=headers, message_id=message_id)


def reminder_text(to: str, checkin_url: str, hours: int, status_callback: str | None) -> Outgoing:
    """The reminder text message, short enough for one or two parts."""
    body = f"Time for your check-in: {checkin_url} (one use, {hours} h). Reply STOP to stop reminders."
    return Outgoing(to=to, subject=SUBJECT, text=body, status_callback=status_callback)


def alert_email(to: str, patient_ref: str, level: str, patient_url: str, message_id: str) -> Outgoing:
    """The clinic's email about an urgent or emergency alert (to the clinic's own alert address)."""
    word = level.upper()
    subject = f"NerveTrack: {word} alert for patient {patient_ref}"
    text = (
        f"Patient {patient_ref} has a new {word} alert in NerveTrack.\n\n"
        f"Open the patient's page to see it and acknowledge it: {patient_url}\n"
    )
    html = (
        f'<!doctype html><html lang="en"><body><p>Patient <strong>{escape(patient_ref)}</strong> has a new '
        f"<strong>{escape(word)}</strong> alert in NerveTrack.</p>"
        f'<p><a href="{escape(patient_url)}">Open the patient\'s page</a> to see it and acknowledge it.</p>'
        "</body></html>"
    )
    return Outgoing(to=to, subject=subject, text=text, html=html, message_id=message_id)
