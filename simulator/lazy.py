"""Public names of a package loaded from their modules on first use (PEP 562).

``import simulator`` and the command line then start without pandas, SciPy or Matplotlib;
each name is imported the first time it is read and cached in the package's namespace.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(
    package: str, exports: Mapping[str, str], namespace: dict[str, Any]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """Module ``__getattr__`` and ``__dir__`` for a package with lazily loaded names.

    Parameters
    ----------
    package : str
        The package's name, for the error message.
    exports : mapping
        Public name -> module that defines it.
    namespace : dict
        The package's ``globals()``; a loaded name is stored there, so later reads are plain.

    Returns
    -------
    (__getattr__, __dir__)
        Assign them to the package's module-level ``__getattr__`` and ``__dir__``.
    """

    def __getattr__(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*namespace, *exports})

    return __getattr__, __dir__
