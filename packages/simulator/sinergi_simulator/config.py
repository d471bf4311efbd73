"""The knobs of a simulated world: size, seed, messiness rates, credentials.

Everything the output depends on is in `WorldConfig`, so two configs that
compare equal give byte-identical sources. Transport faults and credentials
do not change the data and live apart (`ServeConfig`, `Credentials`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Messiness:
    """Rates of each kind of mess (0 disables it). Defaults aim at "realistic but loadable"."""

    name_variant_rate: float = 0.3  # a record names its institution by a non-canonical variant
    duplicate_rate: float = 0.08  # a participation is reported again by the origin region
    late_update_rate: float = 0.1  # a participation is first reported `proses`, later final
    job_change_rate: float = 0.06  # per ASN per year: a job change re-publishes the ASN
    invalid_rate: float = 0.01  # extra invalid records per valid record
    drift_rate: float = 0.02  # a record has an extra field or misses an optional one
    file_share: float = 0.3  # share of regionally hosted participations reported by file only
    broken_file_rate: float = 0.02  # extra unreadable files per region-month folder
    # extra API records per valid record with one of the rarer defects: every other
    # quarantine reason (a missing key, an unknown code or institution, a non-object
    # element...; simulator/defects.py). Off by default: real sources send them seldom.
    rare_fault_rate: float = 0.0

    def __post_init__(self) -> None:
        for name, value in self.__dict__.items():
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"simulator: {name} must be within [0, 1], got {value}")


@dataclass(frozen=True)
class ReportingProfiles:
    """Per-institution reporting behaviour of the regional file drop, for the governance
    scorecard to recover (off by default: a world without it is generated as before).

    Each region gets, deterministically from the seed, a reporting delay of
    0..`max_delay_days` whole days (its monthly folder is uploaded that many days after
    the month ends, plus up to 12 hours) and an error rate in [0, `max_error_rate`]:
    the expected share of its file rows that are defective (they replace the global
    `Messiness.invalid_rate` for file rows). `landing.planted_profiles` gives both.
    """

    max_delay_days: int = 0
    max_error_rate: float = 0.0

    def __post_init__(self) -> None:
        if not 0 <= self.max_delay_days <= 365:
            raise ValueError(
                f"simulator: max_delay_days must be within [0, 365], got {self.max_delay_days}"
            )
        if not 0.0 <= self.max_error_rate <= 0.5:
            raise ValueError(
                f"simulator: max_error_rate must be within [0, 0.5], got {self.max_error_rate}"
            )

    @property
    def enabled(self) -> bool:
        return self.max_delay_days > 0 or self.max_error_rate > 0


@dataclass(frozen=True)
class WorldConfig:
    """Seed and size of the world plus its messiness; the whole input of generation."""

    seed: int = 42
    n_asn: int = 1000
    messiness: Messiness = field(default_factory=Messiness)
    reporting: ReportingProfiles = field(default_factory=ReportingProfiles)

    def __post_init__(self) -> None:
        if self.n_asn < 1 or self.n_asn > 20_000_000:
            raise ValueError(f"simulator: n_asn must be within [1, 20M], got {self.n_asn}")
        if self.seed < 0:
            raise ValueError(f"simulator: seed must be >= 0, got {self.seed}")


@dataclass(frozen=True)
class Credentials:
    """What each simulated source accepts; dev defaults, overridable by env or CLI."""

    siasn_client_id: str = "sinergi"
    siasn_client_secret: str = "sinergi-dev-secret"
    kemendagri_api_key: str = "dev-kemendagri-key"
    corpu_token: str = "dev-corpu-token"
    satudata_api_key: str = "dev-satudata-key"

    @classmethod
    def from_env(cls) -> Credentials:
        """Dev defaults unless `SINERGI_SIM_<FIELD>` (upper case) is set."""
        values = {}
        for name in cls.__dataclass_fields__:
            env = os.environ.get(f"SINERGI_SIM_{name.upper()}")
            if env:
                values[name] = env
        return cls(**values)


@dataclass(frozen=True)
class ServeConfig:
    """Transport behaviour of the HTTP servers; none of it changes the records served."""

    fault_rate: float = 0.0  # share of data requests answered with a transient fault
    slow_delay_s: float = 3.0  # how long a "slow" fault stalls before answering
    retry_after_s: int = 1  # the Retry-After of a 429
    max_consecutive_faults: int = 3  # the same request fails at most this often in a row
    token_ttl_s: int = 3600
    max_page_size: int = 5000
