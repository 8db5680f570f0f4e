"""Check resources against the FHIR models of fhir.resources (R4B, whose JSON for the resources NerveTrack
uses is R4's) before they are sent or read."""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from pydantic import ValidationError

from nervetrack.interop.errors import FhirInputError

Json = dict[str, Any]


def validated(resource: Any, where: str = "") -> Json:
    """The resource unchanged if it is a valid FHIR resource; FhirInputError naming the element if not."""
    if not isinstance(resource, dict) or not isinstance(resource.get("resourceType"), str):
        raise FhirInputError(where or "resource", "must be a JSON object with a resourceType")
    kind = resource["resourceType"]
    try:
        model = get_fhir_model_class(kind)
    except (KeyError, ValueError):
        raise FhirInputError(f"{where or kind}.resourceType", f"{kind!r} is not a FHIR resource type") from None
    try:
        model.model_validate(resource)
    except ValidationError as error:
        first = error.errors()[0]
        path = ".".join(str(part) for part in first["loc"] if part != "__root__")
        raise FhirInputError(f"{where or kind}.{path}".rstrip("."), str(first["msg"])) from None
    return dict(resource)
