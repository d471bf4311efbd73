"""Registry validation: each rule between fields (what a kind requires, what may not be
zero, names) refuses a registry with a message naming the source, entity and field.
Typos and unknown keys: test_registry.py and test_hostile_values.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from sinergi.ingestion.registry import RegistryError, parse_registry

REST = """
sources:
  lms:
    kind: rest_json
    description: an LMS
    connection: lms_conn
    auth: {type: oauth2_client_credentials, token_path: /oauth/token}
    pagination: {type: link, page_size: 50}
    records_path: ""
    entities:
      completions:
        path: /completions
        primary_key: completion_id
        incremental: {field: completed_at, param: since_ms}
"""

CKAN = """
sources:
  portal:
    kind: ckan_datastore
    description: a CKAN portal
    base_url: http://portal.test/
    pagination: {type: ckan}
    entities:
      budgets:
        resource_id: r-1
        primary_key: _id
"""

FILE_DROP = """
sources:
  uploads:
    kind: file_drop
    description: regional uploads
    entities:
      reports:
        primary_key: _row
"""


def test_each_kind_parses_with_its_defaults() -> None:
    rest = parse_registry(REST, Path("s.yml")).source("lms")
    assert (rest.records_path, rest.auth.token_path, rest.base_url) == ("", "/oauth/token", None)
    portal = parse_registry(CKAN, Path("s.yml")).source("portal")
    assert portal.base_url == "http://portal.test"  # the trailing slash dropped
    assert portal.pagination is not None and portal.pagination.page_size == 1000
    uploads = parse_registry(FILE_DROP, Path("s.yml")).source("uploads")
    assert (uploads.pagination, uploads.connection, uploads.landing_dir) == (None, None, "landing")
    assert (uploads.max_file_mb, uploads.max_unpacked_mb) == (50, 500)


# (registry, text replaced, replacement, what the error says)
_CASES = [
    (REST, "    connection: lms_conn\n", "", r"'lms': field 'connection' \(or 'base_url'\)"),
    (REST, "    pagination: {type: link, page_size: 50}\n", "", "'pagination' is required"),
    (REST, "page_size: 50", "page_size: 0", "field 'page_size' must be positive"),
    (REST, "page_size: 50", "page_size: true", "field 'page_size' must be int, got True"),
    (REST, "type: link", "type: pages", "'type' is 'pages', expected one of cursor, offset"),
    (REST, ", token_path: /oauth/token}", "}", "'token_path' is required for oauth2_client"),
    (REST, "auth: {type: oauth2_client_credentials,", "auth: {type: api_key,", "'header' is req"),
    (REST, "credentials,", "credential,", r"did you mean 'oauth2_client_credentials'\?"),
    (REST, "param: since_ms}", "since: since_ms}", "'incremental': field 'param' is required"),
    (REST, "        path: /completions\n", "", "entity 'completions': field 'path' is required"),
    (REST, "      completions:", "      Completions:", "entity name must be lower snake case"),
    (REST, "  lms:", "  LMS-v2:", "the name must be lower snake case"),
    (CKAN, "{type: ckan}", "{type: offset}", "'pagination.type': must be 'ckan'"),
    (CKAN, "        resource_id: r-1\n", "", "'resource_id' is required for ckan_datastore"),
    (FILE_DROP, "    entities:", "    max_file_mb: -1\n    entities:", "'max_file_mb' must be pos"),
    (FILE_DROP, "      reports:\n        primary_key: _row\n", "      {}\n", "'entities' is empty"),
    (FILE_DROP, "        primary_key: _row\n", "        - _row\n", "expected a mapping, got list"),
    (FILE_DROP, "sources:\n  uploads:", "sources: {}\nx:\n  uploads:", "unknown field 'x'"),
]


@pytest.mark.parametrize(("registry", "old", "new", "message"), _CASES)
def test_a_broken_rule_names_where_it_is(registry: str, old: str, new: str, message: str) -> None:
    broken = registry.replace(old, new)
    assert broken != registry, "the test's edit did not apply"
    with pytest.raises(RegistryError, match=message):
        parse_registry(broken, Path("s.yml"))


def test_a_registry_without_sources_is_refused() -> None:
    with pytest.raises(RegistryError, match=r"s\.yml: field 'sources' is empty"):
        parse_registry("sources: {}\n", Path("s.yml"))
