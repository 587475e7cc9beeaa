"""servsim: discrete-event simulation of service operations with predicted satisfaction."""

from __future__ import annotations

__version__ = "0.1.0"
