"""dbt arguments the transform tests share.

About half of a build's nodes are data and unit tests, each one query: on two
busy cores they are half of a build's time. A test case runs them on the
states it asserts on (its first build and its last incremental one); the
builds between only build the models, and the full refresh compared with the
last incremental state row for row needs no tests of its own (equal rows pass
the same tests).
"""

TESTS = ["resource_type:test", "resource_type:unit_test"]
BUILD_MODELS = ["build", "--exclude", *TESTS]
# snapshots keep history: a full refresh would start them again
FULL_REFRESH = ["build", "--full-refresh", "--exclude", "resource_type:snapshot", *TESTS]
