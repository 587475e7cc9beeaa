"""The scenario language: what a planner writes, checked and compiled for the engine.

This layer owns the YAML 1.2 loader with ``file:line`` errors (:mod:`.loader`), the strict,
frozen pydantic schema of a scenario (:mod:`.schema` and its sections), the distributions a
scenario can name (:mod:`.distributions`), the satisfaction section and profile files
(:mod:`.satisfaction_params`, :mod:`.profile`), ``--set`` overrides (:mod:`.overrides`),
starter templates (:mod:`.templates`) and the compiler to the numeric plan the engine runs
(:mod:`.plan`). It is the bottom layer: it imports nothing else from ``simulator`` except
:mod:`simulator.lazy`.
"""
