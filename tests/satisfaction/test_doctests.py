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
    "params",
    "perception",
    "predict",
    "profile",
    "recovery",
    "survey",
    "tables",
    "_groups",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(f"simulator.satisfaction.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
