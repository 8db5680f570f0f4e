"""Keys and JWTs as a CDS client makes them (generated per test run), and CDS Hooks requests."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

ISSUER = "https://ehr.test"
SERVICE_URL = "http://testserver/cds-services/nervetrack-recovery"


@dataclass(frozen=True)
class ClientKeys:
    """An EHR's signing keys: ES384 and RS384 (the spec's two), and the public JWKS to configure."""

    ec_key: ec.EllipticCurvePrivateKey
    rsa_key: rsa.RSAPrivateKey

    @staticmethod
    def generate() -> ClientKeys:
        return ClientKeys(ec.generate_private_key(ec.SECP384R1()), rsa.generate_private_key(65537, 2048))

    def jwks(self) -> dict[str, Any]:
        ec_jwk = ECAlgorithm.to_jwk(self.ec_key.public_key(), as_dict=True) | {"kid": "ec-1", "alg": "ES384"}
        rsa_jwk = RSAAlgorithm.to_jwk(self.rsa_key.public_key(), as_dict=True) | {"kid": "rsa-1", "alg": "RS384"}
        return {"keys": [ec_jwk, rsa_jwk]}

    def token(self, audience: str = SERVICE_URL, *, alg: str = "ES384", issuer: str = ISSUER, **claims: Any) -> str:
        now = dt.datetime.now(dt.UTC)
        body = {"iss": issuer, "sub": "ehr-client", "aud": audience, "iat": now, "exp": now + dt.timedelta(minutes=5)}
        body |= {"jti": str(uuid.uuid4())} | claims
        key, kid = (self.ec_key, "ec-1") if alg.startswith("ES") else (self.rsa_key, "rsa-1")
        return jwt.encode(body, key, algorithm=alg, headers={"kid": kid, "jku": f"{ISSUER}/jwks"})

    def header(self, audience: str = SERVICE_URL, **kwargs: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(audience, **kwargs)}"}


def hook_request(patient_id: str, prefetch: dict[str, Any] | None, **extra: Any) -> dict[str, Any]:
    """A patient-view call in the shape of the specification's example request."""
    body: dict[str, Any] = {
        "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
        "hook": "patient-view",
        "context": {"userId": "Practitioner/example", "patientId": patient_id, "encounterId": "89284"},
    }
    if prefetch is not None:
        body["prefetch"] = prefetch
    return body | extra
