"""The example in docs/authoring.md's "HTTP for plugins" section runs as written."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from http_server import LocalServer

from jackfield import RetryLater

AUTHORING = Path(__file__).resolve().parents[2] / "docs" / "authoring.md"


@pytest.fixture(scope="module")
def deliver() -> Callable[..., Any]:
    if not AUTHORING.exists():
        pytest.skip("docs/ is not part of this checkout (sdist)")
    text = AUTHORING.read_text(encoding="utf-8")
    section = text.split("## HTTP for plugins: `jackfield.http`", 1)
    assert len(section) == 2, "docs/authoring.md has no 'HTTP for plugins' section"
    block = re.search(r"```python\n(.*?)```", section[1], flags=re.S)
    assert block is not None
    namespace: dict[str, Any] = {}
    exec(compile(block.group(1), "authoring.md", "exec"), namespace)
    return namespace["deliver"]  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def server() -> Iterator[LocalServer]:
    with LocalServer() as running:
        yield running


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/status/200", {"status": "delivered", "status_code": 200}),
        ("/status/409", {"status": "duplicate", "status_code": 409}),
        ("/status/404", {"status": "failed", "reason": "http_404", "status_code": 404}),
    ],
)
def test_the_example_gives_a_result_per_outcome(deliver, server, path, expected):
    assert asyncio.run(deliver(server.url(path), "key-123456", {"a": 1})) == expected


def test_the_example_retries_a_503_with_its_retry_after(deliver, server):
    result = asyncio.run(deliver(server.url("/status/503?retry_after=4"), "key-123456", {}))
    assert isinstance(result, RetryLater)
    assert str(result) == "Hooks: HTTP 503 Service Unavailable"
    assert result.delay_s == 4.0
