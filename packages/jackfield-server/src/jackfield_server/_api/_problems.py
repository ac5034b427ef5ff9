"""How errors become responses: 404, 409, 422 with every problem, never a submitted value."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from jackfield import WorkflowError, WorkflowProblem
from jackfield_server._api._schemas import ErrorDocument, Problem, ProblemDocument
from jackfield_server._errors import ConflictError, NotFoundError, ServerError

__all__ = [
    "COMMON_RESPONSES",
    "NOT_FOUND",
    "ProblemsError",
    "install_error_handlers",
    "problem_from_workflow",
]

_log = logging.getLogger("jackfield.server")

#: Responses every authenticated route may give, for the OpenAPI document.
COMMON_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorDocument, "description": "The request body cannot be parsed."},
    401: {"model": ErrorDocument, "description": "The API key is missing, unknown or revoked."},
    422: {
        "model": ProblemDocument,
        "description": "The request is invalid; every problem is listed.",
    },
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorDocument, "description": "No such object in the caller's organization."}
}


class ProblemsError(Exception):
    """Raised by a route to answer 422 with ``problems``."""

    def __init__(self, detail: str, problems: Sequence[Problem]) -> None:
        super().__init__(detail)
        self.detail = detail
        self.problems = list(problems)


def problem_from_workflow(problem: WorkflowProblem) -> Problem:
    """The API form of a :class:`~jackfield.WorkflowProblem`."""
    return Problem.model_validate(problem.to_dict())


def _problems_response(detail: str, problems: Sequence[Problem]) -> JSONResponse:
    document = ProblemDocument(detail=detail, problems=list(problems))
    return JSONResponse(status_code=422, content=jsonable_encoder(document))


def _request_problems(exc: RequestValidationError) -> list[Problem]:
    problems = []
    for error in exc.errors():
        loc = [str(part) for part in error.get("loc", ())]
        field = ".".join(loc) or None
        where = f"{field}: " if field else ""
        problems.append(
            Problem(
                kind="request",
                field=field,
                message=f"{where}{error.get('msg', 'invalid')}",
                code=str(error.get("type", "invalid")),
            )
        )
    return problems


def install_error_handlers(app: FastAPI) -> None:
    """Map the server's exceptions to responses on ``app``."""

    async def not_found(_request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse(status_code=404, content={"detail": str(exc)})

    async def conflict(_request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse(status_code=409, content={"detail": str(exc)})

    async def problems(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ProblemsError)
        return _problems_response(exc.detail, exc.problems)

    async def workflow_error(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, WorkflowError)
        found = [problem_from_workflow(p) for p in exc.problems]
        return _problems_response("the workflow definition is invalid", found)

    async def invalid_request(_request: Request, exc: Exception) -> JSONResponse:
        # Pydantic's errors carry the submitted input; only locations and messages go out.
        assert isinstance(exc, RequestValidationError)
        return _problems_response("the request is invalid", _request_problems(exc))

    async def server_error(_request: Request, exc: Exception) -> JSONResponse:
        _log.error("request failed: %s", exc)
        return JSONResponse(status_code=500, content={"detail": str(exc)})

    app.add_exception_handler(NotFoundError, not_found)
    app.add_exception_handler(ConflictError, conflict)
    app.add_exception_handler(ProblemsError, problems)
    app.add_exception_handler(WorkflowError, workflow_error)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(ServerError, server_error)
