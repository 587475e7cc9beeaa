"""Arrival times of one replication, generated with NumPy in blocks as the run needs them.

Walk-ins follow a non-homogeneous Poisson process with a piecewise-constant rate, generated
exactly by inversion of the cumulative rate: if ``E_1, E_2, ...`` are unit exponentials and
``Λ(t)`` the integrated rate, the arrival times are ``Λ⁻¹(E_1 + ... + E_k)`` (Çinlar 1975;
Law, *Simulation Modeling and Analysis*, §8.6.2). No arrival falls at or after the doors close.

Meal peaks add Gaussian bumps to that rate. The extra arrivals are an independent Poisson
process (the superposition of two Poisson processes is a Poisson process with the summed rate),
generated exactly by thinning (Lewis and Shedler 1979): candidates from a piecewise-constant
majorant, each kept with probability ``rate(t) / majorant(t)``. The baseline arrivals are the
same with or without peaks.

Arrival waves are batches: each wave happens with its show probability, draws its size, and
spreads its customers around its time (normal, uniform or exponential offsets, by inverse CDF).

Plain walk-ins (no peaks) are generated lazily, :data:`BLOCK` arrivals at a time
(:func:`source_arrival_blocks`), so a run of any length holds one block of arrivals; the
blocks draw the very same random numbers, in the same order, as generating everything at
once (:func:`source_arrivals`). Other sources are bounded by their schedule and come in one
block.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from simulator.engine.rng import Streams
from simulator.scenario.plan import WAVE_SHAPES, SourcePlan

#: The majorant of a peak is constant on cells half a width wide, out to this many widths.
_MAJORANT_WIDTHS = 8
#: Arrivals generated at a time for plain walk-ins.
BLOCK = 4096

Arrivals = tuple[np.ndarray, np.ndarray, np.ndarray]
"""Arrival times (minutes), class indices and group sizes."""


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
    parts = list(nhpp_blocks(breaks_min, rates_per_min, end_min, rng,
                             max(64, int(_total(breaks_min, rates_per_min, end_min) * 1.1) + 16)))
    return np.concatenate(parts) if parts else np.zeros(0)


def _total(breaks_min: np.ndarray, rates_per_min: np.ndarray, end_min: float) -> float:
    """Integrated rate over ``[breaks[0], end)``."""
    return float(np.sum(rates_per_min * np.diff(np.append(breaks_min, end_min))))


def nhpp_blocks(breaks_min: np.ndarray, rates_per_min: np.ndarray, end_min: float,
                rng: np.random.Generator, block: int = BLOCK) -> Iterator[np.ndarray]:
    """:func:`nhpp_times` in pieces of at most ``block`` arrivals, generated on demand.

    The integrated-rate levels are a running sum of unit exponentials started from the last
    level of the previous piece, so the pieces joined equal :func:`nhpp_times` exactly,
    whatever ``block``.
    """
    edges = np.append(breaks_min, end_min)
    cum = np.concatenate(([0.0], np.cumsum(rates_per_min * np.diff(edges))))
    total = cum[-1]
    if total <= 0:
        return
    s = 0.0
    while True:
        e = -np.log1p(-rng.random(block))
        cs = np.cumsum(np.concatenate(([s], e)))[1:]  # continues the running sum exactly
        done = cs >= total
        level = cs[: int(np.argmax(done))] if done.any() else cs
        if level.size:
            seg = np.searchsorted(cum, level, side="right") - 1
            yield edges[seg] + (level - cum[seg]) / rates_per_min[seg]
        if done.any():
            return
        s = cs[-1]


def peak_rate(
    t_min: np.ndarray, at_min: np.ndarray, extra_per_min: np.ndarray, width_min: np.ndarray
) -> np.ndarray:
    """Extra rate per minute of Gaussian bumps at times ``t_min``.

    Parameters
    ----------
    t_min : ndarray
        Times (minutes).
    at_min, extra_per_min, width_min : ndarray
        Top time, rate at the top (per minute) and standard deviation (minutes) of each bump.

    Returns
    -------
    ndarray
        ``sum_j extra_j * exp(-(t - at_j)^2 / (2 width_j^2))`` at each time.
    """
    z = (np.asarray(t_min, dtype=float)[:, None] - at_min) / width_min
    return np.exp(-0.5 * z * z) @ extra_per_min


def peak_majorant(
    at_min: np.ndarray, extra_per_min: np.ndarray, width_min: np.ndarray, start_min: float,
    end_min: float,
) -> tuple[np.ndarray, np.ndarray]:
    """A piecewise-constant rate that bounds the bumps from above on [start, end).

    Cells are half a width wide within ``_MAJORANT_WIDTHS`` widths of each top; beyond, one
    cell reaches to the start or the end. On each cell every bump is bounded by its value at
    the cell's point nearest to its top (a bump is unimodal), so the bound is exact.

    Returns
    -------
    tuple of ndarray
        Breakpoints (the first is ``start_min``) and the majorant per minute from each.
    """
    k = np.arange(-2 * _MAJORANT_WIDTHS, 2 * _MAJORANT_WIDTHS + 1) * 0.5
    grid = (at_min[:, None] + width_min[:, None] * k).ravel()
    inner = grid[(grid > start_min) & (grid < end_min)]
    edges = np.unique(np.concatenate(([start_min, end_min], inner)))
    lo, hi = edges[:-1], edges[1:]
    nearest = np.clip(at_min[:, None], lo, hi)  # (peaks, cells)
    z = (nearest - at_min[:, None]) / width_min[:, None]
    bound = extra_per_min @ np.exp(-0.5 * z * z)
    return lo, bound


def peak_times(
    src: SourcePlan, open_min: float, close_min: float, candidates: np.random.Generator,
    accept: np.random.Generator,
) -> np.ndarray:
    """Arrival times of a source's meal peaks alone, on [open, close), by thinning.

    Parameters
    ----------
    src : SourcePlan
        A walk-in source with peaks.
    open_min, close_min : float
        The day (or steady-state run) in minutes.
    candidates : numpy.random.Generator
        Unit exponentials of the majorant's Poisson process.
    accept : numpy.random.Generator
        One uniform per candidate, for the acceptance test.

    Returns
    -------
    ndarray
        Sorted arrival times in minutes.
    """
    at, extra, width = src.peak_at_min, src.peak_extra_per_min, src.peak_width_min
    breaks, bound = peak_majorant(at, extra, width, open_min, close_min)
    cand = nhpp_times(breaks, bound, close_min, candidates)
    u = accept.random(len(cand))
    cell = np.searchsorted(breaks, cand, side="right") - 1
    return cand[u * bound[cell] < peak_rate(cand, at, extra, width)]


def wave_times(src: SourcePlan, streams: Streams) -> np.ndarray:
    """Arrival times of every customer of a wave source, wave by wave (not sorted, not clipped).

    Streams used: ``wave_show:<source>`` (one uniform per wave: it happens when the uniform is
    below its show probability), ``wave_size:<source>`` (one uniform per wave, through the size
    distribution's inverse CDF) and ``wave:<source>:<i>`` (the spread of wave ``i``, one uniform
    per customer through the inverse CDF of its shape).
    """
    name = src.name
    n = len(src.wave_at_min)
    u_show = streams.generator(f"wave_show:{name}").random(n)
    u_size = streams.generator(f"wave_size:{name}").random(n)
    out: list[np.ndarray] = []
    for i in range(n):
        if u_show[i] >= src.wave_show[i]:
            continue
        size = src.wave_size[i]
        if not isinstance(size, int):
            size = int(max(0.0, float(np.rint(size.ppf(u_size[i:i + 1])[0]))))
        at, spread = float(src.wave_at_min[i]), float(src.wave_spread_min[i])
        if size == 0:
            continue
        if spread == 0:
            out.append(np.full(size, at))
            continue
        u = streams.generator(f"wave:{name}:{i}").random(size)
        shape = WAVE_SHAPES[int(src.wave_shape[i])]
        if shape == "normal":
            from scipy import special  # on first use, as in distributions

            offset = special.ndtri(u)
        elif shape == "uniform":
            offset = u - 0.5
        else:  # exponential
            offset = -np.log1p(-u)
        out.append(at + spread * offset)
    return np.concatenate(out) if out else np.zeros(0)


def source_arrivals(
    src: SourcePlan, streams: Streams, open_min: float, close_min: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Arrival times, class indices and group sizes of one source in one replication.

    Streams used (by name): ``arrivals:<source>``, ``class:<source>``, ``group:<source>``,
    ``no_show:<source>``, ``punctuality:<source>`` and ``lead_time:<source>``; meal peaks:
    ``peaks:<source>``, ``thin:<source>``, ``peak_class:<source>``, ``peak_group:<source>``;
    waves: see :func:`wave_times`, with ``class:<source>`` and ``group:<source>``.
    """
    name = src.name
    if src.kind == "poisson":
        times = nhpp_times(src.breaks_min, src.rates_per_min, close_min,
                           streams.generator(f"arrivals:{name}"))
        classes = _draw_classes(src, len(times), streams, f"class:{name}")
        groups = _draw_groups(src, len(times), streams, f"group:{name}")
        if src.peak_at_min.size:
            extra = peak_times(src, open_min, close_min, streams.generator(f"peaks:{name}"),
                               streams.generator(f"thin:{name}"))
            order = np.argsort(np.concatenate((times, extra)), kind="stable")
            times = np.concatenate((times, extra))[order]
            classes = np.concatenate(
                (classes, _draw_classes(src, len(extra), streams, f"peak_class:{name}")))[order]
            groups = np.concatenate(
                (groups, _draw_groups(src, len(extra), streams, f"peak_group:{name}")))[order]
        return times, classes, groups
    if src.kind == "waves":
        times = wave_times(src, streams)
        if src.fixed_class >= 0:
            classes = np.full(len(times), src.fixed_class, dtype=int)
        else:
            classes = _draw_classes(src, len(times), streams, f"class:{name}")
        groups = _draw_groups(src, len(times), streams, f"group:{name}")
        times = np.maximum(times, open_min)  # early birds wait for the doors
        keep = np.flatnonzero(times < close_min)
        order = keep[np.argsort(times[keep], kind="stable")]
        return times[order], classes[order], groups[order]
    if src.kind == "appointments":
        slots = src.slots_min
        no_show: float | np.ndarray = src.no_show
        if src.booking is not None:  # booked days ahead: no-show by each slot's lead time
            lead = src.booking.lead_time_days.ppf(
                streams.generator(f"lead_time:{name}").random(len(slots)))
            no_show = src.booking.no_show_at(lead)
        show = streams.generator(f"no_show:{name}").random(len(slots)) >= no_show
        from scipy import special

        z = special.ndtri(streams.generator(f"punctuality:{name}").random(len(slots)))
        times = slots + src.punctuality_mean_min + src.punctuality_sd_min * z
        times = np.maximum(times, open_min)
        keep = show & (times < close_min)
        times = times[keep]
        order = np.argsort(times, kind="stable")
        times = times[order]
        classes = np.full(len(times), src.fixed_class, dtype=int)
        return times, classes, _draw_groups(src, len(times), streams, f"group:{name}")
    # trace: rows before opening wait at the door (arrive at open), as early appointments do
    keep = src.trace_min < close_min
    times = np.maximum(src.trace_min[keep], open_min)
    classes = src.trace_class[keep].copy()
    if src.fixed_class >= 0:
        classes[:] = src.fixed_class
    missing = classes < 0
    if missing.any():
        classes[missing] = _draw_classes(src, int(missing.sum()), streams, f"class:{name}")
    return times, classes, src.trace_group[keep]


def source_arrival_blocks(src: SourcePlan, streams: Streams, open_min: float,
                          close_min: float, block: int = BLOCK) -> Iterator[Arrivals]:
    """:func:`source_arrivals` in time order, in blocks generated as they are needed: plain
    walk-ins lazily, :data:`BLOCK` at a time; other sources in one block. Joined, the
    blocks equal :func:`source_arrivals` exactly."""
    if src.kind != "poisson" or src.peak_at_min.size:
        yield source_arrivals(src, streams, open_min, close_min)
        return
    name = src.name
    classes_rng = streams.generator(f"class:{name}")
    groups_rng = streams.generator(f"group:{name}")
    for times in nhpp_blocks(src.breaks_min, src.rates_per_min, close_min,
                             streams.generator(f"arrivals:{name}"), block):
        n = len(times)
        yield times, _classes(src, classes_rng.random(n)), _groups(src, groups_rng, n)


def _classes(src: SourcePlan, u: np.ndarray) -> np.ndarray:
    pick = np.minimum(np.searchsorted(src.class_cum, u, side="right"), len(src.class_cum) - 1)
    return src.class_idx[pick]


def _groups(src: SourcePlan, rng: np.random.Generator, n: int) -> np.ndarray:
    if src.group_size is None:
        return np.ones(n, dtype=int)
    g = src.group_size.sample(rng, n)
    return np.maximum(1, np.rint(g)).astype(int)


def _draw_classes(src: SourcePlan, n: int, streams: Streams, stream: str) -> np.ndarray:
    return _classes(src, streams.generator(stream).random(n))


def _draw_groups(src: SourcePlan, n: int, streams: Streams, stream: str) -> np.ndarray:
    return _groups(src, streams.generator(stream), n)
