"""``servsim staff``: how many people per interval, on which shifts, checked by simulation.

Modules: :mod:`.spec` (groups and targets), :mod:`.measure` (what a replication measures),
:mod:`.simulate` (replications on common random numbers), :mod:`.requirement` (the iterative
staffing algorithm), :mod:`.day` (whole-day targets), :mod:`.rules` and :mod:`.shifts` (the
shift covering program), :mod:`.verify` (the staffing table), :mod:`.frontier`, :mod:`.study`
(a checked study), :mod:`.plan` (:func:`plan_staffing`) and :mod:`.folder` (the folder).
"""

from simulator.experiments.staffing.plan import StaffingOutput, plan_staffing
from simulator.experiments.staffing.spec import StaffingError, TargetOptions

__all__ = ["StaffingError", "StaffingOutput", "TargetOptions", "plan_staffing"]
