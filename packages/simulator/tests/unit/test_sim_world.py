"""World-level properties of the simulator: NIPs, streams and timestamps (no servers)."""

from __future__ import annotations

import numpy as np
import pytest

from sinergi_simulator import build_sources, entities
from sinergi_simulator.nip import is_valid_nip, mangle
from sinergi_simulator.streams import Stream
from sinergi_simulator.timeline import N_PERIODS, parse_timestamp
from sinergi_simulator.world import BLOCK


@pytest.fixture(scope="module")
def sources():
    return build_sources(3, BLOCK * 2 + 123)  # three blocks, the last one partial


def _all_nips(sources) -> np.ndarray:
    return np.concatenate([sources.world.asn_block(b).nip for b in range(sources.world.n_blocks)])


def test_every_nip_is_valid_and_unique(sources):
    nips = _all_nips(sources)
    assert len(nips) == sources.world.n_asn
    assert len(np.unique(nips)) == len(nips)
    assert all(is_valid_nip(str(n)) for n in nips.tolist())


def test_pns_nips_follow_the_date_rule_and_pppk_do_not(sources):
    for b in range(sources.world.n_blocks):
        block = sources.world.asn_block(b)
        for nip, status in zip(block.nip.tolist(), block.status.tolist(), strict=True):
            text = str(nip)
            month = int(text[12:14])
            if status == 1:  # PPPK
                assert month in (21, 22)
            else:
                assert 1 <= month <= 12 and text[14] in "12"
                assert text[8:14] > text[:6]  # CPNS start after birth month


def test_every_mangled_nip_is_invalid(sources):
    for nip in _all_nips(sources)[:500].tolist():
        for how in range(5):
            assert not is_valid_nip(mangle(nip, how)), (nip, how)


def test_nip_rule_edge_cases():
    assert is_valid_nip("19850315 201001 1 002")  # spaces as BKN prints them
    assert not is_valid_nip(198503152010011002)  # a number is not a NIP
    assert not is_valid_nip("19850231" + "201001" + "1002")  # 31 February
    assert not is_valid_nip("19850315" + "198001" + "1002")  # start before birth
    assert is_valid_nip("19850315" + "2021" + "21" + "0002")  # PPPK form
    assert not is_valid_nip("19850315" + "1980" + "21" + "0002")  # PPPK before birth


def test_stream_count_until_matches_timestamps(sources):
    stream = sources.participations
    stamps = np.concatenate(
        [
            stream.chunk_timestamps(p, b)
            for p in range(N_PERIODS)
            for b in range(stream.counts.shape[1])
        ]
    )
    assert (np.diff(stamps) > 0).all(), "timestamps strictly increase along the stream"
    for probe in [stamps[0] - 1, stamps[0], stamps[17], stamps[17] + 1, stamps[-1], 10**14]:
        assert stream.count_until(int(probe)) == int((stamps <= probe).sum())
    assert stream.timestamp_of(17) == stamps[17]


def test_records_are_the_chunks_in_order(sources):
    stream: Stream = sources.certifications
    whole = [r for _, _, chunk in stream.iter_chunks() for r in chunk]
    assert stream.records(0, stream.total) == whole
    assert stream.records(5, 9) == whole[5:9]


def test_the_core_of_a_block_is_the_full_block_without_names(sources):
    world = sources.world
    for block in range(world.n_blocks):
        full, core = world._make_asn_block(block, True), world._make_asn_block(block, False)
        for name in ("inst", "nip", "job", "propensity", "lms_user"):
            np.testing.assert_array_equal(getattr(core, name), getattr(full, name), err_msg=name)


def test_a_page_is_the_records_joined(sources):
    stream: Stream = sources.participations
    first_chunk = int(stream.counts[stream.counts > 0][0])
    for start, stop in [(0, 1), (first_chunk - 3, first_chunk + 5), (10, 10), (0, stream.total)]:
        assert stream.page(start, stop) == b",".join(stream.records(start, stop))
    assert stream.page(stream.total - 2, stream.total + 50).count(b"partisipasi_id") == 2


def test_the_catalogue_does_not_depend_on_its_chunking(sources, monkeypatch):
    whole = sources.trainings.records(0, sources.trainings.total)
    monkeypatch.setattr(entities, "TRAINING_BLOCK", 7)
    cut = build_sources(3, BLOCK * 2 + 123).trainings
    assert cut.counts.shape[1] > 1 and cut.counts.max() == 7
    assert cut.records(0, cut.total) == whole


def test_world_is_a_pure_function_of_seed_and_size(sources):
    again = build_sources(3, BLOCK * 2 + 123)
    assert again.participations.records(0, 400) == sources.participations.records(0, 400)
    other = build_sources(4, BLOCK * 2 + 123)
    assert other.participations.records(0, 400) != sources.participations.records(0, 400)


def test_regional_share_and_dob_are_realistic():
    world = build_sources(1, 200_000).world
    sizes = world.inst.sizes
    regional = sizes[world.inst.level != 2].sum() / sizes.sum()
    assert 0.76 <= regional <= 0.80
    dob = sizes[world.inst.is_dob].sum() / sizes.sum()
    assert 0 < dob < 0.01
    assert len(world.inst.codes) == 38 + 514 + 80


def test_parse_timestamp_forms():
    assert parse_timestamp("2023-01-01T00:00:00Z") == 1672531200000
    assert parse_timestamp("2023-01-01T07:00:00+07:00") == 1672531200000
    assert parse_timestamp("1672531200000") == 1672531200000
