"""Initial schema: organizations, API keys, workflows, runs, completion.

Revision ID: 0001
Revises:
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _timestamp(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _org_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["organization_id"],
        ["organizations.id"],
        name=f"fk_{table}_organization_id_organizations",
        ondelete="CASCADE",
    )


def upgrade() -> None:
    """Create every table of the first schema."""
    op.create_table(
        "organizations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        _timestamp("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_organizations"),
        sa.UniqueConstraint("name", name="uq_organizations_name"),
    )
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        _timestamp("created_at"),
        _timestamp("revoked_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_api_keys"),
        _org_fk("api_keys"),
        sa.UniqueConstraint("prefix", name="uq_api_keys_prefix"),
    )
    op.create_index("ix_api_keys_organization_id", "api_keys", ["organization_id"])
    op.create_table(
        "workflows",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("latest_version", sa.Integer(), nullable=False),
        _timestamp("created_at"),
        _timestamp("updated_at"),
        sa.PrimaryKeyConstraint("id", name="pk_workflows"),
        _org_fk("workflows"),
    )
    op.create_index("ix_workflows_organization_id", "workflows", ["organization_id"])
    op.create_table(
        "workflow_versions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workflow_id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("definition", _json(), nullable=False),
        sa.Column("sensitive_fields", _json(), nullable=False),
        _timestamp("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_workflow_versions"),
        sa.ForeignKeyConstraint(
            ["workflow_id"],
            ["workflows.id"],
            name="fk_workflow_versions_workflow_id_workflows",
            ondelete="CASCADE",
        ),
        _org_fk("workflow_versions"),
        sa.UniqueConstraint(
            "workflow_id", "number", name="uq_workflow_versions_workflow_id_number"
        ),
    )
    op.create_index("ix_workflow_versions_workflow_id", "workflow_versions", ["workflow_id"])
    op.create_index(
        "ix_workflow_versions_organization_id", "workflow_versions", ["organization_id"]
    )
    op.create_table(
        "runs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("workflow_id", sa.Uuid(), nullable=False),
        sa.Column("workflow_version_id", sa.Uuid(), nullable=False),
        sa.Column("workflow_version", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("gathered_context", _json(), nullable=False),
        sa.Column("usage", _json(), nullable=False),
        sa.Column("logs", _json(), nullable=False),
        sa.Column("annotations", _json(), nullable=False),
        sa.Column("public_token", sa.String(64), nullable=True),
        _timestamp("created_at"),
        _timestamp("updated_at"),
        _timestamp("ended_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_runs"),
        _org_fk("runs"),
        sa.ForeignKeyConstraint(
            ["workflow_id"],
            ["workflows.id"],
            name="fk_runs_workflow_id_workflows",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workflow_version_id"],
            ["workflow_versions.id"],
            name="fk_runs_workflow_version_id_workflow_versions",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("public_token", name="uq_runs_public_token"),
    )
    op.create_index("ix_runs_organization_id", "runs", ["organization_id"])
    op.create_index("ix_runs_workflow_id", "runs", ["workflow_id"])
    op.create_index("ix_runs_workflow_version_id", "runs", ["workflow_version_id"])
    op.create_table(
        "completion_jobs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("run_id", sa.Uuid(), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _timestamp("due_at"),
        sa.Column("lease_owner", sa.String(200), nullable=True),
        _timestamp("lease_expires_at", nullable=True),
        sa.Column("last_error", sa.String(200), nullable=True),
        _timestamp("created_at"),
        _timestamp("updated_at"),
        sa.PrimaryKeyConstraint("id", name="pk_completion_jobs"),
        _org_fk("completion_jobs"),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name="fk_completion_jobs_run_id_runs", ondelete="CASCADE"
        ),
        sa.UniqueConstraint("run_id", name="uq_completion_jobs_run_id"),
    )
    op.create_index("ix_completion_jobs_organization_id", "completion_jobs", ["organization_id"])
    op.create_index("ix_completion_jobs_state_due_at", "completion_jobs", ["state", "due_at"])
    op.create_index(
        "ix_completion_jobs_state_lease_expires_at",
        "completion_jobs",
        ["state", "lease_expires_at"],
    )
    op.create_table(
        "completion_results",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("run_id", sa.Uuid(), nullable=False),
        sa.Column("plugin", sa.String(200), nullable=False),
        sa.Column("node_id", sa.String(200), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("result", _json(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _timestamp("retry_at", nullable=True),
        _timestamp("created_at"),
        _timestamp("updated_at"),
        sa.PrimaryKeyConstraint("id", name="pk_completion_results"),
        _org_fk("completion_results"),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name="fk_completion_results_run_id_runs", ondelete="CASCADE"
        ),
        sa.UniqueConstraint(
            "run_id", "plugin", "node_id", name="uq_completion_results_run_id_plugin_node_id"
        ),
    )
    op.create_index(
        "ix_completion_results_organization_id", "completion_results", ["organization_id"]
    )


def downgrade() -> None:
    """Drop every table of the first schema."""
    for table in (
        "completion_results",
        "completion_jobs",
        "runs",
        "workflow_versions",
        "workflows",
        "api_keys",
        "organizations",
    ):
        op.drop_table(table)
