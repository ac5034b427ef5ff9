"""Request dependencies: the server state, and the caller behind a bearer API key."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from jackfield_server._auth_cache import CachedKey
from jackfield_server._errors import AuthenticationError
from jackfield_server._state import ServerState
from jackfield_server._store import authenticate_api_key

__all__ = ["Caller", "CallerDep", "StateDep", "require_caller", "server_state"]

_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ApiKey",
    description="An organization's API key (`jackfield keys create ORG`), as a bearer token.",
)


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is calling: the organization an API key belongs to, and the key's id."""

    organization_id: uuid.UUID
    api_key_id: uuid.UUID


async def server_state(request: Request) -> ServerState:
    """The :class:`ServerState` of the application serving ``request``."""
    state: ServerState = request.app.state.jackfield
    return state


StateDep = Annotated[ServerState, Depends(server_state)]


def _unauthorized(message: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, detail=message, headers={"WWW-Authenticate": "Bearer"}
    )


async def require_caller(
    request: Request,
    state: StateDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Caller:
    """Authenticate the request's bearer API key; 401 if it is missing or not valid.

    A key checked in the last ``settings.auth_cache_s`` seconds is not looked up
    again (see :mod:`jackfield_server._auth_cache`).

    The caller is also left in ``request.state.jackfield_caller``, where plugin
    routes can read it.
    """
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise _unauthorized("an API key is required (Authorization: Bearer <key>)")
    key = credentials.credentials
    known = state.auth_cache.get(key)
    if known is None:
        try:
            async with state.database.transaction() as session:
                record = await authenticate_api_key(session, key)
        except AuthenticationError as exc:
            raise _unauthorized(str(exc)) from None
        known = CachedKey(organization_id=record.organization_id, api_key_id=record.id)
        state.auth_cache.put(key, known)
    caller = Caller(organization_id=known.organization_id, api_key_id=known.api_key_id)
    request.state.jackfield_caller = caller
    return caller


CallerDep = Annotated[Caller, Depends(require_caller)]
