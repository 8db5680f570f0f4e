"""Text messages through a Twilio-compatible REST API (the standard library's urllib; no SDK):

    POST {NERVETRACK_SMS_URL}/2010-04-01/Accounts/{account}/Messages.json
    basic auth account:token, form fields To, From, Body (and StatusCallback)

answered with JSON carrying the message's `sid`. HTTP 429 and 5xx are retried later; other 4xx are
permanent (21610 and 21211: the number cannot receive them, recorded as a bounce). Inbound texts and status
callbacks are signed by the provider (X-Twilio-Signature: HMAC-SHA1 of the URL and the sorted form fields
under the token), checked by `valid_signature`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from urllib.parse import quote, urlencode

from nervetrack.adapters.delivery import DeliveryError, Outgoing

TIMEOUT_SECONDS = 20
BOUNCE_CODES = {21211, 21610, 21614}


class SmsTransport:
    """Sends text messages through one provider account."""

    channel = "sms"

    def __init__(self, url: str, account: str, token: str, sender: str) -> None:
        self.endpoint = f"{url.rstrip('/')}/2010-04-01/Accounts/{quote(account, safe='')}/Messages.json"
        credentials = base64.b64encode(f"{account}:{token}".encode()).decode()
        self.headers = {
            "Authorization": f"Basic {credentials}",
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
        }
        self.sender = sender

    def send(self, message: Outgoing) -> str:
        """Send one text; DeliveryError (retried for 429/5xx or no answer) if the provider does not take it."""
        fields = {"To": message.to, "From": self.sender, "Body": message.text}
        if message.status_callback:
            fields["StatusCallback"] = message.status_callback
        request = urllib.request.Request(
            self.endpoint, data=urlencode(fields).encode(), headers=self.headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
                body = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            raise _http_error(error) from None
        except (urllib.error.URLError, OSError, ValueError) as error:
            raise DeliveryError(f"SMS provider: {type(error).__name__}", permanent=False) from None
        sid = body.get("sid") if isinstance(body, dict) else None
        if not sid:
            raise DeliveryError("SMS provider: the answer carried no message sid", permanent=False)
        return str(sid)

    def close(self) -> None:
        """Nothing to close: each send is one HTTP request."""


def _http_error(error: urllib.error.HTTPError) -> DeliveryError:
    try:
        detail = json.loads(error.read() or b"{}")
    except ValueError:
        detail = {}
    code = detail.get("code") if isinstance(detail, dict) else None
    text = f"SMS provider HTTP {error.code}" + (f" (code {code})" if code else "")
    retry = error.code == 429 or error.code >= 500
    return DeliveryError(text, permanent=not retry, bounce=code in BOUNCE_CODES)


def valid_signature(token: str, url: str, form: Mapping[str, str], signature: str) -> bool:
    """Whether X-Twilio-Signature matches the request: base64 HMAC-SHA1 of the full URL followed by each form
    field's name and value in name order, keyed with the account's token."""
    data = url + "".join(f"{name}{form[name]}" for name in sorted(form))
    expected = base64.b64encode(hmac.new(token.encode(), data.encode(), hashlib.sha1).digest()).decode()
    return hmac.compare_digest(expected, signature)


def signature_for(token: str, url: str, form: Mapping[str, str]) -> str:
    """The signature a provider sends with a request (for tests and local tools)."""
    data = url + "".join(f"{name}{form[name]}" for name in sorted(form))
    return base64.b64encode(hmac.new(token.encode(), data.encode(), hashlib.sha1).digest()).decode()
