"""The CapabilityStatement of NerveTrack's FHIR R4 endpoint (GET /fhir/metadata)."""

from __future__ import annotations

from typing import Any

from nervetrack.interop import codes

Json = dict[str, Any]
FHIR_VERSION = "4.0.1"
# Resource type -> the search parameters /fhir answers for it.
SEARCHABLE: dict[str, tuple[str, ...]] = {
    "Patient": ("_id", "identifier"),
    "Procedure": ("patient", "subject"),
    "QuestionnaireResponse": ("patient", "subject", "questionnaire"),
    "Observation": ("patient", "subject", "code"),
    "DetectedIssue": ("patient",),
    "Flag": ("patient", "subject", "status"),
    "RiskAssessment": ("patient", "subject"),
    "CarePlan": ("patient", "subject"),
    "Questionnaire": ("url",),
}
_TYPES = {"patient": "reference", "subject": "reference", "_id": "token", "identifier": "token", "code": "token"}
_TYPES |= {"status": "token", "questionnaire": "reference", "url": "uri"}


def capability_statement(base_url: str, software_version: str, date: str) -> Json:
    """What the server does: read and search per resource type, $everything, transaction of responses."""
    resources = []
    for kind, params in SEARCHABLE.items():
        resource: Json = {
            "type": kind,
            "interaction": [{"code": "read"}, {"code": "search-type"}],
            "searchParam": [{"name": name, "type": _TYPES[name]} for name in params],
        }
        if kind == "Patient":
            resource["operation"] = [
                {"name": "everything", "definition": "http://hl7.org/fhir/OperationDefinition/Patient-everything"}
            ]
        resources.append(resource)
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": date,
        "publisher": "NerveTrack",
        "kind": "instance",
        "software": {"name": "NerveTrack", "version": software_version},
        "implementation": {"description": "NerveTrack FHIR R4 endpoint", "url": base_url},
        "fhirVersion": FHIR_VERSION,
        "format": ["application/fhir+json", "json"],
        "rest": [
            {
                "mode": "server",
                "documentation": (
                    "Bearer API tokens as for the REST API (nervetrack token create). POST a transaction Bundle "
                    f"of QuestionnaireResponses to {codes.CHECKIN_QUESTIONNAIRE} to record check-ins."
                ),
                "security": {
                    "service": [
                        {
                            "coding": [
                                {
                                    "system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
                                    "code": "OAuth",
                                }
                            ],
                            "text": "Bearer token",
                        }
                    ]
                },
                "resource": resources,
                "interaction": [{"code": "transaction"}],
            }
        ],
    }
