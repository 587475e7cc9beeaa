"""Queueing theory: closed forms in planner units, and a scenario's hour-by-hour approximation.

This layer owns the closed-form results used to validate and size the simulator, in planner
units (rates per minute, times in minutes): their result types and conventions
(:mod:`.results`), Erlang B and C (:mod:`.erlang`), M/M/1, M/M/c and M/M/c/K
(:mod:`.markovian`), M^X/M/1 with parties queueing member by member (:mod:`.batch`),
Erlang A (:mod:`.abandonment`), M/G/1 (:mod:`.mg1`), priority classes
(:mod:`.priority`) staffing rules (:mod:`.staffing`) and the per-interval stationary staffing answer
(:mod:`.interval_staffing`); and the stationary hour-by-hour
approximation of a scenario beside its simulation (:mod:`.hourly`). The formulas import
nothing else from ``simulator``; the hourly approximation reads a compiled plan (scenario
layer) and the KPI rows of replications it is given, with intervals from
:mod:`simulator.measures`. Every formula is re-exported here, so ``from simulator import
theory; theory.mmc(...)`` works.
"""

from simulator.theory.abandonment import erlang_a, erlang_a_service_level
from simulator.theory.batch import BatchMetrics, mxm1
from simulator.theory.erlang import erlang_b, erlang_c
from simulator.theory.interval_staffing import (
    StationaryTargets,
    stationary_servers,
    stationary_value,
)
from simulator.theory.markovian import mm1, mmc, mmc_service_level, mmc_wait_exceeds, mmck
from simulator.theory.mg1 import mg1
from simulator.theory.priority import priority_mm1, priority_mmc
from simulator.theory.results import PriorityMetrics, QueueMetrics, littles_law_l
from simulator.theory.staffing import (
    halfin_whitt_beta,
    halfin_whitt_p_wait,
    servers_for_mean_wait,
    servers_for_service_level,
    square_root_staffing,
)

__all__ = [
    "BatchMetrics",
    "PriorityMetrics",
    "QueueMetrics",
    "StationaryTargets",
    "erlang_a",
    "erlang_a_service_level",
    "erlang_b",
    "erlang_c",
    "halfin_whitt_beta",
    "halfin_whitt_p_wait",
    "littles_law_l",
    "mg1",
    "mm1",
    "mmc",
    "mmc_service_level",
    "mmc_wait_exceeds",
    "mmck",
    "mxm1",
    "priority_mm1",
    "priority_mmc",
    "servers_for_mean_wait",
    "servers_for_service_level",
    "square_root_staffing",
    "stationary_servers",
    "stationary_value",
]
