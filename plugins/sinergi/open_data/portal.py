"""`sinergi open-data publish`: the export pushed to a CKAN portal, idempotently.

Per dataset of the export's `metadata.json`: the package is found by name
(`package_show`) and created (`package_create`) or patched (`package_patch`);
its CSV resource is found by name in the package and created
(`resource_create`) or patched (`resource_patch`); the DataStore table is
declared with the mart's key as primary key (`datastore_create`) and the rows
are upserted on it (`datastore_upsert`, method `upsert`). Rows the portal
holds that the export no longer has are deleted (`datastore_delete`). A
resource whose `hash` already equals the CSV's digest is left as it is, so a
re-run changes nothing, and never duplicates a package, resource or row.

The portal and its key come from the Airflow Connection
`sinergi_open_data_portal`: `host` the portal's URL, `password` the API key
(token), `extra.owner_org` the organisation owning the datasets.
"""

from __future__ import annotations

import csv
import io
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sinergi.ingestion.connections import ConnectionInfo
from sinergi.open_data.ckan import CkanClient
from sinergi.open_data.export import METADATA_FILE
from sinergi.open_data.metadata import LICENSE

log = logging.getLogger(__name__)

BATCH_ROWS = 1000
DATASTORE_TYPES = {
    "integer": "int",
    "bigint": "int",
    "smallint": "int",
    "numeric": "numeric",
    "double precision": "float",
    "real": "float",
    "boolean": "bool",
    "date": "date",
}


class ExportNotFound(FileNotFoundError):
    """No export to publish."""


@dataclass
class PublishResult:
    created: list[str] = field(default_factory=list)  # packages
    updated: list[str] = field(default_factory=list)  # packages whose rows changed
    unchanged: list[str] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    deleted_rows: dict[str, int] = field(default_factory=dict)


def client_for(connection: ConnectionInfo) -> CkanClient:
    if not connection.base_url:
        raise ValueError(f"connection {connection.conn_id!r} has no host (the portal's URL)")
    return CkanClient(connection.base_url, connection.password)


def read_export(export_dir: Path) -> dict[str, Any]:
    path = export_dir / METADATA_FILE
    if not path.exists():
        raise ExportNotFound(
            f"no export in {export_dir} ({METADATA_FILE} missing): run `sinergi open-data export`"
        )
    return dict(json.loads(path.read_text(encoding="utf-8")))


def publish_export(
    client: CkanClient, export_dir: Path, *, owner_org: str | None = None
) -> PublishResult:
    """Push every dataset of the export in `export_dir` to the portal."""
    metadata = read_export(export_dir)
    result = PublishResult()
    for dataset in metadata["dataset"]:
        _publish_dataset(client, export_dir, metadata, dataset, owner_org, result)
    return result


def package_fields(metadata: dict[str, Any], dataset: dict[str, Any]) -> dict[str, Any]:
    """The package as CKAN stores it: Satu Data's elements as extras."""
    periode = dataset["periode"]
    extras = {
        "standar": metadata["standar"],
        "produsen_data": dataset["produsen_data"],
        "periode": f"{periode['tahun_awal']}-{periode['tahun_akhir']}" if periode else "",
        "frekuensi": dataset["frekuensi"],
        "tingkat_penyajian": dataset["tingkat_penyajian"],
        "satuan_observasi": dataset["satuan_observasi"],
        "kode_wilayah": dataset["kode_wilayah"] or "",
        "kunci": ",".join(dataset["kunci"]),
        "ambang_sel_kecil": str(metadata["penekanan_sel_kecil"]["ambang"]),
    }
    return {
        "name": dataset["nama"],
        "title": dataset["judul"],
        "notes": dataset["deskripsi"],
        "author": dataset["produsen_data"],
        "license_id": metadata.get("lisensi", LICENSE),
        "tags": [{"name": "sinergi"}, {"name": "asn"}],
        "extras": [{"key": k, "value": v} for k, v in extras.items() if v],
    }


def datastore_fields(dataset: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "id": variable["nama"],
            "type": DATASTORE_TYPES.get(variable["tipe"], "text"),
            "info": {"label": variable["nama"], "notes": variable["definisi"]},
        }
        for variable in dataset["variabel"]
    ]


def records(dataset: dict[str, Any], text: str) -> list[dict[str, Any]]:
    """The CSV's rows as DataStore records: empty is null, integers and booleans typed,
    numerics kept as their exact text."""
    types = {v["nama"]: DATASTORE_TYPES.get(v["tipe"], "text") for v in dataset["variabel"]}
    out = []
    for row in csv.DictReader(io.StringIO(text)):
        record: dict[str, Any] = {}
        for name, value in row.items():
            kind = types.get(name, "text")
            if value == "":
                record[name] = None
            elif kind == "int":
                record[name] = int(value)
            elif kind == "bool":
                record[name] = value == "true"
            else:
                record[name] = value
        out.append(record)
    return out


def _publish_dataset(
    client: CkanClient,
    export_dir: Path,
    metadata: dict[str, Any],
    dataset: dict[str, Any],
    owner_org: str | None,
    result: PublishResult,
) -> None:
    name, file = dataset["nama"], dataset["berkas"]
    fields = package_fields(metadata, dataset)
    if owner_org:
        fields["owner_org"] = owner_org
    package = client.package_show(name)
    if package is None:
        package = client.call("package_create", fields)
        result.created.append(name)
    else:
        package = client.call("package_patch", {"id": package["id"], **fields})
    resource_fields = {
        "name": file["nama"],
        "description": dataset["deskripsi"],
        "format": "CSV",
        "mimetype": file["media_type"],
        "url_type": "datastore",
        "url": "",
    }
    resource = next(
        (r for r in package.get("resources", []) if r.get("name") == file["nama"]), None
    )
    if resource is not None and resource.get("hash") == file["sha256"]:
        if name not in result.created:
            result.unchanged.append(name)
        result.rows[name] = file["baris"]
        return
    if resource is None:
        resource = client.call("resource_create", {"package_id": package["id"], **resource_fields})
    key = list(dataset["kunci"])
    client.call(
        "datastore_create",
        {
            "resource_id": resource["id"],
            "force": True,
            "fields": datastore_fields(dataset),
            "primary_key": key,
        },
    )
    rows = records(dataset, (export_dir / file["nama"]).read_text(encoding="utf-8"))
    for start in range(0, len(rows), BATCH_ROWS):
        client.call(
            "datastore_upsert",
            {
                "resource_id": resource["id"],
                "force": True,
                "method": "upsert",
                "records": rows[start : start + BATCH_ROWS],
            },
        )
    deleted = _delete_stale(client, resource["id"], key, rows)
    # the digest last: an interrupted push is redone in full by the next run
    client.call("resource_patch", {"id": resource["id"], **resource_fields, "hash": file["sha256"]})
    if name not in result.created:
        result.updated.append(name)
    result.rows[name] = len(rows)
    if deleted:
        result.deleted_rows[name] = deleted
    log.info("open data: %s: %d rows upserted, %d stale deleted", name, len(rows), deleted)


def _delete_stale(
    client: CkanClient, resource_id: str, key: list[str], rows: list[dict[str, Any]]
) -> int:
    """Delete the portal's rows whose key the export no longer has."""
    wanted = {tuple(row[k] for k in key) for row in rows}
    stale = [
        record
        for record in client.search_all(resource_id, key)
        if tuple(record.get(k) for k in key) not in wanted
    ]
    for record in stale:
        client.call(
            "datastore_delete",
            {"resource_id": resource_id, "force": True, "filters": {k: record[k] for k in key}},
        )
    return len(stale)
