"""Replay one replication as an animation: customers arriving, queueing at counters, leaving.

:func:`build_frames` turns a replication's records (visits with join, start and end times,
the counter that served each visit, customers' departures, the stations' staff-on-duty
series) into frames on a time grid: who stands in which line, in order, who is at which
counter, how many counters are staffed, who left since the last frame and how. It is a pure
function of the records, so the frames obey the records exactly: at every frame time the
lines hold as many customers as the level series' ``queue_len``, the counters as many as
``busy``, and everyone inside (arrived, not yet departed) is in exactly one line or at one
counter.

:func:`animation_html` renders frames as a self-contained HTML page (a canvas and a few
dozen lines of plain JavaScript, no network) with play/pause, a time slider and a speed
control; the app embeds it with ``streamlit.components.v1.html``. Between frames customers
glide from their old place to the new one.

Display conventions
-------------------
A single line is drawn in serving order (priority rank, then joining time). With a line per
counter, a waiting customer is drawn in the line of the counter that served them; a customer
who left that line unserved is drawn in line ``customer_id mod counters`` (the records do
not say which line they chose).
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from simulator.engine.records import CustomerOutcome, Records, VisitOutcome
from simulator.scenario.fields import min_to_clock

__all__ = ["Animated", "Frame", "Frames", "animation_html", "build_frames", "frame_step_min",
           "render"]

#: Outcome names of customers leaving, by :class:`CustomerOutcome` code.
LEAVE_NAMES = {int(CustomerOutcome.SERVED): "served", int(CustomerOutcome.BALKED): "balked",
               int(CustomerOutcome.ABANDONED): "abandoned"}


@dataclass(frozen=True)
class Animated:
    """One replication to replay: its records, the station layout and the time window.

    Attributes
    ----------
    title : str
        Caption above the animation.
    records : Records
        The replication's tables.
    counters : tuple of int
        Counters per station (records order).
    per_counter : tuple of bool
        True where the station has a line per counter.
    class_rank : tuple of int
        Queue rank per class (0 is served first).
    start_min, end_min : float
        Window to replay, minutes after midnight.
    """

    title: str
    records: Records
    counters: tuple[int, ...]
    per_counter: tuple[bool, ...]
    class_rank: tuple[int, ...]
    start_min: float
    end_min: float


@dataclass(frozen=True)
class Frame:
    """The state at one instant.

    Attributes
    ----------
    time_min : float
        Minutes after midnight.
    lines : list of list of (int, int)
        Per station, the waiting customers in drawing order as ``(customer_id, lane)``; lane
        is 0 for a single line, the counter's line otherwise.
    counters : list of list of int
        Per station and counter, the customer in service there (-1: free).
    on_duty : list of int
        Per station, counters staffed (all counters for unstaffed stations).
    left : list of (int, int)
        Customers who departed in (previous frame time, this time], with their
        :class:`CustomerOutcome`.
    totals : tuple of int
        Customers served, balked and abandoned up to this time.
    """

    time_min: float
    lines: list[list[tuple[int, int]]]
    counters: list[list[int]]
    on_duty: list[int]
    left: list[tuple[int, int]]
    totals: tuple[int, int, int]


@dataclass(frozen=True)
class Frames:
    """A replication on a time grid, ready to draw."""

    station_names: tuple[str, ...]
    class_names: tuple[str, ...]
    n_counters: tuple[int, ...]
    per_counter: tuple[bool, ...]
    customer_class: dict[int, int]
    frames: list[Frame]

    @property
    def times_min(self) -> np.ndarray:
        """Frame times, minutes after midnight."""
        return np.array([f.time_min for f in self.frames])


def frame_step_min(start_min: float, end_min: float, max_frames: int = 720) -> float:
    """Grid step giving at most ``max_frames`` frames, never finer than half a minute.

    Examples
    --------
    >>> frame_step_min(540.0, 780.0)
    0.5
    >>> frame_step_min(0.0, 1440.0)
    2.0
    """
    return max(0.5, (end_min - start_min) / max_frames)


def build_frames(
    records: Records,
    counters: Sequence[int],
    per_counter: Sequence[bool],
    start_min: float,
    end_min: float,
    step_min: float | None = None,
    class_rank: Sequence[int] | None = None,
) -> Frames:
    """Sample who is where at ``start_min, start_min + step, ...`` and at the window's end.

    Parameters
    ----------
    records : Records
        One replication's tables.
    counters : sequence of int
        Counters per station, in ``records.station_names`` order.
    per_counter : sequence of bool
        True where the station has a line per counter.
    start_min, end_min : float
        Window, minutes after midnight (clipped to the simulated span).
    step_min : float, optional
        Grid step; default :func:`frame_step_min`.
    class_rank : sequence of int, optional
        Queue rank per class (0 is served first); default all equal (FIFO).

    Returns
    -------
    Frames

    Notes
    -----
    A visit occupies its line over ``[join, service start)`` (to the customer's departure if
    it abandoned, to the end of the run if it never started) and its counter over
    ``[service start, service end)``; balked and blocked visits occupy nothing. Intervals are
    half-open, so at an instant where a customer moves on, they are drawn at the new place.
    """
    t0 = float(start_min)
    t1 = max(t0, min(float(end_min), float(records.end_min)))
    step = frame_step_min(t0, t1) if step_min is None else float(step_min)
    if not step > 0:
        raise ValueError(f"step_min must be > 0 (got {step_min})")
    n = max(1, math.floor((t1 - t0) / step + 1e-9) + 1)
    times = t0 + step * np.arange(n)
    if times[-1] < t1 - 1e-9:  # end on the last instant, so everyone is seen leaving
        times = np.append(times, t1)

    v, c = records.visits, records.customers
    cid = v["customer_id"]
    station = v["station_idx"].astype(np.int64)
    join, start, end = v["join_min"], v["start_min"], v["end_min"]
    outcome = v["outcome"]
    cust_pos = np.searchsorted(c["customer_id"], cid)
    departure = np.where(np.isnan(c["departure_min"]), math.inf, c["departure_min"])
    started = np.isfinite(start)
    no_line = np.isin(outcome, [int(VisitOutcome.BALKED), int(VisitOutcome.BLOCKED)])
    line_end = np.where(started, start, departure[cust_pos])
    line_end = np.where(no_line, join, line_end)
    serve_end = np.where(started, np.where(np.isfinite(end), end, math.inf), -math.inf)
    serve_start = np.where(started, start, math.inf)
    ranks = np.zeros(len(records.class_names), dtype=np.int64) if class_rank is None else (
        np.asarray(class_rank, dtype=np.int64))
    rank = ranks[v["class_idx"].astype(np.int64)]
    n_c = np.asarray(counters, dtype=np.int64)
    served_counter = v["counter"].astype(np.int64)
    lane = np.where(served_counter >= 0, served_counter, cid % np.maximum(n_c[station], 1))
    lane = np.where(np.asarray(per_counter, dtype=bool)[station], lane, 0)
    order = np.lexsort((cid, join, rank))  # drawing order within a line

    levels = records.levels
    duty_rows = [np.flatnonzero(levels["station_idx"] == s)
                 for s in range(len(records.station_names))]

    c_dep, c_out = c["departure_min"], c["outcome"]
    finite_dep = np.isfinite(c_dep)
    frames: list[Frame] = []
    prev = t0 - step  # the first frame shows who left in the step before it
    for t in times:
        waiting = (join <= t) & (t < line_end)
        serving = (serve_start <= t) & (t < serve_end)
        lines: list[list[tuple[int, int]]] = [[] for _ in counters]
        for i in order[waiting[order]]:
            lines[station[i]].append((int(cid[i]), int(lane[i])))
        at: list[list[int]] = [[-1] * int(k) for k in counters]
        for i in np.flatnonzero(serving):
            at[station[i]][int(served_counter[i])] = int(cid[i])
        duty = []
        for s, rows in enumerate(duty_rows):
            k = np.searchsorted(levels["time_min"][rows], t, side="right") - 1
            duty.append(int(levels["on_duty"][rows][k]) if k >= 0 else int(counters[s]))
        gone = finite_dep & (c_dep > prev) & (c_dep <= t)
        left = [(int(i), int(o)) for i, o in zip(c["customer_id"][gone], c_out[gone],
                                                   strict=True)]
        done = finite_dep & (c_dep <= t)
        totals = tuple(int(np.count_nonzero(done & (c_out == o)))
                       for o in (CustomerOutcome.SERVED, CustomerOutcome.BALKED,
                                 CustomerOutcome.ABANDONED))
        frames.append(Frame(float(t), lines, at, duty, left, totals))  # type: ignore[arg-type]
        prev = float(t)
    return Frames(
        station_names=tuple(records.station_names),
        class_names=tuple(records.class_names),
        n_counters=tuple(int(k) for k in counters),
        per_counter=tuple(bool(p) for p in per_counter),
        customer_class={int(i): int(k) for i, k in zip(c["customer_id"], c["class_idx"],
                                                        strict=True)},
        frames=frames,
    )


def payload(frames: Frames) -> dict:
    """The frames as plain JSON-ready lists (what the page's script reads)."""
    shown = {i for f in frames.frames for line in f.lines for i, _ in line}
    shown |= {i for f in frames.frames for row in f.counters for i in row if i >= 0}
    shown |= {i for f in frames.frames for i, _ in f.left}
    return {
        "stations": list(frames.station_names),
        "classes": list(frames.class_names),
        "counters": list(frames.n_counters),
        "perCounter": list(frames.per_counter),
        "cls": {str(i): frames.customer_class[i] for i in sorted(shown)},
        "t": [round(f.time_min, 4) for f in frames.frames],
        "clock": [min_to_clock(f.time_min) for f in frames.frames],
        "q": [[[[i, ln] for i, ln in line] for line in f.lines] for f in frames.frames],
        "s": [f.counters for f in frames.frames],
        "d": [f.on_duty for f in frames.frames],
        "x": [[[i, o] for i, o in f.left] for f in frames.frames],
        "n": [list(f.totals) for f in frames.frames],
    }


#: Pixel layout shared by :func:`canvas_height` and the page's script.
LANE_PX = 16
BAND_HEAD_PX = 22
MAX_LANES = 24


def canvas_height(frames: Frames) -> int:
    """Height in pixels of the drawing (the page adds its controls above it)."""
    lanes = [min(MAX_LANES, max(2, k)) for k in frames.n_counters]
    return int(sum(BAND_HEAD_PX + LANE_PX * n + 8 for n in lanes) + 24)


def animation_html(frames: Frames, title: str = "", minutes_per_second: float = 10.0) -> str:
    """A self-contained HTML page replaying ``frames`` on a canvas (no external scripts).

    Parameters
    ----------
    frames : Frames
        From :func:`build_frames`.
    title : str
        Caption shown above the controls.
    minutes_per_second : float
        Initial replay speed, simulated minutes per second of real time.

    Returns
    -------
    str
        An HTML document; its height is :func:`canvas_height` plus about 70 pixels.
    """
    data = json.dumps(payload(frames), separators=(",", ":"))
    speeds = [1, 2, 5, 10, 20, 30, 60]
    options = "".join(
        f'<option value="{s}"{" selected" if s == minutes_per_second else ""}>{s} min/s</option>'
        for s in speeds)
    return (_PAGE
            .replace("__TITLE__", html.escape(title))
            .replace("__OPTIONS__", options)
            .replace("__HEIGHT__", str(canvas_height(frames)))
            .replace("__LANE__", str(LANE_PX))
            .replace("__HEAD__", str(BAND_HEAD_PX))
            .replace("__MAXLANES__", str(MAX_LANES))
            .replace("__SPEED__", str(float(minutes_per_second)))
            .replace("__DATA__", data.replace("</", "<\\/")))


_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8">
<style>
 body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;font-size:13px;color:#222;
      overflow-x:hidden}
 .bar{display:flex;gap:8px;align-items:center;padding:4px 2px;flex-wrap:wrap}
 .bar button{min-width:64px} #clock{font-weight:600;font-variant-numeric:tabular-nums;width:44px}
 #time{flex:1;min-width:160px} #stats{color:#555;font-variant-numeric:tabular-nums}
 canvas{border:1px solid #ddd;border-radius:4px}
</style></head><body>
<div class="bar"><b>__TITLE__</b></div>
<div class="bar">
 <button id="play" type="button">Play</button>
 <span id="clock">--:--</span>
 <input id="time" type="range" min="0" value="0" step="1" aria-label="replay time">
 <label>speed <select id="speed" aria-label="replay speed">__OPTIONS__</select></label>
</div>
<div class="bar" id="stats"></div>
<canvas id="cv" width="640" height="__HEIGHT__"></canvas>
<script>
const D = __DATA__;
const LANE = __LANE__, HEAD = __HEAD__, MAXL = __MAXLANES__;
const cv = document.getElementById("cv"), g = cv.getContext("2d");
const XIN = 16, GAP = 9;
let W = 640, XC = 530, XOUT = 600;
function fit() {  // the canvas spans the frame's width, whatever the column gives it
  W = cv.width = Math.max(360, Math.min(1400, document.documentElement.clientWidth - 6));
  XC = W - 110; XOUT = W - 40; cacheF = -1;
}
const PAL = ["#1f77b4","#9467bd","#8c564b","#e377c2","#17becf","#bcbd22","#7f7f7f"];
const OUT = {0:"#2ca02c", 1:"#ff7f0e", 2:"#d62728"};
const time = document.getElementById("time"), clock = document.getElementById("clock");
const play = document.getElementById("play"), speed = document.getElementById("speed");
const stats = document.getElementById("stats");
time.max = D.t.length - 1;
const LEGEND = (D.classes.length > 1 ? "  |  dots: " + D.classes.map((c, i) =>
  c + " " + ["blue", "purple", "brown", "pink", "cyan", "olive", "grey"][i % 7]).join(", ") : "") +
  "  |  leaving: green served, orange balked, red abandoned";
speed.value = String(__SPEED__);
const bands = []; let y = 6;
for (let s = 0; s < D.stations.length; s++) {
  const lanes = Math.min(MAXL, Math.max(2, D.counters[s]));
  bands.push({y: y, lanes: lanes}); y += HEAD + LANE * lanes + 8;
}
function place(f) {
  const P = new Map();
  for (let s = 0; s < D.stations.length; s++) {
    const b = bands[s], top = b.y + HEAD, perRow = Math.floor((XC - 40) / GAP);
    const k = D.counters[s], laneOf = c => Math.min(b.lanes - 1, Math.floor(c * b.lanes / k));
    const slots = D.s[f][s];
    for (let c = 0; c < slots.length; c++) if (slots[c] >= 0)
      P.set(slots[c], [XC + 11, top + laneOf(c) * LANE + LANE / 2]);
    const q = D.q[f][s], used = {};
    for (let j = 0; j < q.length; j++) {
      const id = q[j][0], lane = q[j][1];
      if (D.perCounter[s]) {
        const row = laneOf(lane); const n = used[row] = (used[row] || 0) + 1;
        if (n <= perRow) P.set(id, [XC - 14 - (n - 1) * GAP, top + row * LANE + LANE / 2]);
      } else {
        const row = Math.floor(j / perRow), col = j % perRow;
        if (row < b.lanes) P.set(id, [XC - 14 - col * GAP, top + row * LANE + LANE / 2]);
      }
    }
  }
  return P;
}
function drawStatic(f) {
  g.clearRect(0, 0, W, cv.height);
  g.font = "12px system-ui, sans-serif";
  for (let s = 0; s < D.stations.length; s++) {
    const b = bands[s], top = b.y + HEAD, k = D.counters[s];
    const q = D.q[f][s].length, busy = D.s[f][s].filter(x => x >= 0).length;
    g.fillStyle = "#f6f6f6"; g.fillRect(2, b.y, W - 4, HEAD + LANE * b.lanes + 4);
    g.fillStyle = "#222";
    g.fillText(D.stations[s] + ": " + q + " waiting, " + busy + " at counters, " +
               D.d[f][s] + "/" + k + " open", 8, b.y + 15);
    let idleOpen = D.d[f][s] - busy;  // which idle counters are staffed is not recorded
    for (let c = 0; c < k; c++) {
      const lane = Math.min(b.lanes - 1, Math.floor(c * b.lanes / k));
      const open = D.s[f][s][c] >= 0 || idleOpen-- > 0;
      g.fillStyle = open ? "#ffffff" : "#c9c9c9"; g.strokeStyle = "#777";
      g.fillRect(XC, top + lane * LANE + 1, 22, LANE - 2);
      g.strokeRect(XC, top + lane * LANE + 1, 22, LANE - 2);
    }
    const perRow = Math.floor((XC - 40) / GAP);
    const hidden = D.perCounter[s] ? 0 : Math.max(0, q - perRow * b.lanes);
    if (hidden > 0) {
      g.fillStyle = "#d62728"; g.fillText("+" + hidden + " more", 8, top + LANE * b.lanes);
    }
  }
  g.fillStyle = "#666"; g.fillText("in", 2, cv.height - 6);
  g.fillText("out", W - 28, cv.height - 6);
}
function dot(p, color, alpha) {
  g.globalAlpha = alpha; g.fillStyle = color; g.beginPath();
  g.arc(p[0], p[1], 3.6, 0, 6.2832); g.fill(); g.globalAlpha = 1;
}
var pos = 0, playing = false, last = null, cacheF = -1, cacheA = null, cacheB = null;
function draw() {
  const f = Math.min(D.t.length - 1, Math.floor(pos)), a = pos - f;
  const nf = Math.min(D.t.length - 1, f + 1);
  if (cacheF !== f) { cacheA = place(f); cacheB = place(nf); cacheF = f; }
  drawStatic(f);
  for (const [id, p] of cacheA) {
    const color = PAL[D.cls[id] % PAL.length];
    const q = cacheB.get(id);
    if (q) dot([p[0] + (q[0] - p[0]) * a, p[1] + (q[1] - p[1]) * a], color, 1);
    else dot([p[0] + (XOUT - p[0]) * a, p[1]], color, 1 - 0.6 * a);
  }
  for (const [id, q] of cacheB) if (!cacheA.has(id)) {
    const color = PAL[D.cls[id] % PAL.length];
    dot([XIN + (q[0] - XIN) * a, q[1]], color, 0.4 + 0.6 * a);
  }
  const yx = cv.height - 14;
  D.x[f].slice(0, 24).forEach((e, j) =>
    dot([XOUT + (j % 4) * 8, yx - Math.floor(j / 4) * 8], OUT[e[1]], 1 - a));
  clock.textContent = D.clock[f]; time.value = String(f);
  const n = D.n[f];
  stats.textContent = "left so far: served " + n[0] + ", balked " + n[1] + ", abandoned " +
    n[2] + LEGEND;
}
function tick(ts) {
  if (!playing) { last = null; return; }
  if (last !== null) {
    const dtMin = (ts - last) / 1000 * Number(speed.value);
    const step = D.t.length > 1 ? D.t[1] - D.t[0] : 1;
    pos += dtMin / step;
    if (pos >= D.t.length - 1) { pos = D.t.length - 1; playing = false; play.textContent = "Play"; }
  }
  last = ts; draw();
  if (playing) requestAnimationFrame(tick);
}
play.onclick = () => {
  if (pos >= D.t.length - 1) pos = 0;
  playing = !playing; play.textContent = playing ? "Pause" : "Play";
  if (playing) requestAnimationFrame(tick);
};
time.oninput = () => { pos = Number(time.value); draw(); };
window.addEventListener("resize", () => { fit(); draw(); });
fit(); draw();
</script></body></html>
"""


def render(animated: Animated, minutes_per_second: float = 10.0) -> tuple[str, int]:
    """The HTML page of an :class:`Animated` replication and the pixel height it needs."""
    frames = build_frames(animated.records, animated.counters, animated.per_counter,
                          animated.start_min, animated.end_min,
                          class_rank=animated.class_rank)
    return (animation_html(frames, animated.title, minutes_per_second),
            canvas_height(frames) + 170)
