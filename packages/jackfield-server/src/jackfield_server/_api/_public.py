"""``/public/runs/{token}/...``: a run's transcript and recording, without an API key.

The run's public token is the permission: anyone holding the link can fetch
the artifact, which is what lets an external service (an observability tool,
a webhook receiver) download it later.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Response

from jackfield_server._api._deps import StateDep
from jackfield_server._api._schemas import ErrorDocument, ProblemDocument
from jackfield_server._models import ArtifactKind
from jackfield_server._store import find_public_run_artifact

__all__ = ["public_router"]

Token = Annotated[str, Path(min_length=16, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
_MISSING: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorDocument, "description": "No run has that token, or it has no such file."},
    422: {"model": ProblemDocument, "description": "The token is malformed."},
}


async def _artifact(state: StateDep, token: str, kind: ArtifactKind) -> Response:
    async with state.database.transaction() as session:
        artifact = await find_public_run_artifact(session, token, kind)
        media_type, content = artifact.media_type, artifact.content
    return Response(
        content=content,
        media_type=media_type,
        headers={"Cache-Control": "private, max-age=300", "X-Content-Type-Options": "nosniff"},
    )


def public_router() -> APIRouter:
    """The public download routes."""
    router = APIRouter(prefix="/public/runs", tags=["public"])

    @router.get(
        "/{token}/transcript",
        response_class=Response,
        responses={
            200: {"content": {"application/json": {}}, "description": "The transcript."},
            **_MISSING,
        },
        summary="Download a run's transcript",
    )
    async def transcript(token: Token, state: StateDep) -> Response:
        """The call's transcript as JSON: speech turns and tool calls, in order."""
        return await _artifact(state, token, ArtifactKind.TRANSCRIPT)

    @router.get(
        "/{token}/recording",
        response_class=Response,
        responses={
            200: {
                "content": {"audio/*": {}, "video/*": {}},
                "description": "The recording.",
            },
            **_MISSING,
        },
        summary="Download a run's recording",
    )
    async def recording(token: Token, state: StateDep) -> Response:
        """The call's recording as it was uploaded with the run; 404 if there is none."""
        return await _artifact(state, token, ArtifactKind.RECORDING)

    return router
