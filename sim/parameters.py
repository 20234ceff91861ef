"""Parameters as data: a central value, a range for Monte Carlo draws, a unit and a source.

Models never hard-code a norm or a rate; they ask the scenario's parameter table by id.  The
same (seed, parameter id) gives the same draws, whatever else the run draws.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np
from scipy.special import ndtr, ndtri

DISTRIBUTIONS = ("fixed", "uniform", "triangular", "normal")


@dataclass(frozen=True)
class ParamSpec:
    id: str
    value: float
    unit: str = ""
    distribution: str = "fixed"
    low: float | None = None
    high: float | None = None
    valid_from: int | None = None
    valid_to: int | None = None
    confidence: str = ""
    source: str = ""
    note: str = ""
    domain: object = None     # sim.domains.Domain: draws are truncated to it (None: unbounded)

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """``size`` draws; a fixed parameter (or one without a range) repeats the value."""
        return self.quantile(rng.random(size))

    def quantile(self, u: np.ndarray) -> np.ndarray:
        """Inverse CDF at uniforms ``u``: monotone in ``u``, so one uniform per replication couples
        two scenarios' draws (a longer distribution gives a longer draw in every replication)."""
        u = np.asarray(u, dtype=float)
        if np.any(~np.isfinite(u)) or np.any(u < 0) or np.any(u > 1):
            raise ValueError(f"u must be uniforms in [0, 1] (parameter {self.id})")
        x = self._quantile(u)
        return x if self.domain is None else self.domain.clip(x)

    def _quantile(self, u: np.ndarray) -> np.ndarray:
        if self.distribution == "fixed" or self.low is None or self.high is None:
            return np.full(u.shape, float(self.value))
        a, c, b = float(self.low), float(self.value), float(self.high)
        if self.distribution == "uniform":
            return a + (b - a) * u
        if self.distribution == "triangular":
            if b <= a:
                return np.full(u.shape, c)
            left = a + np.sqrt(np.clip(u * (b - a) * (c - a), 0, None))
            right = b - np.sqrt(np.clip((1 - u) * (b - a) * (b - c), 0, None))
            return np.where(u < (c - a) / (b - a), left, right)
        if self.distribution == "normal":
            # low/high are the 10th and 90th percentiles: sigma = (high - low) / (2 * 1.2816).
            # Truncated to the domain: the uniforms are mapped into [F(domain lo), F(domain hi)],
            # so the draw stays monotone in u (common random numbers still couple scenarios).
            sigma = (b - a) / 2.5631
            if self.domain is not None and sigma > 0:
                ulo = ndtr((self.domain.lo - c) / sigma) if np.isfinite(self.domain.lo) else 0.0
                uhi = ndtr((self.domain.hi - c) / sigma) if np.isfinite(self.domain.hi) else 1.0
                u = ulo + (uhi - ulo) * u
            return c + sigma * ndtri(np.clip(u, 1e-12, 1 - 1e-12))
        raise ValueError(f"unknown distribution {self.distribution!r} for parameter {self.id}")


@dataclass
class ParameterSet:
    """The scenario's parameters by id, with helpers that name the missing id in their error."""

    specs: dict[str, ParamSpec] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)   # the parameter tables read, for messages

    def __contains__(self, pid: str) -> bool:
        return pid in self.specs

    def spec(self, pid: str) -> ParamSpec:
        try:
            return self.specs[pid]
        except KeyError:
            from .errors import InputError
            raise InputError(self.files[0] if self.files else "parameters table", pid,
                             "missing parameter: a model needs it; add a row with this id to one of the "
                             "scenario's parameter tables") from None

    def value(self, pid: str, default: float | None = None) -> float:
        if pid not in self.specs:
            if default is None:
                self.spec(pid)
            return float(default)
        return float(self.specs[pid].value)

    def draws(self, pid: str, seed: int, size: int, randomness: bool = True) -> np.ndarray:
        """Reproducible draws for one parameter: the stream depends on (seed, pid) only."""
        spec = self.spec(pid)
        if not isinstance(size, (int, np.integer)) or size < 0:
            raise ValueError(f"size must be a whole number >= 0, got {size!r}")
        if not randomness:
            return np.full(size, float(spec.value))
        return spec.sample(stream(seed, "param", pid), size)


def stream(seed: int, *names: str) -> np.random.Generator:
    """An independent random stream for a named component.

    Streams are keyed by name, not by order of use, so adding a new random component does not
    shift the draws of the others, and two scenarios run with the same seed share their draws
    (common random numbers).
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ValueError(f"seed must be an integer, got {seed!r}")
    digest = hashlib.sha256("/".join(names).encode("utf-8")).digest()
    key = int.from_bytes(digest[:8], "little")
    return np.random.default_rng(np.random.SeedSequence([int(seed) & 0xFFFFFFFFFFFFFFFF, key]))
