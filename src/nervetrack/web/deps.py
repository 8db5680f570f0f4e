"""Request dependencies as Annotated aliases: settings, a unit of work, the API actor."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from nervetrack.config import Settings
from nervetrack.services.errors import AuthenticationFailed
from nervetrack.services.tokens import authenticate_token
from nervetrack.services.unit_of_work import UnitOfWork
from nervetrack.services.views import Actor

_bearer = HTTPBearer(auto_error=False, description="An API token created with `nervetrack token create`.")


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_uow(request: Request) -> UnitOfWork:
    return UnitOfWork(request.app.state.session_factory)


SettingsDep = Annotated[Settings, Depends(get_settings)]
UowDep = Annotated[UnitOfWork, Depends(get_uow)]


def get_api_actor(
    request: Request, uow: UowDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Actor:
    """The clinic system calling the API, from its bearer token (already checked, before the body was read, by
    web/request_limits.py); 401 problem+json otherwise."""
    checked = getattr(request.state, "api_actor", None)
    if isinstance(checked, Actor):
        return checked
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise AuthenticationFailed("send an API token as 'Authorization: Bearer <token>'")
    return authenticate_token(uow, credentials.credentials)


ApiActorDep = Annotated[Actor, Depends(get_api_actor)]
