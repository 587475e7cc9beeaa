"""Distributions a scenario can name, with analytic moments and inverse-CDF sampling.

Each distribution is a small frozen pydantic model selected by its ``dist`` tag. Sampling maps
uniform numbers through the inverse CDF (``ppf``), so the same uniforms give the same ordering
of values in two variants of a scenario (synchronised common random numbers): a variant with a
faster service keeps every customer's rank in the service-time distribution.

All parameters are in the unit of the quantity sampled (minutes for times), finite, and at
most :data:`~simulator.scenario.fields.MINUTES_IN_YEAR` (a year of minutes).
"""

from __future__ import annotations

import math
from abc import abstractmethod
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Literal, Protocol

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from simulator.scenario.fields import MINUTES_IN_YEAR, Minutes, PositiveMinutes

_BLOCK = 256
_CONFIG = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)
_ALIASED = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False,
                      populate_by_name=True)


class UniformSource(Protocol):
    """Where a sampler takes its uniforms from: a named stream of the engine
    (:class:`simulator.engine.rng.UniformStream`)."""

    def block(self, size: int) -> np.ndarray:
        """The next ``size`` uniforms in [0, 1)."""


class _Dist(BaseModel):
    model_config = _CONFIG

    @property
    @abstractmethod
    def mean(self) -> float:
        """Analytic mean."""

    @property
    @abstractmethod
    def variance(self) -> float:
        """Analytic variance."""

    @property
    def cv(self) -> float:
        """Coefficient of variation, sd / mean (0 when the mean is 0)."""
        m = self.mean
        return math.sqrt(self.variance) / m if m > 0 else 0.0

    @abstractmethod
    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Inverse CDF applied to uniforms in [0, 1)."""

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Draw ``size`` values with generator ``rng`` (by inverse CDF)."""
        return self.ppf(rng.random(size))

    def sampler(self, stream: UniformSource) -> Callable[[], float]:
        """Return a zero-argument function drawing one value from ``stream``.

        Values are computed a block at a time, vectorised; the sequence does not depend on
        how many values are drawn.
        """
        ppf = self.ppf
        buf: list[float] = []
        i = 0

        def draw() -> float:
            nonlocal buf, i
            if i >= len(buf):
                buf = ppf(stream.block(_BLOCK)).tolist()
                i = 0
            value = buf[i]
            i += 1
            return value

        return draw


class Exponential(_Dist):
    """Exponential distribution with the given mean."""

    dist: Literal["exponential"] = "exponential"
    mean_: PositiveMinutes = Field(alias="mean", description="mean, in the quantity's unit")

    model_config = _ALIASED

    @property
    def mean(self) -> float:
        return self.mean_

    @property
    def variance(self) -> float:
        return self.mean_**2

    def ppf(self, u: np.ndarray) -> np.ndarray:
        return -self.mean_ * np.log1p(-u)


class _MeanCv(_Dist):
    """A distribution given by its mean and coefficient of variation (sd / mean)."""

    mean_: PositiveMinutes = Field(alias="mean")
    cv_: float = Field(alias="cv", ge=0, le=10)

    model_config = _ALIASED

    @property
    def mean(self) -> float:
        return self.mean_

    @property
    def variance(self) -> float:
        return (self.mean_ * self.cv_) ** 2


class LogNormal(_MeanCv):
    """Lognormal distribution given by its mean and coefficient of variation."""

    dist: Literal["lognormal"] = "lognormal"

    def ppf(self, u: np.ndarray) -> np.ndarray:
        if self.cv_ == 0:
            return np.full(np.shape(u), self.mean_)
        s2 = math.log1p(self.cv_**2)
        mu = math.log(self.mean_) - s2 / 2
        from scipy import special  # on first use: validating a scenario needs no SciPy

        return np.exp(mu + math.sqrt(s2) * special.ndtri(u))


class Gamma(_MeanCv):
    """Gamma distribution given by its mean and coefficient of variation."""

    dist: Literal["gamma"] = "gamma"

    def ppf(self, u: np.ndarray) -> np.ndarray:
        if self.cv_ == 0:
            return np.full(np.shape(u), self.mean_)
        shape = 1.0 / self.cv_**2
        from scipy import special

        return special.gammaincinv(shape, u) * (self.mean_ / shape)


class Weibull(_MeanCv):
    """Weibull distribution given by its mean and coefficient of variation.

    The shape k solves Γ(1 + 2/k) / Γ(1 + 1/k)² - 1 = cv² (cv 1 is the exponential; cv below
    1 gives k > 1); the scale is mean / Γ(1 + 1/k). ``servsim fit`` writes it when it fits a
    log's service times or patience best.
    """

    dist: Literal["weibull"] = "weibull"

    def shape_scale(self) -> tuple[float, float]:
        """The Weibull shape k and scale (minutes) of this mean and cv (cv > 0)."""
        from scipy import optimize, special

        target = math.log1p(self.cv_**2)

        def gap(log_k: float) -> float:
            k = math.exp(log_k)
            return float(special.gammaln(1 + 2 / k) - 2 * special.gammaln(1 + 1 / k) - target)

        k = math.exp(optimize.brentq(gap, math.log(0.02), math.log(1e5), xtol=1e-12))
        return k, self.mean_ / math.exp(float(special.gammaln(1 + 1 / k)))

    def ppf(self, u: np.ndarray) -> np.ndarray:
        if self.cv_ < 1e-4:  # k beyond 1e4: the constant mean to within 0.01 %
            return np.full(np.shape(u), self.mean_)
        k, scale = self.shape_scale()
        return scale * (-np.log1p(-np.asarray(u, dtype=float))) ** (1.0 / k)


class Triangular(_Dist):
    """Triangular distribution on [low, high] with the given mode."""

    dist: Literal["triangular"] = "triangular"
    low: Minutes
    mode: Minutes
    high: PositiveMinutes

    @model_validator(mode="after")
    def _order(self) -> Triangular:
        if not (self.low <= self.mode <= self.high and self.low < self.high):
            raise ValueError(
                f"needs low <= mode <= high and low < high "
                f"(got low={self.low}, mode={self.mode}, high={self.high})"
            )
        return self

    @property
    def mean(self) -> float:
        return (self.low + self.mode + self.high) / 3

    @property
    def variance(self) -> float:
        a, c, b = self.low, self.mode, self.high
        return (a * a + b * b + c * c - a * b - a * c - b * c) / 18

    def ppf(self, u: np.ndarray) -> np.ndarray:
        a, c, b = self.low, self.mode, self.high
        f = (c - a) / (b - a)
        u = np.asarray(u, dtype=float)
        left = a + np.sqrt(u * (b - a) * (c - a))
        right = b - np.sqrt((1 - u) * (b - a) * (b - c))
        return np.where(u < f, left, right)


class Uniform(_Dist):
    """Continuous uniform distribution on [low, high]."""

    dist: Literal["uniform"] = "uniform"
    low: Minutes
    high: PositiveMinutes

    @model_validator(mode="after")
    def _order(self) -> Uniform:
        if not self.low < self.high:
            raise ValueError(f"needs low < high (got low={self.low}, high={self.high})")
        return self

    @property
    def mean(self) -> float:
        return (self.low + self.high) / 2

    @property
    def variance(self) -> float:
        return (self.high - self.low) ** 2 / 12

    def ppf(self, u: np.ndarray) -> np.ndarray:
        return self.low + (self.high - self.low) * np.asarray(u, dtype=float)


class Constant(_Dist):
    """A fixed value."""

    dist: Literal["constant"] = "constant"
    value: Minutes

    @property
    def mean(self) -> float:
        return self.value

    @property
    def variance(self) -> float:
        return 0.0

    def ppf(self, u: np.ndarray) -> np.ndarray:
        return np.full(np.shape(u), self.value)


class Empirical(_Dist):
    """Resampling of observed values, given inline or as a column of a CSV file.

    ``file`` is relative to the scenario file. Each draw picks one observed value with equal
    probability (bootstrap).
    """

    dist: Literal["empirical"] = "empirical"
    values: list[Minutes] | None = Field(default=None, min_length=1)
    file: str | None = None
    column: str | None = None

    @model_validator(mode="after")
    def _source(self) -> Empirical:
        if (self.values is None) == (self.file is None):
            raise ValueError("give exactly one of values or file (got both or neither)")
        if self.values is not None and min(self.values) < 0:
            raise ValueError(f"values must be >= 0 (got {min(self.values)})")
        if self.file is not None and self.column is None:
            raise ValueError("file needs a column name (got none)")
        return self

    def resolved(self, base_dir: Path) -> Empirical:
        """Return a copy with the CSV column read into ``values``.

        Raises
        ------
        DataFileError
            If the file is not a readable regular UTF-8 CSV file within the size cap
            (:mod:`simulator.scenario.files`), lacks the column, or holds values that are not
            finite numbers from 0 to a year of minutes.
        """
        if self.values is not None:
            return self
        from simulator.scenario.files import DataFileError, read_csv_rows

        path = (base_dir / str(self.file)).resolve()
        rows = read_csv_rows(path)
        if not rows or self.column not in rows[0]:
            have = sorted(rows[0]) if rows else []
            raise DataFileError(f"column {self.column!r} not in {path.name} "
                                f"(got columns {have})")
        values = []
        for n, row in enumerate(rows, start=2):
            text = row[str(self.column)]
            if text is None or text == "":
                continue
            try:
                value = float(text)
            except ValueError:
                raise DataFileError(f"column {self.column!r} of {path.name} is not numeric "
                                    f"(got {text[:40]!r} on line {n}; expected a number)") from None
            if not 0 <= value <= MINUTES_IN_YEAR:  # also refuses inf and nan
                raise DataFileError(f"column {self.column!r} of {path.name} is out of range "
                                    f"(got {text[:40]!r} on line {n}; expected a finite number "
                                    f"from 0 to {MINUTES_IN_YEAR:,.0f})")
            values.append(value)
        if not values:
            raise DataFileError(f"column {self.column!r} of {path.name} has no values "
                                "(expected at least one number)")
        return Empirical(values=values)

    def _array(self) -> np.ndarray:
        if self.values is None:
            raise ValueError("empirical file not resolved; call resolved(base_dir) first")
        return np.asarray(self.values, dtype=float)

    @property
    def mean(self) -> float:
        return float(self._array().mean())

    @property
    def variance(self) -> float:
        return float(self._array().var())

    def ppf(self, u: np.ndarray) -> np.ndarray:
        values = np.sort(self._array())  # sorted, so this is the empirical inverse CDF
        idx = np.minimum((np.asarray(u) * len(values)).astype(np.int64), len(values) - 1)
        return values[idx]


class Poisson(_Dist):
    """Poisson distribution of a count (for example the number of guests in an arrival wave).

    Only counts take it (``arrivals.<source>.waves[].size``); times do not.
    """

    dist: Literal["poisson"] = "poisson"
    mean_: float = Field(alias="mean", gt=0, le=1e6, description="mean count")

    model_config = _ALIASED

    @property
    def mean(self) -> float:
        return self.mean_

    @property
    def variance(self) -> float:
        return self.mean_

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Smallest k with P(X <= k) > u (the inverse CDF of a discrete distribution)."""
        from scipy import special

        m = self.mean_
        k = np.arange(int(m + 12 * math.sqrt(m) + 25) + 1)
        cdf = special.pdtr(k, m)  # P(X <= k); beyond the last k the mass is below 1e-30
        idx = np.searchsorted(cdf, np.asarray(u, dtype=float), side="right")
        return np.minimum(idx, len(k) - 1).astype(float)


Distribution = Annotated[
    Exponential | LogNormal | Gamma | Weibull | Triangular | Uniform | Constant | Empirical,
    Field(discriminator="dist"),
]
"""Any distribution, chosen by its ``dist`` key."""

CountDistribution = Annotated[
    Poisson | Exponential | LogNormal | Gamma | Weibull | Triangular | Uniform | Constant
    | Empirical,
    Field(discriminator="dist"),
]
"""A distribution of a count: ``poisson``, or any :data:`Distribution` (rounded when used)."""

DIST_NAMES = ("exponential", "lognormal", "gamma", "weibull", "triangular", "uniform", "constant",
              "empirical")
