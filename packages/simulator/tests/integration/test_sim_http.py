"""The simulated HTTP sources, read with plain `requests` as a connector would."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterator

import pytest
import requests
from simulator_readers import Reader

from sinergi_simulator import ServeConfig, build_sources, start_simulator
from sinergi_simulator.api import SimulatorHandle
from sinergi_simulator.nip import is_valid_nip

pytestmark = pytest.mark.integration

SEED, N_ASN = 7, 700
FAST = ServeConfig(slow_delay_s=0.5, retry_after_s=0)


@pytest.fixture(scope="module")
def sources():
    return build_sources(SEED, N_ASN)


@pytest.fixture(scope="module")
def sim(sources) -> Iterator[SimulatorHandle]:
    with start_simulator(SEED, N_ASN, sources=sources, serve_config=FAST) as handle:
        yield handle


@pytest.fixture(scope="module")
def served(sim) -> dict[str, list[dict]]:
    return Reader(sim).everything()


@pytest.fixture
def clocked(sources) -> Iterator[SimulatorHandle]:
    """A simulator of its own, so moving its clock does not disturb the other tests."""
    with start_simulator(SEED, N_ASN, sources=sources, serve_config=FAST) as handle:
        yield handle


# ----------------------------------------------------------------- paging
def test_every_endpoint_pages_to_the_end(sim, served, sources):
    for name, stream in sources.streams.items():
        assert len(served[name]) == stream.total, name
    keys = {
        "siasn.asn": None,
        "bpsdm_kemendagri.trainings": "kode_pelatihan",
        "bpsdm_kemendagri.certifications": "sertifikasi_id",
        "bpsdm_kemendagri.competency_assessments": "asesmen_id",
        "kemnaker_corpu.completions": "completion_id",
        "satudata.budgets": "_id",
    }
    for name, key in keys.items():
        if key:
            values = [r[key] for r in served[name]]
            assert len(values) == len(set(values)), f"{name} repeats a {key}"
    for name in ("bpsdm_kemendagri.participations", "bpsdm_kemendagri.trainings"):
        stamps = [r["modified_at"] for r in served[name]]
        assert stamps == sorted(stamps), f"{name} is not ordered by modified_at"


def test_pagination_markers(sim):
    reader = Reader(sim)
    token = {"Authorization": f"Bearer {reader.token()}"}
    first = requests.get(f"{sim.urls['siasn']}/api/v1/asn", params={"limit": 3}, headers=token)
    assert len(first.json()["data"]) == 3 and first.json()["next_cursor"]
    everything = requests.get(
        f"{sim.urls['siasn']}/api/v1/asn", params={"limit": 5000}, headers=token
    ).json()
    assert everything["next_cursor"] is None

    url = f"{sim.urls['bpsdm_kemendagri']}/api/v1/participations"
    key = {"X-API-Key": sim.credentials.kemendagri_api_key}
    page = requests.get(url, params={"offset": 10, "limit": 5}, headers=key).json()
    assert (page["offset"], page["limit"], len(page["data"])) == (10, 5, 5)
    beyond = requests.get(url, params={"offset": page["total"], "limit": 5}, headers=key).json()
    assert beyond["data"] == [] and beyond["total"] == page["total"]
    bad = requests.get(url, params={"limit": "many"}, headers=key)
    assert bad.status_code == 400

    corpu = {"Authorization": f"Bearer {sim.credentials.corpu_token}"}
    curl = f"{sim.urls['kemnaker_corpu']}/api/v1/completions"
    small = requests.get(curl, params={"per_page": 2}, headers=corpu)
    assert small.links["next"]["url"].startswith(sim.urls["kemnaker_corpu"])
    last = requests.get(curl, params={"per_page": 5000}, headers=corpu)
    assert "next" not in last.links

    ckan = requests.get(
        f"{sim.urls['satudata']}/api/3/action/datastore_search",
        params={"resource_id": "anggaran_pengembangan_kompetensi", "limit": 10},
    ).json()
    assert ckan["success"] and ckan["result"]["total"] > 10
    assert ckan["result"]["_links"]["next"].endswith("offset=10")
    assert ckan["result"]["fields"][0]["id"] == "_id"


# ------------------------------------------------------------------- auth
def test_auth_rejects_wrong_credentials(sim):
    urls = sim.urls
    wrong = requests.post(
        f"{urls['siasn']}/oauth/token",
        data={"grant_type": "client_credentials", "client_id": "x", "client_secret": "y"},
    )
    assert wrong.status_code == 401
    basic = requests.post(
        f"{urls['siasn']}/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(sim.credentials.siasn_client_id, sim.credentials.siasn_client_secret),
    )
    assert basic.status_code == 200 and basic.json()["token_type"] == "Bearer"
    assert requests.get(f"{urls['siasn']}/api/v1/asn").status_code == 401
    bogus = {"Authorization": "Bearer not-a-token"}
    assert requests.get(f"{urls['siasn']}/api/v1/asn", headers=bogus).status_code == 401
    kem = f"{urls['bpsdm_kemendagri']}/api/v1/trainings"
    assert requests.get(kem).status_code == 401
    assert requests.get(kem, headers={"X-API-Key": "nope"}).status_code == 401
    corpu = f"{urls['kemnaker_corpu']}/api/v1/completions"
    assert requests.get(corpu, headers={"Authorization": "Bearer nope"}).status_code == 401
    ckan = f"{urls['satudata']}/api/3/action/datastore_search"
    params = {"resource_id": "anggaran_pengembangan_kompetensi"}
    assert requests.get(ckan, params=params, headers={"Authorization": "x"}).status_code == 401
    missing = requests.get(ckan, params={"resource_id": "nope"})
    assert missing.status_code == 404 and missing.json()["success"] is False


# ----------------------------------------------------- clock, incremental
def test_incremental_reads_add_up_to_a_full_read(clocked):
    reader = Reader(clocked)
    clocked.set_clock("2023-06-15T00:00:00Z")
    first = reader.kemendagri("participations", limit=97)
    watermark = max(r["modified_at"] for r in first)
    assert watermark <= "2023-06-15T00:00:00Z"
    asn_first = reader.siasn(limit=101)
    corpu_first = reader.corpu(per_page=89)
    budgets_first = reader.satudata()

    clocked.advance(dt.timedelta(days=300))
    second = reader.kemendagri("participations", limit=97, modified_after=watermark)
    assert second and min(r["modified_at"] for r in second) > watermark
    full = reader.kemendagri("participations", limit=500)
    assert first + second == full

    asn_since = max(r["updated_at"] for r in asn_first)
    asn_second = reader.siasn(limit=101, updated_since=asn_since)
    assert min(r["updated_at"] for r in asn_second) >= asn_since  # inclusive filter
    ids = {json.dumps(r, sort_keys=True) for r in asn_first + asn_second}
    assert ids == {json.dumps(r, sort_keys=True) for r in reader.siasn(limit=5000)}
    changed = [r for r in asn_second if r["updated_at"] > asn_since]
    assert changed, "job changes re-publish ASN after the watermark"

    corpu_since = max(r["completed_at"] for r in corpu_first)
    corpu_second = reader.corpu(per_page=89, updated_since_ms=corpu_since)
    merged = {r["completion_id"]: r for r in corpu_first + corpu_second}
    assert sorted(merged) == sorted(r["completion_id"] for r in reader.corpu(per_page=5000))
    assert len(reader.satudata()) > len(budgets_first)


def test_clock_over_http(clocked):
    url = f"{clocked.urls['satudata']}/_sim/clock"
    moved = requests.post(url, json={"clock": "2023-01-31T00:00:00Z"}).json()
    assert moved["clock"] == "2023-01-31T00:00:00.000Z"
    assert clocked.now == moved["clock"]
    assert Reader(clocked).satudata() == []  # budgets are published in December
    assert requests.post(url, data=b"nonsense").status_code == 400


def test_late_updates_supersede_proses(served):
    by_id: dict[str, list[dict]] = defaultdict(list)
    for record in served["bpsdm_kemendagri.participations"]:
        by_id[record["partisipasi_id"]].append(record)
    updated = [versions for versions in by_id.values() if len(versions) > 1]
    assert updated
    for versions in updated:
        assert versions[0]["hasil"] == "proses" and versions[-1]["hasil"] != "proses"
    pairs = defaultdict(set)
    for record in served["bpsdm_kemendagri.participations"]:
        pairs[(record["nip"], record["kode_pelatihan"])].add(record["pelapor"])
    assert any(p == {"asal", "penyelenggara"} for p in pairs.values())


# ----------------------------------------------------------------- faults
def test_faulty_reads_equal_clean_reads(sources, served):
    config = ServeConfig(slow_delay_s=0.4, retry_after_s=0)
    with start_simulator(SEED, N_ASN, sources=sources, faults=0.3, serve_config=config) as bad:
        reader = Reader(bad, retry=True, timeout=0.25)
        assert reader.siasn(limit=50) == served["siasn.asn"]
        participations = reader.kemendagri("participations", limit=50)
        assert participations == served["bpsdm_kemendagri.participations"]
        assert reader.corpu(per_page=50) == served["kemnaker_corpu.completions"]
        assert reader.satudata(limit=50) == served["satudata.budgets"]
        injected = bad.faults.injected
    assert sum(injected.values()) > 20
    assert all(injected[kind] > 0 for kind in ("429", "slow", "truncate")), injected


def test_a_plain_reader_sees_the_faults(sources):
    with start_simulator(SEED, N_ASN, sources=sources, faults=1.0, serve_config=FAST) as bad:
        url = f"{bad.urls['satudata']}/api/3/action/datastore_search"
        params = {"resource_id": "anggaran_pengembangan_kompetensi", "limit": 5}
        statuses = []
        for _ in range(4):
            try:
                statuses.append(requests.get(url, params=params, timeout=0.3).status_code)
            except requests.RequestException:
                statuses.append("error")
        assert statuses[-1] == 200, "the same request succeeds after max_consecutive_faults"
        assert all(s != 200 for s in statuses[:3])


# ------------------------------------------------------------ determinism
def _digest(handle: SimulatorHandle) -> str:
    reader = Reader(handle)
    digest = hashlib.sha256()
    key = {"X-API-Key": handle.credentials.kemendagri_api_key}
    for entity in ("trainings", "participations", "competency_assessments"):
        for offset in range(0, 3000, 1000):
            digest.update(
                requests.get(
                    f"{handle.urls['bpsdm_kemendagri']}/api/v1/{entity}",
                    params={"offset": offset, "limit": 1000},
                    headers=key,
                ).content
            )
    digest.update(json.dumps(reader.siasn()).encode())
    digest.update(json.dumps(reader.satudata()).encode())
    return digest.hexdigest()


def test_same_seed_same_bytes_other_seed_other_bytes(sim):
    with start_simulator(SEED, N_ASN) as again:  # a fresh world, nothing shared
        assert _digest(again) == _digest(sim)
    with start_simulator(SEED + 1, N_ASN) as other:
        assert _digest(other) != _digest(sim)


# ------------------------------------------------------------------ truth
def _recompute(served: dict[str, list[dict]], variants: dict[str, str]) -> dict:
    """The truth's headline figures, from the served records alone."""
    trainings = {
        t["kode_pelatihan"]: t
        for t in served["bpsdm_kemendagri.trainings"]
        if _real_date(t["tanggal_mulai"]) and t["jp"] >= 0
    }
    asn = {
        r["nip"]: r
        for r in served["siasn.asn"]
        if is_valid_nip(r["nip"]) and _real_date(r["tanggal_lahir"])
    }
    invalid: dict[str, int] = defaultdict(int)
    latest: dict[str, dict] = {}
    for r in served["bpsdm_kemendagri.participations"]:
        if not is_valid_nip(r["nip"]):
            invalid["invalid_nip"] += 1
        elif r["jp_diakui"] < 0:
            invalid["negative_jp"] += 1
        elif r["kode_pelatihan"] not in trainings:
            invalid["unknown_training"] += 1
        else:
            latest[r["partisipasi_id"]] = r
    rank = {"proses": 0, "tidak_lulus": 1, "lulus": 2}
    best: dict[tuple[str, str], dict] = {}
    for r in latest.values():
        key = (r["nip"], r["kode_pelatihan"])
        if key not in best or rank[r["hasil"]] > rank[best[key]["hasil"]]:
            best[key] = r
    count: dict[tuple[str, str], int] = defaultdict(int)
    jp: dict[tuple[str, str], int] = defaultdict(int)
    minutes: dict[tuple[str, str], int] = defaultdict(int)
    for (nip, code), r in best.items():
        inst = r.get("instansi_asal_kode") or variants[r["instansi_asal_nama"]]
        year = trainings[code]["tanggal_mulai"][:4]
        count[(_province(inst), year)] += 1
        jp[(_province(inst), year)] += r["jp_diakui"]
        minutes[(nip, year)] += 45 * r["jp_diakui"]
    for c in served["kemnaker_corpu.completions"]:
        if is_valid_nip(c["learner_nip"]) and c["duration_minutes"] >= 0:
            wib = dt.datetime.fromtimestamp(c["completed_at"] / 1000 + 7 * 3600, dt.UTC)
            minutes[(c["learner_nip"], str(wib.year))] += c["duration_minutes"]
    asn_count: dict[tuple[str, str], int] = defaultdict(int)
    reached: dict[tuple[str, str], int] = defaultdict(int)
    for nip, r in asn.items():
        for year in ("2023", "2024"):
            asn_count[(_province(r["instansi_kode"]), year)] += 1
            reached[(_province(r["instansi_kode"]), year)] += minutes[(nip, year)] >= 900
    return {
        "count": count,
        "jp": jp,
        "asn": asn_count,
        "reached": reached,
        "invalid": dict(invalid),
    }


def _province(code: str) -> str:
    return "pusat" if code.startswith("KL-") else code[:2]


def _real_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _flatten(table: dict[str, dict[str, int]]) -> dict[tuple[str, str], int]:
    return {(p, y): v for p, years in table.items() for y, v in years.items() if v}


def test_truth_matches_what_was_served(sim, served):
    truth = sim.truth(landing=False)
    assert truth["rows_served"]["bpsdm_kemendagri.participations"] == len(
        served["bpsdm_kemendagri.participations"]
    )
    for name, records in served.items():
        assert truth["rows_served"][name] == len(records), name
    mine = _recompute(served, truth["institution_variants"])
    part = truth["participations"]
    assert _flatten(part["distinct_by_province_year"]) == {
        k: v for k, v in mine["count"].items() if v
    }
    assert _flatten(part["total_jp_by_province_year"]) == {k: v for k, v in mine["jp"].items() if v}
    assert _flatten(truth["asn"]["count_by_province_year"]) == dict(mine["asn"])
    assert _flatten(truth["asn"]["reaching_20jp_by_province_year"]) == {
        k: v for k, v in mine["reached"].items() if v
    }
    assert 0 < sum(mine["reached"].values()) < sum(mine["asn"].values()), "some below 20 JP"
    assert truth["invalid_records"]["bpsdm_kemendagri.participations"] == mine["invalid"]

    budgets: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    spelling = truth["funding_source_variants"]
    for row in served["satudata.budgets"]:
        pagu, realisasi = _rupiah(row["pagu"]), _rupiah(row["realisasi"])
        if pagu >= 0 and realisasi >= 0:
            entry = budgets[f"{spelling[row['sumber_dana']]}|{row['tahun']}"]
            entry[0] += pagu
            entry[1] += realisasi
    expected = {
        k: [v["pagu_idr"], v["realisasi_idr"]]
        for k, v in truth["budgets"]["by_source_year"].items()
    }
    assert dict(budgets) == expected

    results: dict[str, int] = defaultdict(int)
    known = set(truth["institution_variants"].values())
    for row in served["bpsdm_kemendagri.certifications"]:
        valid = is_valid_nip(row["nip"]) and _real_date(row["tanggal_sertifikasi"])
        if valid and row["instansi_kode"] in known:
            results[row["hasil"]] += 1
    assert dict(results) == truth["certifications"]["by_result"]


def _rupiah(value: int | str) -> int:
    if isinstance(value, int):
        return value
    text = value.replace("Rp", "").replace(" ", "")
    if text.endswith(",00"):
        text = text[:-3]
    return int(text.replace(".", "").replace(",", ""))


def test_truth_at_an_earlier_clock(clocked):
    clocked.set_clock("2023-09-10T12:00:00Z")
    served = Reader(clocked).everything()
    truth = clocked.truth(landing=False)
    mine = _recompute(served, truth["institution_variants"])
    assert truth["world"]["years"] == [2023]
    assert _flatten(truth["participations"]["distinct_by_province_year"]) == {
        k: v for k, v in mine["count"].items() if v
    }
    assert truth["rows_served"]["satudata.budgets"] == 0
