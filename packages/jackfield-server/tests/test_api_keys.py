"""API keys: shown once, stored hashed, authenticated by hash."""

from __future__ import annotations

import hashlib
import uuid

import pytest
from sqlalchemy import text

from jackfield_server import Database, NotFoundError
from jackfield_server._errors import AuthenticationError, ConflictError
from jackfield_server._store import (
    authenticate_api_key,
    create_api_key,
    create_organization,
    find_organization,
    list_api_keys,
    revoke_api_key,
)


async def test_a_created_key_authenticates_as_its_organization(
    migrated: Database, two_orgs: tuple[uuid.UUID, uuid.UUID]
):
    acme, globex = two_orgs
    async with migrated.transaction() as session:
        key, record = await create_api_key(session, acme, name="ci")
        other_key, _ = await create_api_key(session, globex, name="ci")
    assert key.startswith(f"jfk_{record.prefix}_")
    async with migrated.transaction() as session:
        assert (await authenticate_api_key(session, key)).organization_id == acme
        assert (await authenticate_api_key(session, other_key)).organization_id == globex


async def test_only_a_hash_of_the_key_is_stored(migrated: Database, two_orgs):
    acme, _ = two_orgs
    async with migrated.transaction() as session:
        key, _ = await create_api_key(session, acme, name="ci")
    async with migrated.engine.connect() as connection:
        rows = (await connection.execute(text("SELECT prefix, key_hash FROM api_keys"))).all()
    assert len(rows) == 1
    prefix, key_hash = rows[0]
    secret_part = key.split("_", 2)[2]
    assert secret_part not in prefix
    assert secret_part not in key_hash
    assert key_hash == hashlib.sha256(key.encode()).hexdigest()


@pytest.mark.parametrize(
    "tamper",
    [
        lambda key: key[:-1] + ("A" if key[-1] != "A" else "B"),  # right prefix, wrong secret
        lambda key: "jfk_000000000000_" + key.split("_", 2)[2],  # unknown prefix
        lambda key: key[:20],  # malformed
        lambda key: "",
    ],
)
async def test_wrong_keys_are_refused_without_echoing_them(migrated: Database, two_orgs, tamper):
    acme, _ = two_orgs
    async with migrated.transaction() as session:
        key, _ = await create_api_key(session, acme, name="ci")
    wrong = tamper(key)
    async with migrated.transaction() as session:
        with pytest.raises(AuthenticationError) as caught:
            await authenticate_api_key(session, wrong)
    assert not wrong or wrong not in str(caught.value)


async def test_a_revoked_key_no_longer_authenticates(migrated: Database, two_orgs):
    acme, globex = two_orgs
    async with migrated.transaction() as session:
        key, record = await create_api_key(session, acme, name="ci")
        with pytest.raises(NotFoundError):
            await revoke_api_key(session, globex, record.id)
        await revoke_api_key(session, acme, record.id)
    async with migrated.transaction() as session:
        with pytest.raises(AuthenticationError, match="revoked"):
            await authenticate_api_key(session, key)
        assert [k.revoked_at is not None for k in await list_api_keys(session, acme)] == [True]
        assert await list_api_keys(session, globex) == []


async def test_organization_names_are_unique(migrated: Database, two_orgs):
    acme, _ = two_orgs
    async with migrated.transaction() as session:
        with pytest.raises(ConflictError, match="acme"):
            await create_organization(session, name="acme")
        assert (await find_organization(session, "acme")).id == acme
        await create_organization(session, name="initech")
    async with migrated.transaction() as session:
        assert (await find_organization(session, "initech")).name == "initech"
        with pytest.raises(NotFoundError):
            await find_organization(session, "nobody")
