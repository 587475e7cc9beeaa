"""Input tables of the satisfaction model: one row per (customer, stage), one per customer.

Both are frozen dataclasses of read-only NumPy arrays, filled by the simulator after a
replication (satisfaction.md §2.2). :meth:`StageTable.build` and
:meth:`CustomerTable.build` fill optional columns with their documented defaults.

Interpretation choices
----------------------
* **One failure per stage row.** A stage row carries at most one service failure. A redo is a
  new visit to a stage and therefore a new row (with its own wait), so several failures at
  one station appear as several rows. "First failure" (paradox gate, §2.5) is derived from
  the row order: the first row of the customer with ``severity > 0``.
* ``attempted`` (double deviation, §2.5) defaults to "any of fix, apology, compensation or
  follow-up given" but is a column of its own so the double-deviation term can be isolated.
* Never-resolved failures have ``resolution_min = inf`` (τ = 0); NaN is read as inf.
* A stage without a wait standard has ``adequate_min = NaN``: responsiveness is not observed
  there and no promise can be broken. ``desired_min = NaN`` means D = ``desired_ratio · A``.
* ``adequate_min`` / ``desired_min`` are the *published* levels; the class's
  ``expectation_scale`` is applied by the model (promise kept is judged against the
  published A, the tolerance zone against the scaled A and D).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import Any

import numpy as np

from ._groups import group_starts

__all__ = [
    "KANO_CODES",
    "OUTCOME_ABANDONED",
    "OUTCOME_BALKED",
    "OUTCOME_CODES",
    "OUTCOME_SERVED",
    "PHASE_CODES",
    "PHASE_IN",
    "PHASE_POST",
    "PHASE_PRE",
    "CustomerTable",
    "StageTable",
    "default_phases",
]

PHASE_PRE, PHASE_IN, PHASE_POST = 0, 1, 2
#: Phase name -> code.
PHASE_CODES: dict[str, int] = {"pre": PHASE_PRE, "in": PHASE_IN, "post": PHASE_POST}
#: KANO class of a standard -> code (indexes :class:`~.params.DelightCaps`).
KANO_CODES: dict[str, int] = {"must_be": 0, "one_dimensional": 1, "attractive": 2}
OUTCOME_SERVED, OUTCOME_BALKED, OUTCOME_ABANDONED = 0, 1, 2
#: Customer outcome -> code.
OUTCOME_CODES: dict[str, int] = {
    "served": OUTCOME_SERVED,
    "balked": OUTCOME_BALKED,
    "abandoned": OUTCOME_ABANDONED,
}


def _fail(table: str, column: str, index: int | None, message: str) -> None:
    where = f"{table}.{column}" if index is None else f"{table}.{column}[{index}]"
    raise ValueError(f"{where}: {message}")


def _first_bad(mask: np.ndarray) -> int:
    return int(np.flatnonzero(mask)[0])


def default_phases(customer: np.ndarray) -> np.ndarray:
    """Default phases of §2.2: a customer's first row ``pre``, last row ``post``, others ``in``.

    A single-row customer is ``pre``. The simulator should rather take phases from the
    scenario's pathway (an abandoning customer's last row is not the pathway's last stage).

    Examples
    --------
    >>> default_phases(np.array([0, 0, 0, 1])).tolist()
    [0, 1, 2, 0]
    """
    customer = np.asarray(customer)
    phase = np.full(customer.shape[0], PHASE_IN, dtype=np.int8)
    if customer.shape[0] == 0:
        return phase
    starts = group_starts(customer)
    ends = np.concatenate((starts[1:], [customer.shape[0]])) - 1
    phase[ends] = PHASE_POST
    phase[starts] = PHASE_PRE
    return phase


@dataclass(frozen=True)
class StageTable:
    """One row per (customer, stage visit), grouped by customer in stage order.

    All columns are 1-D arrays of equal length; times are in one consistent unit (the
    names say minutes, but only ratios enter the model, so any unit works if used
    throughout, §3.15).

    Columns
    -------
    customer : int64
        Customer index 0..n-1; rows of a customer are contiguous, in the order visited, and
        every customer has at least one row (a balking customer: the stage where they balked).
    stage : str
        Stage (station) name; used by ``wait_based`` KANO attributes.
    phase : int8
        0 pre, 1 in, 2 post (:data:`PHASE_CODES`).
    wait_min : float
        Wait to service start, or to abandonment (min, >= 0). Ignored (may be NaN) on
        balking rows, where the anticipated wait is used.
    adequate_min : float
        Published adequate level A of the stage's wait standard (min, > 0); NaN = no standard.
    desired_min : float
        Desired level D (0 < D < A); NaN = ``desired_ratio · A``.
    kano : int8
        KANO class of the standard (:data:`KANO_CODES`: 0 must-be, 1 one-dimensional,
        2 attractive).
    promise : bool
        The standard is published (a promise that can be broken).
    occupied, informed : bool
        Waiting was occupied (seats, menu, TV) / informed (number display, announced wait).
    overtaken : int
        Later arrivals at this stage who started service earlier (see
        :func:`~.overtaking.overtaken_counts`).
    queue_on_arrival, servers_on_arrival : int
        Customers waiting and servers on duty when the customer joined the stage.
    area_capacity : float
        Capacity of the waiting area (persons, > 0); NaN = none.
    staff_skill : float
        Skill of the server in [0, 1] (training level L of 1..5 -> (L-1)/4); NaN = unstaffed
        or not served (assurance and empathy not observed at that stage).
    service_min, nominal_service_min : float
        Actual service time and the mean of the stage's service distribution (min).
    others_waiting : bool
        Others were waiting when this customer's service started (rush gate).
    abandoned_here, balked_here : bool
        The customer abandoned / balked at this stage (only on the customer's last row).
    severity : float
        Failure severity σ in (0, 1]; 0 = no failure at this row.
    fix, apology, follow_up : bool
        Recovery components given for the failure.
    compensation_value : float
        Compensation relative to the price of the failed item (>= 0).
    resolution_min : float
        Time to resolve the failure (min); inf (or NaN) = never resolved.
    recovery_standard_min : float
        Recovery standard T_rec (min, > 0); NaN = ``recovery.urgent_fix_standard_min``.
    attempted : bool
        A recovery was attempted (double-deviation gate).
    """

    customer: np.ndarray
    stage: np.ndarray
    phase: np.ndarray
    wait_min: np.ndarray
    adequate_min: np.ndarray
    desired_min: np.ndarray
    kano: np.ndarray
    promise: np.ndarray
    occupied: np.ndarray
    informed: np.ndarray
    overtaken: np.ndarray
    queue_on_arrival: np.ndarray
    servers_on_arrival: np.ndarray
    area_capacity: np.ndarray
    staff_skill: np.ndarray
    service_min: np.ndarray
    nominal_service_min: np.ndarray
    others_waiting: np.ndarray
    abandoned_here: np.ndarray
    balked_here: np.ndarray
    severity: np.ndarray
    fix: np.ndarray
    apology: np.ndarray
    follow_up: np.ndarray
    compensation_value: np.ndarray
    resolution_min: np.ndarray
    recovery_standard_min: np.ndarray
    attempted: np.ndarray

    _DTYPES = MappingProxyType(
        {
            "customer": np.int64,
            "stage": np.str_,
            "phase": np.int8,
            "wait_min": np.float64,
            "adequate_min": np.float64,
            "desired_min": np.float64,
            "kano": np.int8,
            "promise": np.bool_,
            "occupied": np.bool_,
            "informed": np.bool_,
            "overtaken": np.int64,
            "queue_on_arrival": np.int64,
            "servers_on_arrival": np.int64,
            "area_capacity": np.float64,
            "staff_skill": np.float64,
            "service_min": np.float64,
            "nominal_service_min": np.float64,
            "others_waiting": np.bool_,
            "abandoned_here": np.bool_,
            "balked_here": np.bool_,
            "severity": np.float64,
            "fix": np.bool_,
            "apology": np.bool_,
            "follow_up": np.bool_,
            "compensation_value": np.float64,
            "resolution_min": np.float64,
            "recovery_standard_min": np.float64,
            "attempted": np.bool_,
        }
    )

    def __post_init__(self) -> None:
        n_rows = None
        for f in fields(self):
            raw = np.asarray(getattr(self, f.name))
            if raw.ndim != 1:
                _fail("StageTable", f.name, None, f"must be 1-D (got shape {raw.shape})")
            if n_rows is None:
                n_rows = raw.shape[0]
            elif raw.shape[0] != n_rows:
                _fail(
                    "StageTable",
                    f.name,
                    None,
                    f"length mismatch (got {raw.shape[0]}; expected {n_rows})",
                )
            dtype = self._DTYPES[f.name]
            if dtype is np.float64 and raw.dtype.kind not in "biuf":
                _fail("StageTable", f.name, None, f"must be numeric (got dtype {raw.dtype})")
            arr: np.ndarray = raw.astype(dtype, copy=True)
            arr.setflags(write=False)
            object.__setattr__(self, f.name, arr)
        self._validate()

    # -- validation -------------------------------------------------------------------
    def _validate(self) -> None:
        t = "StageTable"
        c = self.customer
        if c.size:
            if c[0] != 0:
                _fail(t, "customer", 0, f"must start at 0 (got {c[0]}; expected 0)")
            step = np.diff(c)
            bad = (step < 0) | (step > 1)
            if bad.any():
                i = _first_bad(bad) + 1
                _fail(
                    t,
                    "customer",
                    i,
                    f"rows must be grouped by customer 0..n-1 without gaps "
                    f"(got {c[i]} after {c[i - 1]}; expected {c[i - 1]} or {c[i - 1] + 1})",
                )
        for name, lo, hi in (("phase", 0, 2), ("kano", 0, 2)):
            a = getattr(self, name)
            bad = (a < lo) | (a > hi)
            if bad.any():
                i = _first_bad(bad)
                _fail(t, name, i, f"must be in {lo}..{hi} (got {a[i]}; expected {lo}..{hi})")
        w = self.wait_min
        bad = (w < 0) | (np.isnan(w) & ~self.balked_here)
        if bad.any():
            i = _first_bad(bad)
            _fail(t, "wait_min", i, f"must be >= 0 (got {w[i]:g}; expected >= 0)")
        a = self.adequate_min
        bad = ~np.isnan(a) & ~(a > 0)
        if bad.any():
            i = _first_bad(bad)
            _fail(t, "adequate_min", i, f"must be > 0 or NaN (got {a[i]:g}; expected > 0)")
        d = self.desired_min
        has_d = ~np.isnan(d)
        bad = has_d & ~(d > 0)
        if bad.any():
            i = _first_bad(bad)
            _fail(t, "desired_min", i, f"must be > 0 (got {d[i]:g}; expected > 0)")
        bad = has_d & ~(d < a)
        if bad.any():
            i = _first_bad(bad)
            _fail(
                t,
                "desired_min",
                i,
                f"must be < adequate_min (got {d[i]:g}; expected < {a[i]:g})",
            )
        for name in ("overtaken", "queue_on_arrival", "servers_on_arrival"):
            arr = getattr(self, name)
            bad = arr < 0
            if bad.any():
                i = _first_bad(bad)
                _fail(t, name, i, f"must be >= 0 (got {arr[i]}; expected >= 0)")
        cap = self.area_capacity
        bad = ~np.isnan(cap) & ~(cap > 0)
        if bad.any():
            i = _first_bad(bad)
            _fail(t, "area_capacity", i, f"must be > 0 or NaN (got {cap[i]:g}; expected > 0)")
        for name in ("staff_skill",):
            arr = getattr(self, name)
            bad = ~np.isnan(arr) & ((arr < 0) | (arr > 1))
            if bad.any():
                i = _first_bad(bad)
                _fail(t, name, i, f"must be in [0, 1] or NaN (got {arr[i]:g}; expected [0, 1])")
        s = self.severity
        bad = ~((s >= 0) & (s <= 1))
        if bad.any():
            i = _first_bad(bad)
            _fail(t, "severity", i, f"must be in [0, 1] (got {s[i]:g}; expected [0, 1])")
        for name in ("service_min", "nominal_service_min", "compensation_value", "resolution_min"):
            arr = getattr(self, name)
            bad = arr < 0
            if bad.any():
                i = _first_bad(bad)
                _fail(t, name, i, f"must be >= 0 (got {arr[i]:g}; expected >= 0)")
        arr = self.recovery_standard_min
        bad = ~np.isnan(arr) & ~(arr > 0)
        if bad.any():
            i = _first_bad(bad)
            _fail(t, "recovery_standard_min", i, f"must be > 0 or NaN (got {arr[i]:g})")
        if c.size:
            starts = group_starts(c)
            last = np.zeros(c.size, dtype=bool)
            last[np.concatenate((starts[1:], [c.size])) - 1] = True
            for name in ("abandoned_here", "balked_here"):
                bad = getattr(self, name) & ~last
                if bad.any():
                    i = _first_bad(bad)
                    _fail(t, name, i, "must be on the customer's last row")
            bad = self.abandoned_here & self.balked_here
            if bad.any():
                _fail(t, "balked_here", _first_bad(bad), "cannot also be abandoned_here")

    # -- construction -----------------------------------------------------------------
    @property
    def n_rows(self) -> int:
        """Number of (customer, stage) rows."""
        return int(self.customer.shape[0])

    @property
    def n_customers(self) -> int:
        """Number of customers (``customer[-1] + 1``)."""
        return int(self.customer[-1]) + 1 if self.customer.size else 0

    @classmethod
    def build(cls, customer: Any, wait_min: Any, **columns: Any) -> StageTable:
        """Build a table from the required columns and any optional ones.

        Scalars are broadcast. Defaults: ``stage`` "", ``phase`` from
        :func:`default_phases`, ``adequate_min``/``desired_min``/``area_capacity``/
        ``staff_skill``/``service_min``/``nominal_service_min``/``recovery_standard_min``
        NaN, ``kano`` 1 (one-dimensional), ``servers_on_arrival`` 1, ``resolution_min`` inf,
        counts and severity 0, flags False, ``attempted`` = fix | apology |
        (compensation_value > 0) | follow_up.

        Examples
        --------
        >>> t = StageTable.build(customer=[0, 0], wait_min=[5.0, 2.0], adequate_min=[15.0, 5.0])
        >>> t.n_rows, t.n_customers, t.phase.tolist()
        (2, 1, [0, 2])
        """
        customer = np.asarray(customer, dtype=np.int64)
        n = customer.shape[0]
        unknown = set(columns) - {f.name for f in fields(cls)}
        if unknown:
            raise TypeError(f"StageTable.build: unknown columns {sorted(unknown)}")

        def bcast(v: Any) -> np.ndarray:
            a = np.asarray(v)
            return np.full(n, v) if a.ndim == 0 else a

        def col(name: str, default: Any) -> np.ndarray:
            return bcast(columns.get(name, default))

        nan, inf = np.nan, np.inf
        data: dict[str, np.ndarray] = {
            "customer": customer,
            "stage": col("stage", ""),
            "phase": col("phase", default_phases(customer)),
            "wait_min": bcast(wait_min),
            "adequate_min": col("adequate_min", nan),
            "desired_min": col("desired_min", nan),
            "kano": col("kano", 1),
            "promise": col("promise", False),
            "occupied": col("occupied", False),
            "informed": col("informed", False),
            "overtaken": col("overtaken", 0),
            "queue_on_arrival": col("queue_on_arrival", 0),
            "servers_on_arrival": col("servers_on_arrival", 1),
            "area_capacity": col("area_capacity", nan),
            "staff_skill": col("staff_skill", nan),
            "service_min": col("service_min", nan),
            "nominal_service_min": col("nominal_service_min", nan),
            "others_waiting": col("others_waiting", False),
            "abandoned_here": col("abandoned_here", False),
            "balked_here": col("balked_here", False),
            "severity": col("severity", 0.0),
            "fix": col("fix", False),
            "apology": col("apology", False),
            "follow_up": col("follow_up", False),
            "compensation_value": col("compensation_value", 0.0),
            "resolution_min": col("resolution_min", inf),
            "recovery_standard_min": col("recovery_standard_min", nan),
        }
        if "attempted" in columns:
            data["attempted"] = col("attempted", False)
        else:
            data["attempted"] = (
                data["fix"].astype(bool)
                | data["apology"].astype(bool)
                | (data["compensation_value"].astype(float) > 0)
                | data["follow_up"].astype(bool)
            )
        return cls(**data)


@dataclass(frozen=True)
class CustomerTable:
    """One row per customer (index = the ``customer`` id of :class:`StageTable`).

    Columns
    -------
    outcome : int8
        0 served, 1 balked, 2 abandoned (:data:`OUTCOME_CODES`).
    class_name : str
        Customer class (for ``expectation_scale`` and ``per_class`` KANO performance);
        "" = no class (scale 1).
    facility_level : float
        Facility level in [0, 1] (0.5 = as expected); NaN = the scenario's ``facility_level``.
    time_in_system_min : float
        Time in system (min); NaN = unknown.
    visit_adequate_min, visit_desired_min : float
        Optional whole-visit standard A and D (min); NaN = none / ``desired_ratio · A``.
    visit_kano : int8
        KANO class of the whole-visit standard (default 1, one-dimensional).
    flags : mapping str -> array
        Per-customer amenity flags for ``stage_flag`` KANO attributes (bool, or float in
        [0, 1] with NaN = not applicable).
    """

    outcome: np.ndarray
    class_name: np.ndarray
    facility_level: np.ndarray
    time_in_system_min: np.ndarray
    visit_adequate_min: np.ndarray
    visit_desired_min: np.ndarray
    visit_kano: np.ndarray
    flags: Mapping[str, np.ndarray] = field(default_factory=dict)

    _DTYPES = MappingProxyType(
        {
            "outcome": np.int8,
            "class_name": np.str_,
            "facility_level": np.float64,
            "time_in_system_min": np.float64,
            "visit_adequate_min": np.float64,
            "visit_desired_min": np.float64,
            "visit_kano": np.int8,
        }
    )

    def __post_init__(self) -> None:
        t = "CustomerTable"
        n = None
        for name, dtype in self._DTYPES.items():
            raw = np.asarray(getattr(self, name))
            if raw.ndim != 1:
                _fail(t, name, None, f"must be 1-D (got shape {raw.shape})")
            if n is None:
                n = raw.shape[0]
            elif raw.shape[0] != n:
                _fail(t, name, None, f"length mismatch (got {raw.shape[0]}; expected {n})")
            arr = raw.astype(dtype, copy=True)
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)
        flags: dict[str, np.ndarray] = {}
        for key, raw_flag in dict(self.flags).items():
            arr = np.asarray(raw_flag, dtype=np.float64).copy()
            if arr.shape != (n,):
                _fail(t, f"flags[{key!r}]", None, f"must have shape ({n},) (got {arr.shape})")
            bad = ~np.isnan(arr) & ((arr < 0) | (arr > 1))
            if bad.any():
                i = _first_bad(bad)
                _fail(t, f"flags[{key!r}]", i, f"must be in [0, 1] (got {arr[i]:g})")
            arr.setflags(write=False)
            flags[key] = arr
        object.__setattr__(self, "flags", MappingProxyType(flags))
        bad = (self.outcome < 0) | (self.outcome > 2)
        if bad.any():
            i = _first_bad(bad)
            _fail(t, "outcome", i, f"must be 0, 1 or 2 (got {self.outcome[i]})")
        f = self.facility_level
        bad = ~np.isnan(f) & ((f < 0) | (f > 1))
        if bad.any():
            i = _first_bad(bad)
            _fail(t, "facility_level", i, f"must be in [0, 1] or NaN (got {f[i]:g})")
        a, d = self.visit_adequate_min, self.visit_desired_min
        bad = ~np.isnan(a) & ~(a > 0)
        if bad.any():
            i = _first_bad(bad)
            _fail(t, "visit_adequate_min", i, f"must be > 0 or NaN (got {a[i]:g})")
        bad = ~np.isnan(d) & ~((d > 0) & (d < a))
        if bad.any():
            i = _first_bad(bad)
            _fail(
                t,
                "visit_desired_min",
                i,
                f"must be > 0 and < visit_adequate_min (got {d[i]:g}; expected < {a[i]:g})",
            )
        bad = (self.visit_kano < 0) | (self.visit_kano > 2)
        if bad.any():
            i = _first_bad(bad)
            _fail(t, "visit_kano", i, f"must be in 0..2 (got {self.visit_kano[i]})")

    @property
    def n_customers(self) -> int:
        """Number of customers."""
        return int(self.outcome.shape[0])

    @classmethod
    def build(cls, outcome: Any, **columns: Any) -> CustomerTable:
        """Build a table; ``outcome`` may be codes or names ("served", "balked", "abandoned").

        Scalars are broadcast. Defaults: ``class_name`` "", NaN for the float columns,
        ``visit_kano`` 1, no flags.

        Examples
        --------
        >>> CustomerTable.build(["served", "abandoned"]).outcome.tolist()
        [0, 2]
        """
        out = np.asarray(outcome)
        if out.dtype.kind in "UO":
            try:
                out = np.array([OUTCOME_CODES[str(o)] for o in out], dtype=np.int8)
            except KeyError as err:
                raise ValueError(
                    f"CustomerTable.outcome: unknown outcome {err.args[0]!r} "
                    f"(expected one of {sorted(OUTCOME_CODES)})"
                ) from None
        n = out.shape[0]
        unknown = set(columns) - set(cls._DTYPES) - {"flags"}
        if unknown:
            raise TypeError(f"CustomerTable.build: unknown columns {sorted(unknown)}")

        def col(name: str, default: Any) -> np.ndarray:
            v = columns.get(name, default)
            a = np.asarray(v)
            if a.ndim == 0:
                a = np.full(n, v)
            return a

        return cls(
            outcome=out,
            class_name=col("class_name", ""),
            facility_level=col("facility_level", np.nan),
            time_in_system_min=col("time_in_system_min", np.nan),
            visit_adequate_min=col("visit_adequate_min", np.nan),
            visit_desired_min=col("visit_desired_min", np.nan),
            visit_kano=col("visit_kano", 1),
            flags=columns.get("flags", {}),
        )
