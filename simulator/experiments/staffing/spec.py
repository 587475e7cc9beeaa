"""What a staffing study asks: the groups to staff, their stations and counter caps, and the
targets each interval must meet.

Targets come from the scenario's service standards (those of the group's home station by
default, or the ones named) and from options: the most abandonment, the longest mean wait, the
highest probability of waiting, the lowest predicted satisfaction. Each is measured per
interval on the customers who arrived (joined the group's line) in the interval
(:mod:`simulator.measures.intervals`). Every mistake raises :class:`StaffingError` with a
message that says what was wrong and what would do.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, replace

from simulator.scenario.fields import clock_to_min
from simulator.scenario.pathways import Standard, step_stations
from simulator.scenario.schema import Scenario, group_serves

__all__ = [
    "GroupSpec",
    "StaffingError",
    "Target",
    "TargetOptions",
    "did_you_mean",
    "resolve_groups",
]

#: Scale of predicted satisfaction (E[CSAT] on a 1-5 scale).
CSAT_RANGE = (1.0, 5.0)


class StaffingError(ValueError):
    """A staffing study cannot be set up or solved; the message says why and what would do."""


def did_you_mean(name: str, choices: Sequence[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest choice, or an empty string."""
    close = difflib.get_close_matches(name, list(choices), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


@dataclass(frozen=True)
class Target:
    """One target measured per interval.

    Attributes
    ----------
    kind : ``standard`` (share within a wait limit), ``abandon``, ``mean_wait``, ``delay``
        (probability of waiting) or ``csat`` (mean predicted satisfaction of all arrivals)
    level : the share to reach (standard) or the bound (others)
    label : human label with units
    standard : index of the standard in the scenario's ``standards`` (``standard`` only)
    """

    kind: str
    level: float
    label: str
    standard: int = -1
    within_min: float = 0.0

    @property
    def higher_is_better(self) -> bool:
        """True when the measured value must be at least ``level``."""
        return self.kind in ("standard", "csat")

    @property
    def key(self) -> str:
        """Machine name used in CSV columns."""
        return f"standard_{self.standard}" if self.kind == "standard" else self.kind

    def met(self, value: float) -> bool:
        """Whether a measured value meets the target (no customers: met)."""
        if value != value:
            return True
        return value >= self.level - 1e-12 if self.higher_is_better else value <= self.level + 1e-12

    def bounds(self) -> tuple[float, float]:
        """The values the measure can take (intervals are clipped to them)."""
        if self.kind == "mean_wait":
            return (0.0, float("inf"))
        if self.kind == "csat":
            return CSAT_RANGE
        return (0.0, 1.0)


@dataclass(frozen=True)
class TargetOptions:
    """Targets given as options, beside or instead of the scenario's standards."""

    standards: tuple[str, ...] = ()
    max_abandon: float | None = None
    max_mean_wait_min: float | None = None
    max_delay_prob: float | None = None
    min_csat: float | None = None


@dataclass(frozen=True)
class GroupSpec:
    """A staff group to staff: its index, home and measured stations, cap and targets."""

    name: str
    idx: int
    station: int  # home station index (requirement and measures)
    station_name: str
    cap: int  # counters at the home station
    targets: tuple[Target, ...]
    patience_min: float | None  # mean patience at the home station (Erlang A), if any

    def with_level(self, level: float) -> GroupSpec:
        """The same group with every service standard's share set to ``level``."""
        return replace(self, targets=tuple(
            replace(t, level=level, label=_std_label(t, level)) if t.kind == "standard" else t
            for t in self.targets))


def _std_label(t: Target, level: float) -> str:
    head = t.label.split(":")[0]
    return f"{head}: at least {level:.0%} within {t.within_min:g} min"


def _check_options(opts: TargetOptions) -> None:
    if opts.max_abandon is not None and not 0 <= opts.max_abandon < 1:
        raise StaffingError(f"--max-abandon must be a share from 0 up to (not including) 1 "
                            f"(got {opts.max_abandon:g}; expected e.g. 0.05)")
    if opts.max_mean_wait_min is not None and not opts.max_mean_wait_min > 0:
        raise StaffingError(f"--max-mean-wait cannot be met at any staffing (got "
                            f"{opts.max_mean_wait_min:g} min; expected more than 0 min)")
    if opts.max_delay_prob is not None and not 0 < opts.max_delay_prob < 1:
        raise StaffingError(f"--max-delay-prob must be between 0 and 1 (got "
                            f"{opts.max_delay_prob:g}; expected e.g. 0.2)")
    lo, hi = CSAT_RANGE
    if opts.min_csat is not None and not lo < opts.min_csat < hi:
        raise StaffingError(f"--min-csat cannot be met at any staffing (got {opts.min_csat:g}; "
                            f"expected a mean satisfaction between {lo:g} and {hi:g})")


def _mean_patience(sc: Scenario, station: str) -> float | None:
    """Share-weighted mean patience of the classes whose pathway visits ``station``."""
    total, weight = 0.0, 0.0
    for cc in sc.customer_classes.values():
        steps = sc.pathways.get(cc.pathway, [])
        names = {n for s in steps for n in step_stations(s)}
        if station not in names or cc.patience is None:
            continue
        w = cc.share if cc.share > 0 else 1.0
        total += w * float(cc.patience.mean)
        weight += w
    return total / weight if weight > 0 else None


def resolve_groups(sc: Scenario, names: Sequence[str], opts: TargetOptions) -> list[GroupSpec]:
    """Check the groups and targets of a staffing study and resolve them.

    Raises
    ------
    StaffingError
        Unknown group or standard ("did you mean"), a group without a station, a target that
        cannot be met at any staffing, a steady-state scenario, or no target at all.
    """
    if not sc.terminating:
        raise StaffingError("servsim staff plans a service day (got a steady-state scenario "
                            "with run.length_min; expected clock.close)")
    _check_options(opts)
    if not names:
        raise StaffingError("name at least one staff group with --group (expected one of "
                            + ", ".join(sc.staff) + ")")
    serves = group_serves(sc)
    stations = list(sc.stations)
    std_names = [s.name for s in sc.standards]
    for want in opts.standards:
        if want not in std_names:
            raise StaffingError(f"no service standard named {want!r}{did_you_mean(want, std_names)}"
                                f" (expected one of: {', '.join(std_names) or 'none defined'})")
    out: list[GroupSpec] = []
    for name in dict.fromkeys(names):
        if name not in sc.staff:
            raise StaffingError(f"no staff group named {name!r}{did_you_mean(name, list(sc.staff))}"
                                f" (expected one of {', '.join(sc.staff)})")
        home = next((s for s in serves[name] if s in sc.stations), None)
        if home is None:
            raise StaffingError(f"staff group {name!r} serves no station (got a housekeeping "
                                "group; expected a group whose people serve counters)")
        targets = _targets(sc, home, opts)
        if not targets:
            raise StaffingError(
                f"no target for staff group {name!r}: the scenario has no service standard at "
                f"{home!r} (expected --standard NAME, --max-abandon, --max-mean-wait, "
                "--max-delay-prob or --min-csat)")
        out.append(GroupSpec(name, list(sc.staff).index(name), stations.index(home), home,
                             sc.stations[home].counters, tuple(targets),
                             _mean_patience(sc, home)))
    return out


def _targets(sc: Scenario, home: str, opts: TargetOptions) -> list[Target]:
    chosen: list[tuple[int, Standard]] = []
    if opts.standards:
        chosen = [(i, s) for i, s in enumerate(sc.standards) if s.name in opts.standards]
    elif not any(v is not None for v in (opts.max_abandon, opts.max_mean_wait_min,
                                         opts.max_delay_prob, opts.min_csat)):
        chosen = [(i, s) for i, s in enumerate(sc.standards) if s.station == home]
    out: list[Target] = []
    for i, s in chosen:
        if s.target_share >= 1.0:
            raise StaffingError(f"standard {s.name!r} cannot be met at any staffing: a share "
                                f"of 100 % within {s.wait_max_min:g} min (got target_share 1; "
                                "expected less than 1)")
        t = Target("standard", s.target_share, s.name, i, s.wait_max_min)
        out.append(replace(t, label=_std_label(t, s.target_share)))
    given = (("abandon", opts.max_abandon, "abandonment at {home}: at most {v:.1%}"),
             ("mean_wait", opts.max_mean_wait_min, "mean wait at {home}: at most {v:g} min"),
             ("delay", opts.max_delay_prob, "probability of waiting at {home}: at most {v:.0%}"),
             ("csat", opts.min_csat, "predicted satisfaction (1-5): at least {v:g}"))
    out += [Target(kind, v, label.format(home=home, v=v))
            for kind, v, label in given if v is not None]
    return out


def check_interval(sc: Scenario, interval_min: int) -> None:
    """The opening hours must be a whole number of intervals."""
    length = clock_to_min(str(sc.clock.close)) - sc.open_min
    if interval_min not in (15, 30, 60):
        raise StaffingError(f"--interval must be 15, 30 or 60 min (got {interval_min})")
    if length % interval_min:
        fits = [m for m in (15, 30, 60) if length % m == 0]
        raise StaffingError(
            f"the day {sc.clock.open}-{sc.clock.close} ({length:g} min) is not a whole number "
            f"of {interval_min}-min intervals (expected --interval "
            f"{' or '.join(map(str, fits)) or '15, 30 or 60 with opening hours to match'})")
