"""jackfield.http's response policy, against a real HTTP server on 127.0.0.1.

Every status class, Retry-After in both forms, 409 with and without the
duplicate flag, a closed port, a server slower than the time limit.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx
import pytest
from http_server import BODY, LocalServer

from jackfield import RetryLater
from jackfield.http import HttpOutcome, OutcomeKind, classify, classify_error, send

DELIVERED, DUPLICATE, RETRY, FAILED = (
    OutcomeKind.DELIVERED,
    OutcomeKind.DUPLICATE,
    OutcomeKind.RETRY,
    OutcomeKind.FAILED,
)


@pytest.fixture(scope="module")
def server() -> Iterator[LocalServer]:
    with LocalServer() as running:
        yield running


def run_send(*args: Any, **kwargs: Any) -> HttpOutcome:
    return asyncio.run(send(*args, **kwargs))


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        (200, DELIVERED),
        (201, DELIVERED),
        (202, DELIVERED),
        (204, DELIVERED),
        (301, FAILED),
        (302, FAILED),
        (304, FAILED),
        (400, FAILED),
        (401, FAILED),
        (403, FAILED),
        (404, FAILED),
        (409, FAILED),
        (410, FAILED),
        (422, FAILED),
        (408, RETRY),
        (425, RETRY),
        (429, RETRY),
        (500, RETRY),
        (501, RETRY),
        (502, RETRY),
        (503, RETRY),
        (504, RETRY),
        (599, RETRY),
    ],
)
def test_every_status_class_follows_the_policy(server, code, kind):
    outcome = run_send("POST", server.url(f"/status/{code}"), json={"a": 1}, timeout_s=5)
    assert outcome.kind is kind
    assert outcome.status == code
    assert outcome.reason == f"http_{code}"
    assert outcome.detail.startswith(f"HTTP {code}")
    assert outcome.final is (kind is not RETRY)
    assert outcome.delivered is (kind is DELIVERED)
    assert outcome.retry_after_s is None
    assert outcome.duration_ms is not None
    assert outcome.duration_ms >= 0


def test_a_delivered_outcome_keeps_the_answer_for_reading(server):
    outcome = run_send("GET", server.url("/status/200"), timeout_s=5)
    assert outcome.response is not None
    assert outcome.response.content == BODY


def test_an_outcome_shows_no_body_and_no_url(server):
    url = server.url("/status/503?retry_after=7")
    outcome = run_send("GET", url, timeout_s=5)
    shown = " ".join([repr(outcome), str(outcome), outcome.reason, outcome.detail])
    assert BODY.decode() not in shown
    assert "127.0.0.1" not in shown
    assert "/status" not in shown
    assert outcome == HttpOutcome(
        RETRY, 503, "http_503", "HTTP 503 Service Unavailable", 7.0, outcome.duration_ms
    )


@pytest.mark.parametrize("code", [429, 503])
def test_retry_after_in_seconds_is_honoured(server, code):
    outcome = run_send("GET", server.url(f"/status/{code}"), params={"retry_after": "120"})
    assert outcome.kind is RETRY
    assert outcome.retry_after_s == 120.0


def test_retry_after_as_an_http_date_is_honoured(server):
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=90), usegmt=True)
    outcome = run_send("GET", server.url("/status/503"), params={"retry_after": when})
    assert outcome.kind is RETRY
    assert outcome.retry_after_s is not None
    assert 80.0 <= outcome.retry_after_s <= 90.0


def test_retry_after_in_the_past_means_now(server):
    when = format_datetime(datetime.now(UTC) - timedelta(hours=1), usegmt=True)
    outcome = run_send("GET", server.url("/status/429"), params={"retry_after": when})
    assert outcome.retry_after_s == 0.0


def test_an_unreadable_retry_after_is_ignored(server):
    outcome = run_send("GET", server.url("/status/429"), params={"retry_after": "soon"})
    assert outcome.kind is RETRY
    assert outcome.retry_after_s is None


def test_retry_after_on_a_final_answer_is_not_a_delay(server):
    outcome = run_send("GET", server.url("/status/200"), params={"retry_after": "30"})
    assert outcome.kind is DELIVERED
    assert outcome.retry_after_s is None


def test_409_is_a_duplicate_only_when_the_caller_says_so(server):
    url = server.url("/status/409")
    assert run_send("POST", url, duplicate_on_409=True).kind is DUPLICATE
    duplicate = run_send("POST", url, duplicate_on_409=True)
    assert (duplicate.status, duplicate.reason, duplicate.final) == (409, "http_409", True)
    refused = run_send("POST", url)
    assert (refused.kind, refused.status, refused.reason) == (FAILED, 409, "http_409")


def test_the_duplicate_flag_changes_nothing_but_409(server):
    for code, kind in [(200, DELIVERED), (404, FAILED), (503, RETRY)]:
        assert run_send("POST", server.url(f"/status/{code}"), duplicate_on_409=True).kind is kind


def _closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_closed_port_is_a_network_error_to_retry():
    outcome = run_send("POST", f"http://127.0.0.1:{_closed_port()}/hook", json={}, timeout_s=5)
    assert outcome.kind is RETRY
    assert outcome.status is None
    assert outcome.reason == "network_error"
    assert outcome.detail == "network error (ConnectError)"
    assert outcome.retry_after_s is None


def test_a_server_slower_than_the_time_limit_is_a_timeout_to_retry(server):
    outcome = run_send("GET", server.url("/sleep/1.5"), timeout_s=0.2)
    assert outcome.kind is RETRY
    assert (outcome.status, outcome.reason) == (None, "timeout")
    assert outcome.detail == "no answer within 0.2 s"
    assert outcome.duration_ms is not None
    assert outcome.duration_ms < 1200


def test_the_time_limit_covers_the_whole_answer_not_each_read(server):
    # Each byte arrives well within 0.35 s, the whole body takes a second.
    outcome = run_send("GET", server.url("/drip"), timeout_s=0.35)
    assert (outcome.kind, outcome.reason) == (RETRY, "timeout")
    assert run_send("GET", server.url("/drip"), timeout_s=5).kind is DELIVERED


@pytest.mark.parametrize(
    "url",
    ["ftp://files.example/x", "no scheme at all", "http://[::1/", "http://127.0.0.1:99999/"],
)
def test_an_unusable_url_is_a_final_failure(url):
    outcome = run_send("GET", url, timeout_s=1)
    assert (outcome.kind, outcome.status, outcome.reason) == (FAILED, None, "invalid_url")


def test_a_header_the_client_refuses_is_a_final_failure(server):
    outcome = run_send("GET", server.url("/"), headers={"X-Bad": "a\r\nInjected: 1"}, timeout_s=1)
    assert (outcome.kind, outcome.reason) == (FAILED, "invalid_request")


def test_a_time_limit_must_be_positive(server):
    with pytest.raises(ValueError, match="positive timeout_s"):
        run_send("GET", server.url("/"), timeout_s=0)


def test_a_retry_outcome_becomes_retry_later_in_one_line(server):
    outcome = run_send("GET", server.url("/status/503"), params={"retry_after": "12"})
    retry = outcome.retry_later("Tuner")
    assert isinstance(retry, RetryLater)
    assert str(retry) == "Tuner: HTTP 503 Service Unavailable"
    assert retry.delay_s == 12.0
    plain = run_send("GET", server.url("/sleep/1"), timeout_s=0.1).retry_later()
    assert (str(plain), plain.delay_s) == ("no answer within 0.1 s", None)


@pytest.mark.parametrize("code", [200, 404])
def test_only_a_retry_outcome_becomes_retry_later(server, code):
    outcome = run_send("GET", server.url(f"/status/{code}"))
    with pytest.raises(ValueError, match="is not retried"):
        outcome.retry_later("Tuner")


def test_classify_reads_a_response_from_a_client_of_ones_own(server):
    async def main() -> list[HttpOutcome]:
        async with httpx.AsyncClient() as client:
            answers = [
                await client.get(server.url("/status/201")),
                await client.get(server.url("/status/429"), params={"retry_after": "3"}),
                await client.get(server.url("/status/409")),
            ]
        return [
            classify(answers[0]),
            classify(answers[1]),
            classify(answers[2], duplicate_on_409=True),
        ]

    delivered, retry, duplicate = asyncio.run(main())
    assert (delivered.kind, delivered.status) == (DELIVERED, 201)
    assert (retry.kind, retry.retry_after_s) == (RETRY, 3.0)
    assert duplicate.kind is DUPLICATE


def test_send_uses_the_client_it_is_given(server):
    async def main() -> HttpOutcome:
        async with httpx.AsyncClient(headers={"X-Own-Client": "yes"}) as client:
            return await send("GET", server.url("/own-client"), client=client)

    assert asyncio.run(main()).kind is DELIVERED
    seen = [r for r in server.requests if r.path == "/own-client"]
    assert seen[-1].headers.get("X-Own-Client") == "yes"


@pytest.mark.parametrize(
    ("error", "kind", "reason"),
    [
        (TimeoutError(), RETRY, "timeout"),
        (httpx.ReadTimeout("slow"), RETRY, "timeout"),
        (httpx.ConnectError("refused"), RETRY, "network_error"),
        (httpx.RemoteProtocolError("peer closed"), RETRY, "network_error"),
        (httpx.ProxyError("proxy down"), RETRY, "network_error"),
        (httpx.InvalidURL("bad"), FAILED, "invalid_url"),
        (httpx.UnsupportedProtocol("ftp"), FAILED, "invalid_url"),
        (httpx.LocalProtocolError("bad header"), FAILED, "invalid_request"),
        (httpx.DecodingError("bad gzip"), FAILED, "invalid_response"),
        (httpx.TooManyRedirects("loop"), FAILED, "too_many_redirects"),
    ],
)
def test_classify_error_uses_the_type_never_the_message(error, kind, reason):
    outcome = classify_error(error)
    assert (outcome.kind, outcome.status, outcome.reason) == (kind, None, reason)
    assert str(error) not in outcome.detail or not str(error)


def test_classify_error_refuses_what_is_not_an_http_error():
    with pytest.raises(TypeError, match="not ValueError"):
        classify_error(ValueError("https://user:pw@example/"))
