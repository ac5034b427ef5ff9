"""Worker identities: unique per process, readable in the jobs table."""

from __future__ import annotations

import os
import secrets
import socket

__all__ = ["new_worker_id"]


def new_worker_id(kind: str) -> str:
    """``kind@host:pid:random``: which worker holds a lease, and a fresh one per start."""
    return f"{kind}@{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
