"""jackfield.http's shared client: one per running loop, one TLS context, closed properly."""

from __future__ import annotations

import asyncio
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator

import httpx
import pytest
from http_server import LocalServer

import jackfield.http
from jackfield.http import close_shared_clients, send, shared_client, tls_context


@pytest.fixture(scope="module")
def server() -> Iterator[LocalServer]:
    with LocalServer() as running:
        yield running


def test_one_client_per_loop_reused_for_every_call(server):
    async def main() -> tuple[httpx.AsyncClient, list[int]]:
        client = shared_client()
        assert shared_client() is client
        before = len(server.requests)
        for _ in range(3):
            assert (await send("GET", server.url("/reuse"))).delivered
        assert shared_client() is client
        return client, [seen.client_port for seen in server.requests[before:]]

    client, ports = asyncio.run(main())
    # One pooled keep-alive connection carried all three requests.
    assert len(set(ports)) == 1, ports
    assert client.is_closed, "the loop's end closes its shared client"


def test_each_loop_gets_its_own_client_closed_when_the_loop_ends():
    async def grab() -> httpx.AsyncClient:
        return shared_client()

    first = asyncio.run(grab())
    second = asyncio.run(grab())
    assert first is not second
    assert first.is_closed
    assert second.is_closed


def test_concurrent_requests_in_one_loop_share_the_client(server):
    async def main() -> set[int]:
        outcomes = await asyncio.gather(*(send("GET", server.url("/many")) for _ in range(8)))
        assert all(outcome.delivered for outcome in outcomes)
        return {id(shared_client())}

    assert len(asyncio.run(main())) == 1


def test_all_shared_clients_use_the_one_tls_context(monkeypatch):
    made: list[ssl.SSLContext] = []
    create = httpx.create_ssl_context

    def counting(*args: object, **kwargs: object) -> ssl.SSLContext:
        made.append(create(*args, **kwargs))  # type: ignore[arg-type]
        return made[-1]

    monkeypatch.setattr(httpx, "create_ssl_context", counting)
    tls_context.cache_clear()
    try:

        async def grab() -> httpx.AsyncClient:
            return shared_client()

        clients = [asyncio.run(grab()) for _ in range(3)]
        assert len(made) == 1, "the TLS context is built once per process"
        assert tls_context() is made[0]
        assert tls_context() is tls_context()
        # httpx keeps the context it was given on the connection pool.
        pools = [client._transport._pool for client in clients]  # type: ignore[attr-defined]
        assert all(pool._ssl_context is made[0] for pool in pools)
        assert tls_context().verify_mode is ssl.CERT_REQUIRED
        assert tls_context().check_hostname
    finally:
        tls_context.cache_clear()


def test_close_shared_clients_closes_and_a_new_one_follows(server):
    async def main() -> tuple[httpx.AsyncClient, httpx.AsyncClient]:
        old = shared_client()
        assert (await send("GET", server.url("/"))).delivered
        await close_shared_clients()
        assert old.is_closed
        new = shared_client()
        assert new is not old
        assert (await send("GET", server.url("/"))).delivered
        await close_shared_clients()
        await close_shared_clients()  # nothing left: a no-op
        return old, new

    old, new = asyncio.run(main())
    assert old.is_closed
    assert new.is_closed


def test_close_shared_clients_reaches_a_loop_in_another_thread(server):
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:

        async def grab() -> httpx.AsyncClient:
            assert (await send("GET", server.url("/"))).delivered
            return shared_client()

        other = asyncio.run_coroutine_threadsafe(grab(), loop).result(timeout=10)
        assert not other.is_closed

        async def close_all() -> None:
            await close_shared_clients()

        asyncio.run(close_all())
        assert other.is_closed
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=5)
        loop.close()


def test_shared_client_outside_a_loop_says_what_to_do_instead():
    with pytest.raises(RuntimeError, match=r"running event loop.*tls_context"):
        shared_client()


def test_a_sync_client_of_ones_own_takes_the_shared_tls_context(server):
    with httpx.Client(verify=tls_context()) as client:
        answer = client.get(server.url("/status/204"))
    assert jackfield.http.classify(answer).delivered


def _python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )


def test_core_imports_without_touching_httpx():
    result = _python(
        "import sys, jackfield, jackfield.host, jackfield.hookspecs\n"
        "assert 'httpx' not in sys.modules, 'core imported httpx'\n"
        "assert 'jackfield.http' not in sys.modules\n"
    )
    assert result.returncode == 0, result.stderr


def test_without_httpx_the_import_error_names_the_extra():
    result = _python(
        "import sys\n"
        "sys.modules['httpx'] = None  # as if httpx were not installed\n"
        "import jackfield\n"
        "try:\n"
        "    import jackfield.http\n"
        "except ImportError as exc:\n"
        "    print(exc)\n"
        "else:\n"
        "    raise SystemExit('jackfield.http imported without httpx')\n"
    )
    assert result.returncode == 0, result.stderr
    assert "jackfield[http]" in result.stdout
    assert "httpx" in result.stdout
