"""Loading one row of one organization, or failing with NotFoundError."""

from __future__ import annotations

import uuid
from typing import Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from jackfield_server._errors import NotFoundError

__all__ = ["load_scoped"]


class _OrgScoped(Protocol):
    id: InstrumentedAttribute[uuid.UUID]
    organization_id: InstrumentedAttribute[uuid.UUID]


_T = TypeVar("_T")


async def load_scoped(
    session: AsyncSession,
    model: type[_T],
    organization_id: uuid.UUID,
    object_id: uuid.UUID,
    *,
    kind: str,
    for_update: bool = False,
) -> _T:
    """Return the ``model`` row ``object_id`` if it belongs to ``organization_id``.

    :param for_update: lock the row until the transaction ends (PostgreSQL).
    :raises NotFoundError: no such row in that organization.
    """
    columns: _OrgScoped = model  # type: ignore[assignment]
    query = select(model).where(columns.id == object_id, columns.organization_id == organization_id)
    if for_update:
        query = query.with_for_update()
    row = (await session.execute(query)).scalar_one_or_none()
    if row is None:
        raise NotFoundError(kind, object_id)
    return row
