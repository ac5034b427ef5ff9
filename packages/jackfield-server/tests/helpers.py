"""Small builders shared by the tests (plain functions, no state)."""

from __future__ import annotations

import uuid

from jackfield_server import Database, SecretBox
from jackfield_server._models import Run
from jackfield_server._store import create_run, create_workflow


async def make_run(database: Database, box: SecretBox, organization_id: uuid.UUID) -> Run:
    """A workflow with one node and a run of it, committed."""
    async with database.transaction() as session:
        workflow = await create_workflow(
            session,
            box,
            organization_id,
            name="w",
            definition={"nodes": [{"id": "n1", "type": "start", "data": {}}], "edges": []},
            sensitive_fields={},
        )
        return await create_run(session, organization_id, workflow.id)
