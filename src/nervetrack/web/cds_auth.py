"""CDS Hooks client authentication: the bearer JWT a CDS client signs for each call (CDS Hooks 2.0,
"Trusting CDS Clients").

The token's `iss` must be a configured issuer and its signature verify with one of that issuer's keys (by
`kid`); `aud` must be this service's URL; `exp`, `iat` and `jti` must be present and the token unexpired.
Asymmetric algorithms only (the spec's ES384 and RS384, and their 256/512 siblings): a shared-secret or
`none` token is refused whatever it claims.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jwt

from nervetrack.interop.errors import JwtRejected

ALGORITHMS = ["ES256", "ES384", "ES512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512"]
LEEWAY_SECONDS = 30  # clock skew between the EHR and this service


@dataclass(frozen=True)
class CdsClient:
    """A verified CDS client: its issuer and the token's id."""

    issuer: str
    token_id: str


def verify_client(authorization: str | None, issuers: dict[str, dict[str, Any]], audience: str) -> CdsClient:
    """The CDS client a bearer JWT proves; JwtRejected (401) for anything else."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise JwtRejected("send the CDS client's JWT as 'Authorization: Bearer <jwt>'")
    try:
        header = jwt.get_unverified_header(token)
        issuer = jwt.decode(token, options={"verify_signature": False}).get("iss")
    except jwt.PyJWTError:
        raise JwtRejected("the bearer token is not a JWT") from None
    if not isinstance(issuer, str) or issuer not in issuers:
        raise JwtRejected("the JWT's issuer is not a trusted CDS client")
    key = _key(issuers[issuer], header.get("kid"))
    try:
        claims = jwt.decode(
            token,
            key=key,
            algorithms=ALGORITHMS,
            audience=audience,
            issuer=issuer,
            leeway=LEEWAY_SECONDS,
            options={"require": ["iss", "aud", "exp", "iat", "jti"]},
        )
    except jwt.ExpiredSignatureError:
        raise JwtRejected("the JWT has expired") from None
    except jwt.InvalidAudienceError:
        raise JwtRejected(f"the JWT's audience must be {audience}") from None
    except jwt.PyJWTError as error:
        raise JwtRejected(f"the JWT was refused ({type(error).__name__})") from None
    return CdsClient(issuer=issuer, token_id=str(claims["jti"]))


def _key(jwks: dict[str, Any], kid: Any) -> Any:
    try:
        keys = jwt.PyJWKSet.from_dict(jwks).keys
    except jwt.PyJWTError:
        raise JwtRejected("the issuer's configured key set is unusable") from None
    matching = [k for k in keys if kid is None or k.key_id == kid]
    if kid is None and len(keys) != 1:
        raise JwtRejected("the JWT names no key (kid) and its issuer has several")
    if not matching:
        raise JwtRejected("the JWT's key (kid) is not one of its issuer's keys")
    return matching[0]
