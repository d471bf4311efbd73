"""Fixtures of the security tests: the pipeline run once with a canary NIP key."""

from secured_world import secured_world  # noqa: F401
