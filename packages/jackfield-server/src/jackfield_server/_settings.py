"""Server settings, read once from the environment.

================================  ============================================
``JACKFIELD_DATA_DIR``            where the server keeps its files (default:
                                  the per-user data directory, platformdirs)
``JACKFIELD_DATABASE_URL``        SQLAlchemy URL of the database (default: the
                                  SQLite file ``jackfield.db`` in the data
                                  directory)
``JACKFIELD_SECRET_KEY``          key(s) that encrypt secrets at rest,
                                  comma-separated, newest first (default: a
                                  key generated on first start into
                                  ``secret.key`` in the data directory)
``JACKFIELD_BROKER_URL``          Celery broker; when set, completion runs in
                                  ``jackfield worker`` processes (default:
                                  none; the in-process worker is used)
``JACKFIELD_BROKER_QUEUE``        the Celery queue completion tasks go to
                                  (default ``jackfield``)
``JACKFIELD_PUBLIC_URL``          the server's address as others reach it, for
                                  public download links (default: none;
                                  ``jackfield serve`` fills in its own)
``JACKFIELD_AUTH_CACHE_S``        seconds a server trusts an API key it has
                                  checked before asking the database again
                                  (default 5; 0: ask on every request)
``JACKFIELD_WORKER_LEASE_S``      seconds a worker holds a job before another
                                  may take it over (default 60; renewed while
                                  the worker is alive)
``JACKFIELD_WORKER_CONCURRENCY``  jobs one in-process worker runs at once
                                  (default 4)
``JACKFIELD_WORKER_POLL_S``       seconds between looks for due jobs when
                                  nothing wakes the worker (default 1)
``JACKFIELD_MAX_JOB_ATTEMPTS``    claims of one job (retries included)
                                  before it is dead-lettered (default 25)
================================  ============================================

An empty variable counts as unset.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import platformdirs

from jackfield_server._errors import ServerConfigError

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
    broker_queue: str = "jackfield"
    public_url: str | None = None
    auth_cache_s: float = 5.0
    worker_lease_s: float = 60.0
    worker_concurrency: int = 4
    worker_poll_s: float = 1.0
    max_job_attempts: int = 25

    def __post_init__(self) -> None:
        for name, minimum in (
            ("auth_cache_s", 0.0),
            ("worker_lease_s", 0.5),
            ("worker_concurrency", 1),
            ("worker_poll_s", 0.01),
            ("max_job_attempts", 1),
        ):
            if getattr(self, name) < minimum:
                raise ServerConfigError(f"Settings.{name} must be at least {minimum}")

    @property
    def public_base_url(self) -> str | None:
        """Where public run artifacts are served (``<public_url>/api/v1/public/runs``)."""
        if self.public_url is None:
            return None
        return f"{self.public_url.rstrip('/')}/api/v1/public/runs"

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
            broker_queue=get("JACKFIELD_BROKER_QUEUE") or "jackfield",
            public_url=get("JACKFIELD_PUBLIC_URL"),
            auth_cache_s=_number(get, "JACKFIELD_AUTH_CACHE_S", float, 5.0),
            worker_lease_s=_number(get, "JACKFIELD_WORKER_LEASE_S", float, 60.0),
            worker_concurrency=_number(get, "JACKFIELD_WORKER_CONCURRENCY", int, 4),
            worker_poll_s=_number(get, "JACKFIELD_WORKER_POLL_S", float, 1.0),
            max_job_attempts=_number(get, "JACKFIELD_MAX_JOB_ATTEMPTS", int, 25),
            data_dir=data_dir,
            database_url=normalize_database_url(url)
            if url
            else _sqlite_url(data_dir / "jackfield.db"),
            secret_keys=keys,
            broker_url=get("JACKFIELD_BROKER_URL"),
        )


_N = TypeVar("_N", int, float)


def _number(
    get: Callable[[str], str | None], name: str, kind: Callable[[str], _N], default: _N
) -> _N:
    value = get(name)
    if value is None:
        return default
    try:
        return kind(value)
    except ValueError:
        expected = "an integer" if kind is int else "a number"
        raise ServerConfigError(f"{name} must be {expected}") from None
