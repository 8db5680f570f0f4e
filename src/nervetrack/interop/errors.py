"""The interop layer's errors, translated at the edges (OperationOutcome on /fhir, 400/412 on /cds-services,
one line and exit code 2 in the CLI).

    FhirInputError         a resource or bundle NerveTrack cannot read: `where` names the element (FHIRPath)
    CdsRequestError        a CDS Hooks request that is malformed (400)
     +-- PrefetchMissing   data the service needs was neither prefetched nor fetchable (412)
    JwtRejected            a CDS client's bearer JWT is missing, forged, expired or for another audience (401)
"""

from __future__ import annotations


class FhirInputError(ValueError):
    """A FHIR resource or bundle that does not map to NerveTrack's records."""

    def __init__(self, where: str, message: str) -> None:
        self.where = where
        self.message = message
        super().__init__(f"{where}: {message}")


class CdsRequestError(ValueError):
    """A CDS Hooks request the service cannot answer as sent."""


class PrefetchMissing(CdsRequestError):
    """Prefetched data is missing and the CDS client gave no FHIR server to fetch it from."""


class JwtRejected(ValueError):
    """The CDS client's JWT bearer token is not acceptable."""
