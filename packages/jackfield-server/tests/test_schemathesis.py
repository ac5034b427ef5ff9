"""Property-based requests against the published OpenAPI schema of a running server.

Schemathesis generates requests from ``/api/v1/openapi.json`` (valid ones and
deliberately invalid ones, a bounded number per operation) and checks every
response: never a 5xx, and status code, content type, headers and body as the
schema documents them.
"""

from __future__ import annotations

import hypothesis
import pytest
from api_helpers import call_events, definition
from server_process import running_server
from test_e2e_uvicorn import _create_key, _env

schemathesis = pytest.importorskip("schemathesis")

from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

EXAMPLES_PER_OPERATION = 25
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def test_the_api_conforms_to_its_openapi_schema(tmp_path):
    import requests

    env = _env(tmp_path)
    key = _create_key(env, "acme")
    headers = {"Authorization": f"Bearer {key}"}
    with running_server(env, tmp_path / "server.log", ["alpha:delivery"]) as server:
        with requests.Session() as http:
            http.headers.update(headers)
            created = http.post(
                f"{server.url}/api/v1/workflows", json={"name": "w", "definition": definition()}
            ).json()
            run = http.post(
                f"{server.url}/api/v1/workflows/{created['id']}/runs",
                json={"events": call_events()},
            ).json()
            assert run["links"]["transcript"]
        schema = schemathesis.openapi.from_url(f"{server.url}/api/v1/openapi.json")
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) >= 12
        modes = (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE)
        with requests.Session() as session:
            for operation in operations:
                for mode in modes:

                    @hypothesis.settings(
                        max_examples=EXAMPLES_PER_OPERATION,
                        deadline=None,
                        database=None,
                        derandomize=True,
                        suppress_health_check=list(hypothesis.HealthCheck),
                        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
                    )
                    @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
                    def check(case):
                        case.call_and_validate(
                            base_url=server.url, session=session, headers=headers, checks=CHECKS
                        )

                    try:
                        check()
                    except hypothesis.errors.Unsatisfiable:
                        # Nothing to get wrong (no parameters, no body): no invalid request.
                        assert mode is schemathesis.GenerationMode.NEGATIVE
        assert "Traceback" not in server.log.read_text()
