"""Fitted parameter profiles on disk: the YAML written by ``servsim calibrate`` (§2.13).

A profile holds a complete :class:`~.params.ModelParameters` (``calibrated: true``), the
provenance of every parameter (``default`` or ``fitted``), the survey it was fitted on (file
name, SHA-256, number of answers) and the fit statistics. Scenarios refer to a profile with
``satisfaction: {profile: path/to/profile.yaml}`` (relative to the scenario file).

Layout::

    servsim_profile: 1
    name: hall_2026
    created_utc: "2026-01-01T00:00:00+00:00"
    data: {file: survey.csv, sha256: ..., n: 600}
    tier: 2
    parameters: {beta: 4.1, cutpoints: [...], lam: 1.6, ...}    # every model constant
    provenance: {beta: fitted, lam: fitted, m0: default, ...}
    fit: {...}                                                   # losses, k-fold errors
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML

from simulator.scenario.satisfaction_params import ModelParameters
from simulator.scenario.satisfaction_section import InlineProfile
from simulator.scenario.schema import Scenario

__all__ = [
    "PROFILE_FORMAT",
    "Profile",
    "dump_profile",
    "read_profile",
    "resolve_profile",
]

#: Version of the profile file layout.
PROFILE_FORMAT = 1


@dataclass(frozen=True)
class Profile:
    """A profile read from (or about to be written to) a YAML file."""

    name: str
    parameters: ModelParameters
    provenance: dict[str, str] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    fit: dict[str, Any] = field(default_factory=dict)
    tier: int = 0
    created_utc: str = ""
    sha256: str = ""

    @property
    def label(self) -> str:
        """``calibrated profile <name>`` (or ``uncalibrated defaults`` if not calibrated)."""
        if not self.parameters.calibrated:
            return "uncalibrated defaults"
        return f"calibrated profile {self.name}"


def _yaml(dump: bool = False) -> YAML:
    y = YAML(typ="safe", pure=True)
    if dump:  # keep the document's key order; YAML 1.2 is ruamel's default
        y.sort_base_mapping_type_on_output = False  # type: ignore[assignment]
    else:
        y.version = (1, 2)
    y.default_flow_style = None
    y.width = 100
    return y


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, float):
        return float(f"{value:.10g}")
    return value


def dump_profile(profile: Profile) -> str:
    """The YAML text of a profile (parameters rounded to 10 significant digits).

    Examples
    --------
    >>> text = dump_profile(Profile("demo", ModelParameters(calibrated=True)))
    >>> text.splitlines()[:2]
    ['servsim_profile: 1', 'name: demo']
    """
    doc = {
        "servsim_profile": PROFILE_FORMAT,
        "name": profile.name,
        "created_utc": profile.created_utc,
        "data": profile.data,
        "tier": profile.tier,
        "parameters": profile.parameters.model_dump(mode="json", by_alias=True),
        "provenance": profile.provenance,
        "fit": profile.fit,
    }
    buf = io.StringIO()
    _yaml(dump=True).dump(_plain(doc), buf)
    return buf.getvalue()


def read_profile(path: str | Path) -> Profile:
    """Read a profile file.

    Raises
    ------
    ValueError
        ``<file>: <field.path>: message`` when the file cannot be read or is invalid.
    """
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise ValueError(f"{p}: cannot read profile ({exc.strerror})") from None
    try:
        doc = _yaml().load(raw.decode("utf-8"))
    except Exception as exc:  # ruamel raises several error types
        raise ValueError(f"{p}: not a YAML profile ({type(exc).__name__})") from None
    if not isinstance(doc, dict) or doc.get("servsim_profile") != PROFILE_FORMAT:
        raise ValueError(f"{p}: not a servsim profile (got no 'servsim_profile: "
                         f"{PROFILE_FORMAT}' line; expected a file written by servsim calibrate)")
    try:
        params = ModelParameters.model_validate(doc.get("parameters") or {})
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        where = ".".join(str(x) for x in ("parameters", *err["loc"]))
        raise ValueError(f"{p}: {where}: {err['msg']} (got {err.get('input')!r})") from None
    return Profile(
        name=str(doc.get("name") or p.stem),
        parameters=params,
        provenance={str(k): str(v) for k, v in (doc.get("provenance") or {}).items()},
        data=dict(doc.get("data") or {}),
        fit=dict(doc.get("fit") or {}),
        tier=int(doc.get("tier") or 0),
        created_utc=str(doc.get("created_utc") or ""),
        sha256=hashlib.sha256(raw).hexdigest(),
    )


def resolve_profile(scenario: Scenario, base_dir: Path | None) -> Scenario:
    """Read the section's ``profile`` file (relative to ``base_dir``) into the scenario.

    Returns the scenario unchanged when it has no section, uses ``profile: default`` or
    already carries the profile inline; otherwise a copy whose section holds the profile in
    ``profile_inline`` (so worker processes need no file, and ``scenario.resolved.yaml``
    records the parameters used).

    Raises
    ------
    ValueError
        ``satisfaction.profile: ...`` if the file cannot be read or is invalid.
    """
    sec = scenario.satisfaction
    if sec is None or sec.profile == "default" or sec.profile_inline is not None:
        return scenario
    path = Path(sec.profile)
    if not path.is_absolute():
        path = (base_dir or Path.cwd()) / path
    try:
        prof = read_profile(path)
    except ValueError as exc:
        raise ValueError(f"satisfaction.profile: {exc}") from None
    inline = InlineProfile(name=prof.name, sha256=prof.sha256, parameters=prof.parameters)
    new_sec = sec.model_copy(update={"profile_inline": inline})
    return scenario.model_copy(update={"satisfaction": new_sec})
