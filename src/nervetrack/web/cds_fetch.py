"""Fetch what a CDS client did not prefetch from its FHIR server, with the access token it granted.

Only the service's own prefetch templates are fetched, for the patient in the hook's context; a failure is
reported as missing prefetch (412), never as this service's error.
"""

from __future__ import annotations

from typing import Any

import httpx

from nervetrack.interop.cds_hooks import PREFETCH, prefetch_query
from nervetrack.interop.errors import PrefetchMissing

TIMEOUT_SECONDS = 5.0


def fetch_missing(fhir_server: str, authorization: Any, patient_id: str, keys: list[str]) -> dict[str, Any]:
    """The prefetch values for `keys`, read from the client's FHIR server."""
    token = authorization.get("access_token") if isinstance(authorization, dict) else None
    if not isinstance(token, str) or not token:
        raise PrefetchMissing(f"prefetch {', '.join(keys)} missing and fhirAuthorization has no access_token")
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/fhir+json"}
    fetched: dict[str, Any] = {}
    with httpx.Client(base_url=fhir_server.rstrip("/") + "/", headers=headers, timeout=TIMEOUT_SECONDS) as client:
        for key in keys:
            try:
                response = client.get(prefetch_query(PREFETCH[key], patient_id))
            except httpx.HTTPError as error:
                raise PrefetchMissing(
                    f"prefetch {key} missing and fhirServer could not be read ({type(error).__name__})"
                ) from None
            if response.status_code != 200:
                raise PrefetchMissing(f"prefetch {key} missing and fhirServer answered {response.status_code}")
            fetched[key] = response.json()
    return fetched
