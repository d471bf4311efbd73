"""The simulated portal answers writes as CKAN does: what it accepts, what it refuses and how."""

from __future__ import annotations

from typing import Any

import pytest

from sinergi_simulator.ckan_portal import CkanError, CkanPortal

KEY = "portal-key"


@pytest.fixture
def portal() -> CkanPortal:
    return CkanPortal(KEY, lambda: "http://portal")


def call(portal: CkanPortal, action: str, data: dict[str, Any], key: str | None = KEY) -> Any:
    return portal.call(action, "POST", data, key)


def refused(portal: CkanPortal, action: str, data: dict[str, Any], **kw: Any) -> CkanError:
    with pytest.raises(CkanError) as caught:
        call(portal, action, data, **kw)
    return caught.value


def table(portal: CkanPortal) -> str:
    package = call(portal, "package_create", {"name": "sinergi-x", "title": "X"})
    resource = call(
        portal,
        "resource_create",
        {"package_id": package["id"], "name": "x.csv", "url_type": "datastore"},
    )
    call(
        portal,
        "datastore_create",
        {
            "resource_id": resource["id"],
            "fields": [{"id": "kode", "type": "text"}, {"id": "n", "type": "int"}],
            "primary_key": ["kode"],
        },
    )
    return str(resource["id"])


def test_writes_need_the_key_and_post(portal: CkanPortal) -> None:
    for key in (None, "wrong"):
        error = refused(portal, "package_create", {"name": "sinergi-x"}, key=key)
        assert error.status == 403 and error.error["__type"] == "Authorization Error"
    with pytest.raises(CkanError) as caught:
        portal.call("package_create", "GET", {"name": "sinergi-x"}, KEY)
    assert caught.value.status == 400
    assert portal.call("package_list", "GET", {}, None) == []  # reads are public


def test_package_names_are_validated_and_unique(portal: CkanPortal) -> None:
    assert refused(portal, "package_create", {"name": "Not Valid"}).error["name"]
    call(portal, "package_create", {"name": "sinergi-x"})
    error = refused(portal, "package_create", {"name": "sinergi-x"})
    assert error.status == 409 and error.error == {
        "__type": "Validation Error",
        "name": ["That URL is already in use."],
    }
    missing = refused(portal, "package_show", {"id": "sinergi-y"})
    assert missing.status == 404 and missing.error["__type"] == "Not Found Error"


def test_upsert_updates_by_key_insert_refuses_a_duplicate_update_a_missing_key(
    portal: CkanPortal,
) -> None:
    resource = table(portal)
    records = [{"kode": "35", "n": 7}, {"kode": "95", "n": 12}]
    call(portal, "datastore_upsert", {"resource_id": resource, "records": records})
    call(
        portal, "datastore_upsert", {"resource_id": resource, "records": [{"kode": "95", "n": 13}]}
    )
    found = call(portal, "datastore_search", {"resource_id": resource})
    assert [(r["kode"], r["n"]) for r in found["records"]] == [("35", 7), ("95", 13)]
    assert found["total"] == 2
    insert = {"resource_id": resource, "method": "insert", "records": [{"kode": "35", "n": 1}]}
    assert refused(portal, "datastore_upsert", insert).status == 409
    update = {"resource_id": resource, "method": "update", "records": [{"kode": "11", "n": 1}]}
    assert refused(portal, "datastore_upsert", update).error["key"]
    # nothing of a refused batch is applied
    assert call(portal, "datastore_search", {"resource_id": resource})["total"] == 2


def test_bad_records_are_validation_errors(portal: CkanPortal) -> None:
    resource = table(portal)
    for records, field in (
        ([{"n": 1}], "key"),
        ([{"kode": "35", "extra": 1}], "records"),
        ([{"kode": "35", "n": "seven"}], "records"),
    ):
        error = refused(portal, "datastore_upsert", {"resource_id": resource, "records": records})
        assert error.status == 409 and field in error.error, records
    change = {"resource_id": resource, "fields": [{"id": "n", "type": "text"}]}
    assert refused(portal, "datastore_create", change).error["fields"]
    unknown = refused(portal, "datastore_upsert", {"resource_id": "nope", "records": []})
    assert unknown.status == 404


def test_a_resource_not_of_the_datastore_is_read_only_unless_forced(portal: CkanPortal) -> None:
    package = call(portal, "package_create", {"name": "sinergi-x"})
    resource = call(portal, "resource_create", {"package_id": package["id"], "name": "x.csv"})
    create = {"resource_id": resource["id"], "fields": [{"id": "kode"}]}
    assert "read-only" in refused(portal, "datastore_create", create).error
    assert call(portal, "datastore_create", {**create, "force": True})["fields"]


def test_delete_by_filter_and_the_dump_url(portal: CkanPortal) -> None:
    resource = table(portal)
    records = [{"kode": "35", "n": 7}, {"kode": "95", "n": 12}]
    call(portal, "datastore_upsert", {"resource_id": resource, "records": records})
    call(portal, "datastore_delete", {"resource_id": resource, "filters": {"kode": "35"}})
    found = call(portal, "datastore_search", {"resource_id": resource})
    assert [r["kode"] for r in found["records"]] == ["95"]
    shown = call(portal, "resource_show", {"id": resource})
    assert shown["url"] == f"http://portal/datastore/dump/{resource}"
    assert shown["datastore_active"] is True
