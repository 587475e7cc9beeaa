"""Queueing theory: closed forms in planner units, and a scenario's hour-by-hour approximation.

This layer owns the closed-form results used to validate and size the simulator
(:mod:`.queues`: Erlang B and C, M/M/1, M/M/c, M/M/c/K, Erlang A, M/G/1, priority queues,
staffing rules, Little's law) and the stationary hour-by-hour approximation of a scenario
(:mod:`.hourly`). The formulas import nothing from ``simulator``; the hourly approximation
reads a compiled plan (scenario layer) and replications' KPI rows it is given. Every formula
is re-exported here, so ``from simulator import theory; theory.mmc(...)`` works.
"""

from simulator.theory.queues import (
    PriorityMetrics,
    QueueMetrics,
    erlang_a,
    erlang_b,
    erlang_c,
    halfin_whitt_beta,
    halfin_whitt_p_wait,
    littles_law_l,
    mg1,
    mm1,
    mmc,
    mmc_service_level,
    mmc_wait_exceeds,
    mmck,
    priority_mm1,
    priority_mmc,
    servers_for_mean_wait,
    servers_for_service_level,
    square_root_staffing,
)

__all__ = [
    "PriorityMetrics",
    "QueueMetrics",
    "erlang_a",
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
    "priority_mm1",
    "priority_mmc",
    "servers_for_mean_wait",
    "servers_for_service_level",
    "square_root_staffing",
]
