"""Routing: the pathways of multi-visit tickets and their probabilities.

A ticket's visits, in order, are its pathway. Tickets that abandon or balk stop early, so
their observed pathway is cut short; counting whole pathways would over-weight short ones.
The estimate is therefore built step by step (a prefix tree): the first station from every
ticket, and the probability of each next station (or of leaving) after a sequence of
served visits from the tickets served through that sequence, who reveal their next step
by joining its line, whatever happens there. A pathway's probability is the product of its
steps' probabilities; its 95 % interval comes from the delta method on the log scale,
Var(log p) ≈ Σ (1 - p_j) / (n_j p_j), and is clipped to [0, 1]. Pathways beyond the
:data:`MAX_PATHWAYS` most likely are folded into the likeliest pathway with the same first
station (said in ``note``).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass

import pandas as pd

from simulator.experiments.fitting.log import TicketLog

__all__ = ["MAX_PATHWAYS", "Pathway", "fit_routing"]

#: Most pathways (customer classes) written to the scenario.
MAX_PATHWAYS = 12
_STOP = ""


@dataclass(frozen=True)
class Pathway:
    """One pathway: stations in order, probability with 95 % interval, tickets behind it."""

    stations: tuple[str, ...]
    probability: float
    low: float
    high: float
    tickets: int
    note: str = ""


def fit_routing(log: TicketLog) -> list[Pathway]:
    """Pathways of the log, most likely first."""
    v = log.visits.sort_values(["ticket", "step"], kind="stable")
    by_ticket: dict[str, tuple[list[str], list[str]]] = {}
    for t, s, o in zip(v["ticket"].tolist(), v["station"].tolist(), v["outcome"].tolist(),
                       strict=True):
        pair = by_ticket.setdefault(t, ([], []))
        pair[0].append(s)
        pair[1].append(o)
    seqs = {"stations": [tuple(a) for a, _ in by_ticket.values()],
            "outcomes": [tuple(b) for _, b in by_ticket.values()]}
    first = Counter(s[0] for s in seqs["stations"])
    n_tickets = sum(first.values())
    nxt: dict[tuple[str, ...], Counter[str]] = defaultdict(Counter)
    for stations, outcomes in zip(seqs["stations"], seqs["outcomes"], strict=True):
        for j in range(len(stations)):
            if outcomes[j] != "served":
                break
            following = stations[j + 1] if j + 1 < len(stations) else _STOP
            nxt[stations[:j + 1]][following] += 1
    out: list[Pathway] = []

    def walk(prefix: tuple[str, ...], p: float, var_log: float, tickets: int) -> None:
        cont = nxt.get(prefix)
        if not cont:  # nobody was served here: the pathway ends (its continuation unseen)
            out.append(Pathway(prefix, p, 0.0, 0.0, tickets,
                               "no ticket was served at the last step; assumed to end there"))
            _set_interval(out, var_log)
            return
        total = sum(cont.values())
        for station, k in sorted(cont.items()):
            q = k / total
            v2 = var_log + (1 - q) / (total * q)
            if station == _STOP:
                out.append(Pathway(prefix, p * q, 0.0, 0.0, k))
                _set_interval(out, v2)
            else:
                walk((*prefix, station), p * q, v2, k)

    for station, k in sorted(first.items()):
        q = k / n_tickets
        walk((station,), q, (1 - q) / (n_tickets * q), k)
    out.sort(key=lambda pw: (-pw.probability, pw.stations))
    return _fold(out)


def _set_interval(out: list[Pathway], var_log: float) -> None:
    pw = out[-1]
    half = 1.959964 * math.sqrt(var_log)
    out[-1] = Pathway(pw.stations, pw.probability, max(0.0, pw.probability * math.exp(-half)),
                      min(1.0, pw.probability * math.exp(half)), pw.tickets, pw.note)


def _fold(pathways: list[Pathway]) -> list[Pathway]:
    """Keep the :data:`MAX_PATHWAYS` likeliest; add the rest to a kept one."""
    kept, rest = pathways[:MAX_PATHWAYS], pathways[MAX_PATHWAYS:]
    for pw in rest:
        target = next((i for i, k in enumerate(kept) if k.stations[0] == pw.stations[0]), 0)
        k = kept[target]
        kept[target] = Pathway(k.stations, k.probability + pw.probability, k.low,
                               min(1.0, k.high + pw.probability), k.tickets + pw.tickets,
                               (k.note + "; " if k.note else "") + "includes rarer pathway "
                               + " > ".join(pw.stations))
    total = sum(k.probability for k in kept) or 1.0
    return [Pathway(k.stations, k.probability / total, k.low, k.high, k.tickets, k.note)
            for k in kept]


def class_names(pathways: list[Pathway]) -> list[str]:
    """A scenario name for each pathway: its stations joined by ``_then_`` (or path_N)."""
    names: list[str] = []
    for i, pw in enumerate(pathways):
        name = "_then_".join(pw.stations)
        if len(name) > 64 or name in names:
            name = f"path_{i + 1}"
        names.append(name)
    return names


def routing_frame(pathways: list[Pathway]) -> pd.DataFrame:
    """``routing.csv``: class, pathway, probability with interval, tickets, note."""
    names = class_names(pathways)
    return pd.DataFrame([{"class": n, "pathway": " > ".join(p.stations),
                          "steps": len(p.stations), "probability": p.probability,
                          "ci_low": p.low, "ci_high": p.high, "tickets": p.tickets,
                          "note": p.note} for n, p in zip(names, pathways, strict=True)])
