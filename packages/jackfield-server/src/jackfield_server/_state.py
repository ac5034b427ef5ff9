"""What a running server holds: settings, database, secret box, plugin host, waker."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from jackfield.host import PluginHost
from jackfield_server._auth_cache import AuthCache
from jackfield_server._crypto import SecretBox
from jackfield_server._database import Database
from jackfield_server._secret_key import load_secret_box
from jackfield_server._settings import Settings

__all__ = ["CompletionWaker", "ServerState"]

#: Told that completion work is due in so many seconds (0: now). The in-process
#: worker wakes up; with Celery, a task is sent. Never raises.
CompletionWaker = Callable[[float], None]


def _no_waker(_delay_s: float) -> None:
    """Nobody to wake: a worker elsewhere polls the database."""


@dataclass(slots=True)
class ServerState:
    """Everything one server (or worker) process shares between requests and jobs.

    :param settings: the server settings.
    :param host: the plugin host whose plugins run.
    :param database: the database, not necessarily migrated yet.
    :param box: encrypts and decrypts secrets at rest.
    :param wake_completion: called after a completion job was queued.
    :param auth_cache: API keys checked recently (``settings.auth_cache_s``).
    """

    settings: Settings
    host: PluginHost
    database: Database
    box: SecretBox
    wake_completion: CompletionWaker = field(default=_no_waker)
    auth_cache: AuthCache = field(default_factory=lambda: AuthCache(0))

    @classmethod
    def from_settings(
        cls, settings: Settings, host: PluginHost, database: Database | None = None
    ) -> ServerState:
        """The state a server of ``settings`` runs on, with nobody to wake yet.

        :param database: an open database (default: opened from
            ``settings.database_url``; the caller disposes of it).
        :raises ServerConfigError: the secret key (``JACKFIELD_SECRET_KEY`` or
            the key file) cannot be used.
        """
        if database is None:
            database = Database.connect(settings.database_url)
        box = load_secret_box(settings)
        return cls(settings, host, database, box, auth_cache=AuthCache(settings.auth_cache_s))
