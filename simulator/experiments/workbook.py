"""One Excel workbook of a results folder (``--xlsx``): the tables planners open first.

Each sheet is one result table. Row 1 holds the human headers (the labels and units of
:mod:`simulator.measures.labels`), row 2 the machine names used in the CSV files and by
pandas, then the data; both header rows stay frozen. KPI tables (one row per KPI) also get a
``label`` column, and shares are formatted as percentages. The workbook needs openpyxl (the
``excel`` extra: ``pip install 'servsim[excel]'``).

The file is written through a temporary name and has fixed timestamps inside, so the same
results give the same bytes.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from simulator.measures.labels import COLUMN_LABELS, kpi_info

__all__ = ["WORKBOOK_NAME", "WorkbookError", "check_excel", "header_label", "write_workbook"]

#: File name of the workbook inside a results folder.
WORKBOOK_NAME = "results.xlsx"

_FIXED_TIME = datetime(2000, 1, 1)
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_PERCENT = "0.0%"


class WorkbookError(RuntimeError):
    """The workbook cannot be written (openpyxl is missing)."""


def check_excel() -> None:
    """Raise :class:`WorkbookError` unless openpyxl is installed."""
    try:
        import openpyxl  # noqa: F401
    except ImportError:
        raise WorkbookError("--xlsx needs openpyxl (got no openpyxl module; expected pip "
                            "install 'servsim[excel]')") from None


def header_label(column: str, currency: str | None = None,
                 standard_names: Mapping[str, str] | None = None) -> str:
    """The human header of a result column: a column label, else the KPI's label."""
    if column in COLUMN_LABELS:
        return COLUMN_LABELS[column]
    info = kpi_info(column, standard_names)
    text = info.titled(currency)
    return text + " (%)" if info.share else text


def _cell(value: object) -> object:
    if isinstance(value, (np.floating, float)):
        x = float(value)
        return None if np.isnan(x) else x
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def _with_labels(frame: pd.DataFrame, currency: str | None,
                 standard_names: Mapping[str, str] | None) -> pd.DataFrame:
    """A KPI table (a ``kpi`` column) gets a ``label`` column after it."""
    if "kpi" not in frame.columns or "label" in frame.columns:
        return frame
    out = frame.copy()
    out.insert(out.columns.get_loc("kpi") + 1, "label",
               [kpi_info(str(k), standard_names).titled(currency) for k in out["kpi"]])
    return out


def _sheet(wb, title: str, frame: pd.DataFrame, currency: str | None,
           standard_names: Mapping[str, str] | None) -> None:
    from openpyxl.styles import Font

    ws = wb.create_sheet(title)
    frame = _with_labels(frame, currency, standard_names)
    columns = [str(c) for c in frame.columns]
    ws.append([header_label(c, currency, standard_names) for c in columns])
    ws.append(columns)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for cell in ws[2]:
        cell.font = Font(italic=True, color="666666")
    for row in frame.itertuples(index=False, name=None):
        ws.append([_cell(v) for v in row])
    ws.freeze_panes = "A3"
    share_rows = None
    if "kpi" in frame.columns:  # one row per KPI: shares are the rows of share KPIs
        share_rows = [kpi_info(str(k)).share for k in frame["kpi"]]
    numbers = {"mean", "ci_low", "ci_high", "baseline_mean", "variant_mean", "diff_mean",
               "diff_ci_low", "diff_ci_high"}
    for j, col in enumerate(columns, start=1):
        letter = ws.cell(row=1, column=j).column_letter
        width = max(len(col), min(40, len(header_label(col, currency, standard_names))))
        ws.column_dimensions[letter].width = min(45, max(10, width + 2))
        if share_rows is not None and col in numbers:
            for i, is_share in enumerate(share_rows, start=3):
                if is_share:
                    ws.cell(row=i, column=j).number_format = _PERCENT
        elif share_rows is None and kpi_info(col).share:
            for i in range(3, len(frame) + 3):
                ws.cell(row=i, column=j).number_format = _PERCENT


def _fixed_zip(data: bytes) -> bytes:
    """The xlsx (a zip) with every entry dated 1980-01-01, so equal tables give equal bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(
            out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the save time here
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                              rb"\g<1>2000-01-01T00:00:00Z\g<2>", data)
            dst.writestr(fixed, data)
    return out.getvalue()


def write_workbook(path: Path, sheets: Mapping[str, pd.DataFrame | None],
                   currency: str | None = None,
                   standard_names: Mapping[str, str] | None = None) -> Path:
    """Write ``sheets`` (title -> table; None or empty tables are left out) to ``path``.

    Parameters
    ----------
    path : Path
        The ``.xlsx`` file (written through a temporary name).
    sheets : mapping
        Sheet title to table, in sheet order.
    currency : str, optional
        Shown with costs in the human headers and labels.
    standard_names : mapping, optional
        Standard slug to the name in the scenario, for labels.

    Raises
    ------
    WorkbookError
        Without openpyxl.
    """
    check_excel()
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for title, frame in sheets.items():
        if frame is not None and not frame.empty:
            _sheet(wb, title, frame, currency, standard_names)
    if not wb.sheetnames:
        wb.create_sheet("Empty")
    wb.properties.created = wb.properties.modified = _FIXED_TIME
    wb.properties.creator = "servsim"
    buf = io.BytesIO()
    wb.save(buf)
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    try:
        tmp.write_bytes(_fixed_zip(buf.getvalue()))
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path
