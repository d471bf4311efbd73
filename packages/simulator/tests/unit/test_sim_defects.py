"""The simulator can inject a fault for every quarantine reason, and off means off.

Common defects come at `invalid_rate`; every other reason of the list
(dbt_project/seeds/quarantine_reasons.csv) at `rare_fault_rate`, 0 by
default so a default world is the world it always was. The integration test
tests/integration/transform/test_every_quarantine_reason.py checks each one
reaches quarantine with its reason.
"""

from __future__ import annotations

import json
from collections import Counter

import numpy as np
import pytest

from sinergi.domain.reasons import quarantine_reasons
from sinergi_simulator import build_sources, landing
from sinergi_simulator.config import Messiness
from sinergi_simulator.defects import (
    NOT_AN_OBJECT,
    NOT_INJECTABLE,
    NUL_CHARACTER,
    RARE_REASONS,
    REASONS,
    break_record,
    entity_reasons,
    ghost_nip,
)
from sinergi_simulator.nip import is_valid_nip
from sinergi_simulator.timeline import WORLD_END_MS
from sinergi_simulator.truth import compute_truth

RARE = Messiness(invalid_rate=0.1, rare_fault_rate=0.3)


@pytest.fixture(scope="module")
def rare_world():
    return build_sources(7, 300, RARE)


def simulator_reasons() -> set[str]:
    """Every reason some simulator fault produces: API defects and file-drop rows."""
    api = {reason for entity in REASONS for reason in entity_reasons(entity)}
    return api | set(landing.PARTICIPATION_REASONS) | set(landing.ASSESSMENT_REASONS)


def test_every_listed_reason_has_a_simulator_fault_and_no_fault_is_unlisted() -> None:
    listed = set(quarantine_reasons())
    produced = simulator_reasons()
    assert sorted(listed - produced - set(NOT_INJECTABLE)) == [], "listed, no fault produces it"
    assert sorted(produced - listed) == [], "produced, but not in quarantine_reasons.csv"
    assert not produced & set(NOT_INJECTABLE) and set(NOT_INJECTABLE) <= listed


def test_rare_reasons_are_not_common_ones_of_the_same_entity() -> None:
    for entity, rare in RARE_REASONS.items():
        assert not set(rare) & set(REASONS[entity]), entity
        assert len(set(rare)) == len(rare), entity


def test_a_default_world_has_no_rare_defect() -> None:
    world = build_sources(7, 300).world
    assert world.mess.rare_fault_rate == 0
    for entity in RARE_REASONS:
        assert all(len(part) == 0 for part in world.rare_junk(entity, 1000, 1, 2))


def test_with_rare_faults_every_listed_reason_is_served(rare_world) -> None:
    truth = compute_truth(rare_world, WORLD_END_MS)
    seen = Counter()
    for per_reason in truth["invalid_records"].values():
        seen.update(per_reason)
    assert sorted(set(quarantine_reasons()) - set(NOT_INJECTABLE) - set(seen)) == []


def test_rare_defects_are_what_their_reason_says(rare_world) -> None:
    records = {
        name: [json.loads(r) for r in stream.records(0, stream.total)]
        for name, stream in rare_world.streams.items()
    }
    asn = records["siasn.asn"]
    assert sum(r is None for r in asn) > 0  # NOT_AN_OBJECT
    assert all(
        isinstance(r, dict) for name, rs in records.items() if name != "siasn.asn" for r in rs
    )
    assert any("\x00" in r["nama"] for r in asn if r)
    assert any(r["gender"] == "X" for r in asn if r)
    assert any(
        r["instansi_kode"] in ("99.99", "KL-999", "00") for r in asn if r and "instansi_kode" in r
    )
    assert any("instansi_kode" not in r and "instansi_nama" not in r for r in asn if r)
    trainings = records["bpsdm_kemendagri.trainings"]
    assert any(r["kode_pelatihan"] is None for r in trainings)
    assert any(str(r["jp"]).endswith(" JP") for r in trainings)
    standards = records["bpsdm_kemendagri.competency_standards"]
    assert any(r["level_standar"] not in range(1, 6) for r in standards)
    assert len({r["standar_id"] for r in standards if r["standar_id"]}) == sum(
        1 for r in standards if r["standar_id"]
    )


def test_no_two_rare_records_are_equal(rare_world) -> None:
    """Equal records would share a hash: raw keeps both, staging one (counts would differ)."""
    for name, stream in rare_world.streams.items():
        objects = [r for r in stream.records(0, stream.total) if r != b"null"]
        assert len(set(objects)) == len(objects), name


def test_a_ghost_nip_is_valid_and_held_by_no_asn(rare_world) -> None:
    world = rare_world.world
    nips = np.concatenate([world.asn_block(b).nip for b in range(world.n_blocks)])
    ghosts = [ghost_nip(n) for n in nips.tolist()]
    assert all(is_valid_nip(g) for g in ghosts)
    assert not set(ghosts) & {str(n) for n in nips.tolist()}


def test_break_record_applies_one_defect() -> None:
    record = b'{"nip":"198504122010031001","nama":"Budi","gender":"L","instansi_kode":"35"}'
    assert break_record("asn", NOT_AN_OBJECT, record, 0) == b"null"
    assert json.loads(break_record("asn", NUL_CHARACTER, record, 0))["nama"] == "Budi\x00"
    broken = json.loads(break_record("asn", "unknown_instansi", record, 1))
    assert broken == {**json.loads(record), "instansi_kode": "KL-999"}
