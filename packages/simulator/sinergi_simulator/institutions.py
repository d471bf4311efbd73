"""The institutions of the world: 38 provinces, 514 regencies/cities, 80 central K/L.

Institutions are few (632), so they are held in memory; ASN are laid out
institution by institution (ASN index ranges), which makes an ASN's employer a
binary search and every per-institution count exact.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from sinergi_simulator import rand
from sinergi_simulator.reference import Region, load_regions
from sinergi_simulator.vocab import CENTRAL_INSTITUTIONS, DOB_PROVINCES, PROVINCE_SHORT

logger = logging.getLogger(__name__)

PROVINCE, REGENCY, CENTRAL = 0, 1, 2
REGIONAL_SHARE = 0.78  # BKN: ~78% of ASN work for regional governments
PROVINCE_GOV_SHARE = 0.15  # of a province's regional ASN, those of the provincial government
DOB_SIZE_FACTOR = 0.6  # the new Papua provinces are small


@dataclass(frozen=True)
class Institutions:
    """Column-wise institution table; index i is the same institution everywhere."""

    codes: tuple[str, ...]
    names: tuple[str, ...]  # canonical names
    short: tuple[str, ...]  # short names used in training titles
    variants: tuple[tuple[str, ...], ...]  # non-canonical names, unambiguous
    level: np.ndarray  # PROVINCE | REGENCY | CENTRAL
    province: np.ndarray  # index of the province institution, -1 for K/L
    is_dob: np.ndarray
    sizes: np.ndarray  # ASN per institution
    asn_start: np.ndarray  # first ASN index per institution (len + 1, cumulative)

    @property
    def count(self) -> int:
        return len(self.codes)

    def province_code(self, index: int) -> str:
        """Province code of an institution, `pusat` for central K/L (the truth's key)."""
        prov = int(self.province[index])
        return self.codes[prov] if prov >= 0 else "pusat"

    def indices(self, level: int) -> np.ndarray:
        return np.flatnonzero(self.level == level)

    def variant_map(self) -> dict[str, str]:
        """Every name the world may use (canonical included) → institution code."""
        mapping: dict[str, str] = {}
        for code, name, variants in zip(self.codes, self.names, self.variants, strict=True):
            mapping[name] = code
            for variant in variants:
                mapping[variant] = code
        return dict(sorted(mapping.items()))


def _regional_names(region: Region, short: str) -> tuple[str, str, list[str]]:
    """(canonical, short, variants) of a province or regency/city government."""
    if region.tingkat == "provinsi":
        name = region.nama
        return (
            f"Pemerintah Provinsi {name}",
            name,
            [
                f"Provinsi {name}",
                f"Pemprov {short}",
                f"Pemprov {name}",
                f"BPSDM Provinsi {name}",
                f"PEMERINTAH PROVINSI {name.upper()}",
                f"Prov. {name}",
            ],
        )
    kind, _, bare = region.nama.partition(" ")
    if kind == "Kota":
        return (
            f"Pemerintah Kota {bare}",
            region.nama,
            [region.nama, f"Pemkot {bare}", region.nama.upper(), f"BKPSDM Kota {bare}"],
        )
    return (
        f"Pemerintah Kabupaten {bare}",
        region.nama,
        [region.nama, f"Kab. {bare}", f"Pemkab {bare}", region.nama.upper(), f"BKPSDM Kab. {bare}"],
    )


def _central_names(full: str, abbr: str) -> tuple[str, str, list[str]]:
    unit = "BPSDM" if full.startswith("Kementerian") else "Pusdiklat"
    return full, abbr, [abbr, f"{unit} {abbr}", full.upper(), f"{abbr} RI"]


def _drop_ambiguous(canonical: list[str], variants: list[list[str]]) -> list[tuple[str, ...]]:
    """A variant that could name two institutions is not a variant of either."""
    owners: dict[str, set[int]] = {}
    for i, (name, names) in enumerate(zip(canonical, variants, strict=True)):
        for text in [name, *names]:
            owners.setdefault(text.casefold(), set()).add(i)
    return [
        tuple(v for v in dict.fromkeys(names) if len(owners[v.casefold()]) == 1 and v != name)
        for name, names in zip(canonical, variants, strict=True)
    ]


def _sizes(weights: np.ndarray, total: int) -> np.ndarray:
    """Integer sizes summing to `total`, proportional to weights (largest remainder)."""
    exact = weights / weights.sum() * total
    sizes = np.floor(exact).astype(np.int64)
    short = total - int(sizes.sum())
    order = np.argsort(-(exact - sizes), kind="stable")
    sizes[order[:short]] += 1
    return sizes


def build_institutions(seed: int, n_asn: int) -> Institutions:
    """The institution table of a world; sizes depend on the seed and the ASN count."""
    regions = load_regions()
    prov_index = {r.kode: i for i, r in enumerate(regions) if r.tingkat == "provinsi"}
    codes: list[str] = []
    names: list[str] = []
    short: list[str] = []
    variants: list[list[str]] = []
    level: list[int] = []
    province: list[int] = []
    for region in regions:
        abbr = PROVINCE_SHORT[region.kode_provinsi][0]
        name, brief, others = _regional_names(region, abbr)
        codes.append(region.kode)
        names.append(name)
        short.append(brief)
        variants.append(others)
        level.append(PROVINCE if region.tingkat == "provinsi" else REGENCY)
        province.append(prov_index[region.kode_provinsi])
    for number, (full, abbr) in enumerate(CENTRAL_INSTITUTIONS, start=1):
        name, brief, others = _central_names(full, abbr)
        codes.append(f"KL-{number:03d}")
        names.append(name)
        short.append(brief)
        variants.append(others)
        level.append(CENTRAL)
        province.append(-1)
    level_arr = np.array(level, dtype=np.int8)
    province_arr = np.array(province, dtype=np.int64)
    is_dob = np.array(
        [p >= 0 and codes[p] in DOB_PROVINCES for p in province_arr.tolist()], dtype=bool
    )
    weights = _weights(seed, codes, level_arr, province_arr, is_dob)
    sizes = _sizes(weights, n_asn)
    logger.debug("simulator: %d institutions for %d ASN", len(codes), n_asn)
    return Institutions(
        codes=tuple(codes),
        names=tuple(names),
        short=tuple(short),
        variants=tuple(_drop_ambiguous(names, variants)),
        level=level_arr,
        province=province_arr,
        is_dob=is_dob,
        sizes=sizes,
        asn_start=np.concatenate([[0], np.cumsum(sizes)]),
    )


def _weights(
    seed: int,
    codes: list[str],
    level: np.ndarray,
    province: np.ndarray,
    is_dob: np.ndarray,
) -> np.ndarray:
    """Share of all ASN per institution: 78% regional by population, 22% central."""
    gen = rand.rng(seed, "institution-weights")
    noise = gen.lognormal(0.0, 0.5, size=len(codes))
    weights = np.zeros(len(codes), dtype=np.float64)
    prov_pop = np.array([PROVINCE_SHORT[codes[p]][1] if p >= 0 else 0.0 for p in province.tolist()])
    prov_pop = np.where(is_dob, prov_pop * DOB_SIZE_FACTOR, prov_pop)
    regional = level != CENTRAL
    pop_total = prov_pop[level == PROVINCE].sum()
    weights[level == PROVINCE] = prov_pop[level == PROVINCE] / pop_total * PROVINCE_GOV_SHARE
    for prov in np.flatnonzero(level == PROVINCE):
        members = np.flatnonzero((level == REGENCY) & (province == prov))
        share = prov_pop[prov] / pop_total * (1 - PROVINCE_GOV_SHARE)
        weights[members] = noise[members] / noise[members].sum() * share
    weights[regional] *= REGIONAL_SHARE
    central = np.flatnonzero(level == CENTRAL)
    zipf = noise[central] / np.arange(1, len(central) + 1) ** 0.6
    weights[central] = zipf / zipf.sum() * (1 - REGIONAL_SHARE)
    return weights
