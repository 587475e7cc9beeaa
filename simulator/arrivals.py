"""Arrival times of one replication, generated up front with NumPy.

Walk-ins follow a non-homogeneous Poisson process with a piecewise-constant rate, generated
exactly by inversion of the cumulative rate: if ``E_1, E_2, ...`` are unit exponentials and
``Λ(t)`` the integrated rate, the arrival times are ``Λ⁻¹(E_1 + ... + E_k)`` (Çinlar 1975;
Law, *Simulation Modeling and Analysis*, §8.6.2). No arrival falls at or after the doors close.
"""

from __future__ import annotations

import numpy as np
from scipy import special

from simulator.plan import SourcePlan
from simulator.rng import Streams


def nhpp_times(
    breaks_min: np.ndarray, rates_per_min: np.ndarray, end_min: float, rng: np.random.Generator
) -> np.ndarray:
    """Arrival times of a Poisson process with a piecewise-constant rate on [breaks[0], end).

    Parameters
    ----------
    breaks_min : ndarray
        Increasing times (minutes) from which each rate holds; the first is the start.
    rates_per_min : ndarray
        Rate per minute from each breakpoint (>= 0).
    end_min : float
        No arrival at or after this time.
    rng : numpy.random.Generator
        Source of the unit exponentials.

    Returns
    -------
    ndarray
        Sorted arrival times in minutes.
    """
    edges = np.append(breaks_min, end_min)
    cum = np.concatenate(([0.0], np.cumsum(rates_per_min * np.diff(edges))))
    total = cum[-1]
    if total <= 0:
        return np.zeros(0)
    out: list[np.ndarray] = []
    s = 0.0
    block = max(64, int(total * 1.1) + 16)
    while True:
        e = -np.log1p(-rng.random(block))
        cs = s + np.cumsum(e)
        s = cs[-1]
        done = cs >= total
        if done.any():
            out.append(cs[: int(np.argmax(done))])
            break
        out.append(cs)
    level = np.concatenate(out)
    seg = np.searchsorted(cum, level, side="right") - 1
    return edges[seg] + (level - cum[seg]) / rates_per_min[seg]


def source_arrivals(
    src: SourcePlan, streams: Streams, open_min: float, close_min: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Arrival times, class indices and group sizes of one source in one replication.

    Streams used (by name): ``arrivals:<source>``, ``class:<source>``, ``group:<source>``,
    ``no_show:<source>``, ``punctuality:<source>``.
    """
    name = src.name
    if src.kind == "poisson":
        times = nhpp_times(src.breaks_min, src.rates_per_min, close_min,
                           streams.generator(f"arrivals:{name}"))
        classes = _draw_classes(src, len(times), streams)
    elif src.kind == "appointments":
        slots = src.slots_min
        show = streams.generator(f"no_show:{name}").random(len(slots)) >= src.no_show
        z = special.ndtri(streams.generator(f"punctuality:{name}").random(len(slots)))
        times = slots + src.punctuality_mean_min + src.punctuality_sd_min * z
        times = np.maximum(times, open_min)
        keep = show & (times < close_min)
        times = times[keep]
        order = np.argsort(times, kind="stable")
        times = times[order]
        classes = np.full(len(times), src.fixed_class, dtype=int)
    else:  # trace
        # rows before opening wait at the door (arrive at open), as early appointments do
        keep = src.trace_min < close_min
        times = np.maximum(src.trace_min[keep], open_min)
        classes = src.trace_class[keep].copy()
        if src.fixed_class >= 0:
            classes[:] = src.fixed_class
        missing = classes < 0
        if missing.any():
            classes[missing] = _draw_classes(src, int(missing.sum()), streams)
        groups = src.trace_group[keep]
        return times, classes, groups
    if src.group_size is not None:
        g = src.group_size.sample(streams.generator(f"group:{name}"), len(times))
        groups = np.maximum(1, np.rint(g)).astype(int)
    else:
        groups = np.ones(len(times), dtype=int)
    return times, classes, groups


def _draw_classes(src: SourcePlan, n: int, streams: Streams) -> np.ndarray:
    u = streams.generator(f"class:{src.name}").random(n)
    pick = np.minimum(np.searchsorted(src.class_cum, u, side="right"), len(src.class_cum) - 1)
    return src.class_idx[pick]
