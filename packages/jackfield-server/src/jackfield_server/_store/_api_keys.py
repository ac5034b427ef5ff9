"""API keys: created once, stored only as a hash, checked on every request.

A key reads ``jfk_<prefix>_<secret>``: 12 hex characters of prefix, stored in
clear to find the row, then 43 url-safe characters (256 random bits). The row
keeps the SHA-256 of the whole key. A slow password hash is not needed: the key
is random, not chosen by a person, so it cannot be guessed from its hash.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from jackfield_server._errors import AuthenticationError
from jackfield_server._models import ApiKey, utcnow
from jackfield_server._store._organizations import get_organization
from jackfield_server._store._scoped import load_scoped

__all__ = ["authenticate_api_key", "create_api_key", "list_api_keys", "revoke_api_key"]

_KEY_FORMAT = re.compile(r"jfk_(?P<prefix>[0-9a-f]{12})_[A-Za-z0-9_-]{43}")


def _hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("ascii")).hexdigest()


async def create_api_key(
    session: AsyncSession, organization_id: uuid.UUID, *, name: str
) -> tuple[str, ApiKey]:
    """Create an API key for the organization; return ``(key, record)``.

    The key is returned this once and never stored: show it to the operator
    now. ``name`` is a label for people (``"ci"``, ``"dashboard"``).

    :raises NotFoundError: no such organization.
    """
    await get_organization(session, organization_id)
    prefix = secrets.token_hex(6)
    key = f"jfk_{prefix}_{secrets.token_urlsafe(32)}"
    record = ApiKey(
        organization_id=organization_id, name=name, prefix=prefix, key_hash=_hash_key(key)
    )
    session.add(record)
    await session.flush()
    return key, record


async def authenticate_api_key(session: AsyncSession, key: str) -> ApiKey:
    """Return the record of a valid, unrevoked API key; its ``organization_id`` is the caller's.

    :raises AuthenticationError: the key is malformed, unknown or revoked (the
        message never contains the key).
    """
    match = _KEY_FORMAT.fullmatch(key)
    if match is None:
        raise AuthenticationError("malformed API key")
    query = select(ApiKey).where(ApiKey.prefix == match["prefix"])
    record = (await session.execute(query)).scalar_one_or_none()
    if record is None or not hmac.compare_digest(record.key_hash, _hash_key(key)):
        raise AuthenticationError("unknown API key")
    if record.revoked_at is not None:
        raise AuthenticationError("revoked API key")
    return record


async def list_api_keys(session: AsyncSession, organization_id: uuid.UUID) -> list[ApiKey]:
    """The organization's API keys (records only), oldest first."""
    query = (
        select(ApiKey)
        .where(ApiKey.organization_id == organization_id)
        .order_by(ApiKey.created_at, ApiKey.id)
    )
    return list((await session.execute(query)).scalars())


async def revoke_api_key(
    session: AsyncSession, organization_id: uuid.UUID, key_id: uuid.UUID
) -> ApiKey:
    """Revoke one of the organization's keys; revoking twice keeps the first time.

    :raises NotFoundError: no such key in that organization.
    """
    record = await load_scoped(session, ApiKey, organization_id, key_id, kind="API key")
    if record.revoked_at is None:
        record.revoked_at = utcnow()
        await session.flush()
    return record
