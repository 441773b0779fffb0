"""Job kinds by name; features register theirs at app creation."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

JOB_KINDS: dict[str, Callable[[Any], dict | None]] = {}


def job_kind(name: str):
    """Register ``fn(ctx) -> result dict`` as the job kind ``name``."""
    def decorate(fn):
        if JOB_KINDS.get(name, fn) is not fn:
            raise ValueError(f"job kind {name} registered twice")
        JOB_KINDS[name] = fn
        return fn
    return decorate
