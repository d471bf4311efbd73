"""The error a domain rule raises on a value it cannot read."""

from __future__ import annotations


class ValueProblem(ValueError):
    """A value the contract cannot read; the message says why."""
