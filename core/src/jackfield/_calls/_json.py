"""Plain-JSON copies of values plugins hand back (snapshots, results, annotations)."""

from __future__ import annotations

import json
from typing import Any

__all__ = ["json_copy"]


def json_copy(value: Any) -> Any:
    """Return a plain-JSON deep copy of ``value``; raise if it is not JSON data.

    :raises TypeError | ValueError: for a value JSON cannot hold (an object,
        NaN, infinity, a circular reference).
    """
    return json.loads(json.dumps(value, allow_nan=False))
