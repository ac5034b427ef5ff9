"""Where the secret key comes from: the settings, or a file made on first start."""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from pathlib import Path

from jackfield_server._crypto import SecretBox
from jackfield_server._errors import ServerConfigError
from jackfield_server._settings import Settings

__all__ = ["load_or_create_key_file", "load_secret_box"]


def load_secret_box(settings: Settings) -> SecretBox:
    """Return the :class:`SecretBox` for ``settings``.

    Uses ``settings.secret_keys`` when given; otherwise the key file in the data
    directory, created with a fresh key on first start (see
    :func:`load_or_create_key_file`).
    """
    if settings.secret_keys:
        return SecretBox(settings.secret_keys, source="JACKFIELD_SECRET_KEY")
    path = settings.secret_key_file
    return SecretBox([load_or_create_key_file(path)], source=f"secret key file {path}")


def load_or_create_key_file(path: Path) -> str:
    """Return the key stored in ``path``, creating the file if it does not exist.

    A new file gets a fresh random key and owner-only permissions (0600), and its
    directory is created owner-only (0700). Creation is atomic: two servers
    starting at once end up with the same key. On POSIX systems an existing file
    that other users can read is refused.

    :raises ServerConfigError: the file is readable by others, or empty.
    """
    if not path.exists():
        _create_key_file(path)
    if os.name == "posix":
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            raise ServerConfigError(
                f"secret key file {path} is accessible to other users "
                f"(mode {mode:o}); run `chmod 600 {path}`"
            )
    key = path.read_text(encoding="ascii").strip()
    if not key:
        raise ServerConfigError(f"secret key file {path} is empty")
    return key


def _create_key_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(SecretBox.generate_key() + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):  # another process created it first
            os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
