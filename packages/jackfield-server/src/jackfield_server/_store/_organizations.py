"""Organizations: the tenants every other object belongs to."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from jackfield_server._errors import ConflictError, NotFoundError
from jackfield_server._models import Organization

__all__ = [
    "create_organization",
    "find_organization",
    "get_organization",
    "list_organizations",
]


async def create_organization(session: AsyncSession, *, name: str) -> Organization:
    """Create the organization ``name``.

    :raises ConflictError: an organization of that name exists.
    """
    organization = Organization(name=name)
    try:
        async with session.begin_nested():
            session.add(organization)
    except IntegrityError:
        raise ConflictError(f"organization {name!r} already exists") from None
    return organization


async def get_organization(session: AsyncSession, organization_id: uuid.UUID) -> Organization:
    """Return the organization ``organization_id``.

    :raises NotFoundError: there is none.
    """
    organization = await session.get(Organization, organization_id)
    if organization is None:
        raise NotFoundError("organization", organization_id)
    return organization


async def find_organization(session: AsyncSession, name: str) -> Organization:
    """Return the organization called ``name``.

    :raises NotFoundError: there is none.
    """
    query = select(Organization).where(Organization.name == name)
    organization = (await session.execute(query)).scalar_one_or_none()
    if organization is None:
        raise NotFoundError("organization", name)
    return organization


async def list_organizations(session: AsyncSession) -> list[Organization]:
    """Every organization, by name."""
    query = select(Organization).order_by(Organization.name)
    return list((await session.execute(query)).scalars())
