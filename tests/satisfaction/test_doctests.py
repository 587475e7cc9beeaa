"""The examples in the satisfaction modules' docstrings run and are right."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "aggregate",
    "calibrate",
    "columns",
    "dimensions",
    "kano",
    "outputs",
    "overall",
    "overtaking",
    "perception",
    "predict",
    "recovery",
    "survey",
    "tables",
    "_groups",
]


@pytest.mark.parametrize("name", [f"simulator.satisfaction.{m}" for m in MODULES]
                         + ["simulator.scenario.satisfaction_params", "simulator.scenario.profile"])
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
