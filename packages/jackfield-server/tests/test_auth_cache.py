"""Recently checked API keys: trusted for a while, never stored in clear."""

from __future__ import annotations

import dataclasses
import uuid

from api_helpers import start_api

from jackfield_server._auth_cache import AuthCache, CachedKey
from jackfield_server._store import find_organization, list_api_keys, revoke_api_key


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _found() -> CachedKey:
    return CachedKey(organization_id=uuid.uuid4(), api_key_id=uuid.uuid4())


def test_a_checked_key_is_trusted_until_it_expires():
    clock = Clock()
    cache = AuthCache(5.0, clock=clock)
    found = _found()
    cache.put("jfk_key", found)
    clock.now += 4.9
    assert cache.get("jfk_key") == found
    assert cache.get("jfk_other") is None
    clock.now += 0.1
    assert cache.get("jfk_key") is None


def test_the_cache_is_bounded_forgets_revoked_keys_and_keeps_no_key_in_clear():
    cache = AuthCache(60.0, max_entries=2, clock=Clock())
    first, second, third = _found(), _found(), _found()
    cache.put("key-1", first)
    cache.put("key-2", second)
    cache.put("key-3", third)
    assert cache.get("key-1") is None  # the oldest went
    assert cache.get("key-3") == third
    cache.forget(third.api_key_id)
    assert cache.get("key-3") is None
    assert "key-2" not in repr(vars(cache))


def test_a_zero_ttl_remembers_nothing():
    cache = AuthCache(0.0, clock=Clock())
    cache.put("key", _found())
    assert cache.get("key") is None


async def test_the_server_asks_the_database_once_per_key_and_ttl(
    database, server_settings, plugin_host
):
    settings = dataclasses.replace(server_settings, auth_cache_s=300.0)
    async with start_api(settings, plugin_host, database) as api:
        assert (await api.request("GET", "/workflows")).status_code == 200
        async with api.database.transaction() as session:
            org = await find_organization(session, "acme")
            [key] = await list_api_keys(session, org.id)
            await revoke_api_key(session, org.id, key.id)
        # Revoked elsewhere: this server trusts its recent check until the entry expires...
        assert (await api.request("GET", "/workflows")).status_code == 200
        api.app.state.jackfield.auth_cache.forget(key.id)
        # ...and asks again once it is gone.
        assert (await api.request("GET", "/workflows")).status_code == 401
