"""Parameters as data: a central value, a range for Monte Carlo draws, a unit and a source.

Models never hard-code a norm or a rate; they ask the scenario's parameter table by id.  The
same (seed, parameter id) gives the same draws, whatever else the run draws.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np

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

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """``size`` draws; a fixed parameter (or ``size`` draws with no randomness) repeats the value."""
        if self.distribution == "fixed" or self.low is None or self.high is None:
            return np.full(size, float(self.value))
        if self.distribution == "uniform":
            return rng.uniform(self.low, self.high, size)
        if self.distribution == "triangular":
            return rng.triangular(self.low, self.value, self.high, size)
        if self.distribution == "normal":
            # low/high are the 10th and 90th percentiles: sigma = (high - low) / (2 * 1.2816)
            sigma = (self.high - self.low) / 2.5631
            return rng.normal(self.value, sigma, size)
        raise ValueError(f"unknown distribution {self.distribution!r} for parameter {self.id}")


@dataclass
class ParameterSet:
    """The scenario's parameters by id, with helpers that name the missing id in their error."""

    specs: dict[str, ParamSpec] = field(default_factory=dict)

    def __contains__(self, pid: str) -> bool:
        return pid in self.specs

    def spec(self, pid: str) -> ParamSpec:
        try:
            return self.specs[pid]
        except KeyError:
            from .errors import InputError
            raise InputError("parameters", pid, "missing: a model needs this parameter, add it to one of the "
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
        if not randomness:
            return np.full(size, float(spec.value))
        return spec.sample(stream(seed, "param", pid), size)


def stream(seed: int, *names: str) -> np.random.Generator:
    """An independent random stream for a named component.

    Streams are keyed by name, not by order of use, so adding a new random component does not
    shift the draws of the others, and two scenarios run with the same seed share their draws
    (common random numbers).
    """
    digest = hashlib.sha256("/".join(names).encode("utf-8")).digest()
    key = int.from_bytes(digest[:8], "little")
    return np.random.default_rng(np.random.SeedSequence([int(seed) & 0xFFFFFFFFFFFFFFFF, key]))
