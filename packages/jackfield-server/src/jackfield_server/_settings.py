"""Server settings, read once from the environment.

=========================  ====================================================
``JACKFIELD_DATA_DIR``     where the server keeps its files (default: the
                           per-user data directory given by platformdirs)
``JACKFIELD_DATABASE_URL`` SQLAlchemy URL of the database (default: the SQLite
                           file ``jackfield.db`` in the data directory)
``JACKFIELD_SECRET_KEY``   key(s) that encrypt secrets at rest, comma-separated,
                           newest first (default: a key generated on first
                           start into ``secret.key`` in the data directory)
``JACKFIELD_BROKER_URL``   Celery broker for workers on other machines
                           (default: none; the in-process worker is used)
=========================  ====================================================

An empty variable counts as unset.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

__all__ = ["Settings", "normalize_database_url"]

_SYNC_TO_ASYNC_SCHEMES = {
    "sqlite": "sqlite+aiosqlite",
    "postgresql": "postgresql+asyncpg",
    "postgres": "postgresql+asyncpg",
}


def normalize_database_url(url: str) -> str:
    """Return ``url`` with the async driver the server uses filled in.

    ``sqlite:///x.db`` becomes ``sqlite+aiosqlite:///x.db`` and
    ``postgresql://...`` (or ``postgres://``) becomes ``postgresql+asyncpg://...``;
    a URL that already names a driver is returned unchanged.
    """
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    return f"{_SYNC_TO_ASYNC_SCHEMES.get(scheme, scheme)}://{rest}"


def _sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path.as_posix()}"


@dataclass(frozen=True, slots=True)
class Settings:
    """Where the server keeps its data and how it reaches its services.

    Build one with :meth:`from_env`; construct it directly in tests.
    ``secret_keys`` is empty unless keys were given explicitly, in which case the
    key file in ``data_dir`` is not used. Everything that may hold a password or
    a key is left out of the ``repr``.
    """

    data_dir: Path
    database_url: str = field(repr=False)
    secret_keys: tuple[str, ...] = field(default=(), repr=False)
    broker_url: str | None = field(default=None, repr=False)

    @property
    def secret_key_file(self) -> Path:
        """The file holding the generated secret key when none is configured."""
        return self.data_dir / "secret.key"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read the settings from ``environ`` (default: the process environment)."""
        env = os.environ if environ is None else environ

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        data_dir_value = get("JACKFIELD_DATA_DIR")
        data_dir = (
            Path(data_dir_value).expanduser()
            if data_dir_value
            else platformdirs.user_data_path("jackfield", appauthor=False)
        )
        url = get("JACKFIELD_DATABASE_URL")
        keys = tuple(k.strip() for k in (get("JACKFIELD_SECRET_KEY") or "").split(",") if k.strip())
        return cls(
            data_dir=data_dir,
            database_url=normalize_database_url(url)
            if url
            else _sqlite_url(data_dir / "jackfield.db"),
            secret_keys=keys,
            broker_url=get("JACKFIELD_BROKER_URL"),
        )
