"""The services' exceptions, translated once at each edge (problem+json, a friendly page, a CLI line).

    ServiceError
     +-- NotFound              no such record visible to this actor (also: another clinic's patient)
     |    +-- LinkInvalid      a patient link that is unknown or revoked
 |         +-- LinkUsed     a reminder's check-in link that already stored its check-in
     +-- Forbidden             the actor may not do this (e.g. a patient link acting on another patient)
     +-- Conflict              the record already exists (a patient id reused in one clinic)
     |    +-- IdempotencyKeyReused  a check-in's idempotency key sent again with different answers
     +-- AuthenticationFailed  wrong email or password, or an unknown/revoked API token
     +-- RateLimited           too many failed logins for this account or address; retry_after seconds

The domain's InvalidInput (with its Problem list) is raised unchanged for bad input.
"""

from __future__ import annotations


class ServiceError(Exception):
    """Base of every error the services raise."""


class NotFound(ServiceError):
    """No such record is visible to this actor."""


class LinkInvalid(NotFound):
    """The patient link is unknown or has been revoked."""


class LinkUsed(LinkInvalid):
    """The reminder's check-in link has already stored its one check-in."""


class Forbidden(ServiceError):
    """The actor may not do this."""


class Conflict(ServiceError):
    """The record already exists."""


class IdempotencyKeyReused(Conflict):
    """The idempotency key belongs to an earlier check-in with different answers."""

    def __init__(self) -> None:
        super().__init__(
            "Idempotency-Key was already used for a check-in with different answers: send a new key for a new "
            "check-in, or the same answers to retry the earlier one"
        )


class AuthenticationFailed(ServiceError):
    """The credentials do not match."""


class RateLimited(ServiceError):
    """Too many failed attempts; try again after `retry_after` seconds."""

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(f"too many failed attempts; try again in {retry_after} seconds")
