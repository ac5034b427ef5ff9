"""jackfield.http's redaction: URLs with userinfo, query tokens and secret path segments.

The log tests capture every logger at DEBUG through a handler on the root logger
(httpx logs each request's URL at INFO, httpcore its connection steps at DEBUG)
and assert that no secret appears in any record, whatever handler would format it.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Iterator

import httpx
import pytest
from http_server import LocalServer

from jackfield.http import (
    OutcomeKind,
    install_log_redaction,
    redact_url,
    redacting,
    send,
    shared_client,
)

USERNAME = "hookuser-ID77"
PASSWORD = "userpass-S3CR3T"
PATH_SECRET = "pathsecret-T0K3N"
QUERY_TOKEN = "querytoken-Q9Z"
BEARER = "bearer-B34R3R"
API_KEY = "apikey-K3Y99"
SECRETS = (USERNAME, PASSWORD, PATH_SECRET, QUERY_TOKEN, BEARER, API_KEY)


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        self.lines.append(self.format(record))


@pytest.fixture(scope="module")
def server() -> Iterator[LocalServer]:
    with LocalServer() as running:
        yield running


@pytest.fixture
def captured() -> Iterator[_Capture]:
    install_log_redaction()  # the host's part, once at start-up
    capture = _Capture()
    root = logging.getLogger()
    level = root.level
    root.addHandler(capture)
    root.setLevel(logging.DEBUG)
    try:
        yield capture
    finally:
        root.removeHandler(capture)
        root.setLevel(level)


def assert_no_secret_in(capture: _Capture, *, secrets: tuple[str, ...] = SECRETS) -> None:
    assert capture.records, "nothing was logged: the capture is not working"
    for record, line in zip(capture.records, capture.lines, strict=True):
        everything = line + repr(vars(record)) + repr(record.args) + str(record.msg)
        for secret in secrets:
            assert secret not in everything, f"{secret!r} leaked in {record.name}: {line}"


def secret_url(server: LocalServer, path: str = f"/hooks/T0/{PATH_SECRET}") -> str:
    return (
        f"http://{USERNAME}:{PASSWORD}@127.0.0.1:{server.port}{path}?token={QUERY_TOKEN}&mode=plain"
    )


def _send_with_secrets(url: str, *, timeout_s: float = 5.0) -> OutcomeKind:
    async def main() -> OutcomeKind:
        outcome = await send(
            "POST",
            url,
            json={"event": "call.completed"},
            headers={"Authorization": f"Bearer {BEARER}", "X-Api-Key": API_KEY},
            secrets=[PATH_SECRET, None],
            timeout_s=timeout_s,
        )
        for text in (repr(outcome), outcome.reason, outcome.detail):
            assert not any(secret in text for secret in SECRETS)
        if outcome.kind is OutcomeKind.RETRY:
            assert not any(secret in str(outcome.retry_later("Hook")) for secret in SECRETS)
        return outcome.kind

    return asyncio.run(main())


def test_no_secret_reaches_any_log_record_of_a_delivered_request(server, captured):
    assert _send_with_secrets(secret_url(server)) is OutcomeKind.DELIVERED
    assert server.requests[-1].path == f"/hooks/T0/{PATH_SECRET}"  # it did go there
    assert_no_secret_in(captured)
    names = {record.name for record in captured.records}
    assert "httpx" in names
    assert any(name.startswith("httpcore.") for name in names), names
    requests = [line for line in captured.lines if "HTTP Request:" in line]
    assert requests == [
        f"httpx INFO HTTP Request: POST http://***@127.0.0.1:{server.port}/hooks/T0/***"
        '?token=***&mode=*** "HTTP/1.1 200 OK"'
    ]


@pytest.mark.parametrize("code", [409, 503])
def test_no_secret_in_the_records_of_a_refused_or_retried_request(server, captured, code):
    kind = _send_with_secrets(secret_url(server, f"/status/{code}/{PATH_SECRET}"))
    assert kind is (OutcomeKind.RETRY if code == 503 else OutcomeKind.FAILED)
    assert_no_secret_in(captured)


def test_no_secret_in_the_records_of_a_network_error(captured):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://{USERNAME}:{PASSWORD}@127.0.0.1:{port}/hooks/{PATH_SECRET}?token={QUERY_TOKEN}"
    assert _send_with_secrets(url) is OutcomeKind.RETRY
    assert_no_secret_in(captured)


def test_no_secret_in_the_records_of_a_timeout(server, captured):
    url = secret_url(server, f"/sleep/1/{PATH_SECRET}")
    assert _send_with_secrets(url, timeout_s=0.2) is OutcomeKind.RETRY
    assert_no_secret_in(captured)


def test_the_raw_shared_client_is_redacted_inside_redacting(server, captured):
    async def main() -> int:
        with redacting(PATH_SECRET):
            answer = await shared_client().get(secret_url(server))
        return answer.status_code

    assert asyncio.run(main()) == 200
    assert_no_secret_in(captured)


def test_userinfo_and_query_values_are_redacted_even_without_registered_secrets(server, captured):
    async def main() -> None:
        await shared_client().get(secret_url(server, "/plain/path"))

    asyncio.run(main())
    assert_no_secret_in(captured, secrets=(USERNAME, PASSWORD, QUERY_TOKEN))
    assert any("/plain/path?token=***&mode=***" in line for line in captured.lines)


def test_a_traceback_logged_on_httpx_is_redacted(captured):
    url = f"https://{USERNAME}:{PASSWORD}@hooks.example/{PATH_SECRET}"
    with redacting(PATH_SECRET):
        try:
            raise RuntimeError(f"could not post to {url}")
        except RuntimeError:
            logging.getLogger("httpx").exception("failed: %s", httpx.URL(url))
    assert_no_secret_in(captured)
    assert "https://***@hooks.example/***" in captured.lines[-1]


def test_other_loggers_are_left_alone(captured):
    # The filter is the host's, on the HTTP libraries' loggers only: a plugin's
    # own logger keeps its records (and its own duty not to log secrets).
    logging.getLogger("some_plugin").info("sent to %s", "https://h/?page=2")
    record = captured.records[-1]
    assert record.args == ("https://h/?page=2",)


def test_installing_twice_puts_the_filter_on_once():
    install_log_redaction()
    install_log_redaction()
    for name in ("httpx", "httpcore.connection", "httpcore.http11"):
        filters = logging.getLogger(name).filters
        assert len([f for f in filters if type(f).__name__ == "RedactingFilter"]) == 1, name


def test_shared_client_installs_the_filter_for_a_host_that_forgot():
    async def main() -> None:
        shared_client()

    asyncio.run(main())
    assert any(type(f).__name__ == "RedactingFilter" for f in logging.getLogger("httpx").filters)


@pytest.mark.parametrize(
    ("url", "secrets", "expected"),
    [
        (
            "https://user:pw@hooks.example/services/T0/s3cr3t?token=abc&x#frag",
            ["s3cr3t"],
            "https://***@hooks.example/services/T0/***?token=***&x#***",
        ),
        ("https://hooks.example:8443/a/b", [], "https://hooks.example:8443/a/b"),
        ("https://token@hooks.example/", [], "https://***@hooks.example/"),
        ("https://h.example/x?a=1&b=&c", [], "https://h.example/x?a=***&b=&c"),
        ("https://h.example/x/tok%20en/y", ["tok en"], "https://h.example/x/***/y"),
        ("https://h.example/k/AbC123/k", ["AbC123"], "https://h.example/k/***/k"),
        ("https://h.example/sub-s3cr3t-x", ["s3cr3t"], "https://h.example/sub-***-x"),
        ("https://h.example/plain", [None, ""], "https://h.example/plain"),
        ("http://[::1/broken", [], "***"),
        (
            "https://hooks.example/services/T0/B0/XYZ",
            ["https://hooks.example/services/T0/B0/XYZ"],
            "***",
        ),
        ("https://u:pw-123@h.example/", ["pw-123"], "https://***@h.example/"),
    ],
)
def test_redact_url(url, secrets, expected):
    assert redact_url(url, secrets) == expected


def test_redact_url_takes_an_httpx_url_and_the_registered_secrets():
    url = httpx.URL(f"https://{USERNAME}:{PASSWORD}@h.example/{PATH_SECRET}?t={QUERY_TOKEN}")
    assert redact_url(url) == f"https://***@h.example/{PATH_SECRET}?t=***"
    with redacting(PATH_SECRET), redacting(None):
        assert redact_url(url) == "https://***@h.example/***?t=***"
    assert redact_url(url) == f"https://***@h.example/{PATH_SECRET}?t=***"


def test_a_secret_endpoint_url_is_redacted_as_a_whole_in_the_request_line(server, captured):
    # A webhook whose whole endpoint is the secret passes it as one.
    endpoint = server.url(f"/services/T0/B0/{PATH_SECRET}")

    async def main() -> OutcomeKind:
        return (await send("POST", endpoint, json={}, secrets=[endpoint])).kind

    assert asyncio.run(main()) is OutcomeKind.DELIVERED
    assert_no_secret_in(captured, secrets=(PATH_SECRET, endpoint))
    assert any(line.endswith('HTTP Request: POST *** "HTTP/1.1 200 OK"') for line in captured.lines)
