"""Fill the scenario-driven columns of a :class:`~.tables.StageTable` from the section.

The simulator knows each row's stage name; the scenario's ``satisfaction:`` section knows the
stage's standard (A, D, KANO class, published?) and waiting environment (occupied,
informed). :func:`stage_columns` maps one to the other, vectorised over rows.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from simulator.scenario.satisfaction_params import SatisfactionConfig

from .tables import KANO_CODES

__all__ = ["stage_columns"]


def stage_columns(config: SatisfactionConfig, stage: ArrayLike) -> dict[str, np.ndarray]:
    """Standard and waiting-environment columns for the given stage names.

    Parameters
    ----------
    config : SatisfactionConfig
        The scenario section.
    stage : array_like of str
        Stage name of every row.

    Returns
    -------
    dict of str to numpy.ndarray
        ``adequate_min`` and ``desired_min`` (NaN where the stage has no standard, or no
        explicit desired level), ``kano`` codes, ``promise``, ``occupied`` and ``informed``,
        ready for :meth:`~.tables.StageTable.build`.

    Examples
    --------
    >>> cfg = SatisfactionConfig.model_validate(
    ...     {"standards": [{"id": "w", "stage": "window", "adequate_min": 15, "promise": True}]})
    >>> stage_columns(cfg, ["kiosk", "window"])["adequate_min"].tolist()
    [nan, 15.0]
    """
    names, inverse = np.unique(np.asarray(stage, dtype=str), return_inverse=True)
    k = names.shape[0]
    adequate = np.full(k, np.nan)
    desired = np.full(k, np.nan)
    kano = np.full(k, KANO_CODES["one_dimensional"], dtype=np.int8)
    promise = np.zeros(k, dtype=bool)
    occupied = np.zeros(k, dtype=bool)
    informed = np.zeros(k, dtype=bool)
    for i, name in enumerate(names.tolist()):
        std = config.standard_for_stage(name)
        if std is not None:
            adequate[i] = std.adequate_minutes
            if std.desired_min is not None or std.desired_h is not None:
                desired[i] = std.desired_minutes()
            kano[i] = KANO_CODES[std.kano]
            promise[i] = std.promise
        env = config.waiting_environment.get(name)
        if env is not None:
            occupied[i], informed[i] = env.occupied, env.informed
    return {
        "adequate_min": adequate[inverse],
        "desired_min": desired[inverse],
        "kano": kano[inverse],
        "promise": promise[inverse],
        "occupied": occupied[inverse],
        "informed": informed[inverse],
    }
