"""HTML building blocks of the report: escaping, numbers, tables, sections and the page.

Everything here is plain string building with :func:`html.escape`; the output depends only on
the arguments (no clock, no random state), so identical results give identical bytes.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Sequence

from simulator.measures.labels import format_number

#: File name of the report inside a results folder.
REPORT_NAME = "report.html"

CSS = """\
:root { --ink: #1b1f24; --muted: #57606a; --rule: #d0d7de; --band: #f6f8fa;
        --good: #1a7f37; --bad: #cf222e; --warn: #9a6700; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
       sans-serif; color: var(--ink); line-height: 1.45; margin: 0 auto; max-width: 62rem;
       padding: 1.5rem 1.25rem 3rem; font-size: 15px; }
h1 { font-size: 1.7rem; margin: 0 0 .25rem; }
h2 { font-size: 1.3rem; margin: 2.2rem 0 .6rem; padding-bottom: .2rem;
     border-bottom: 2px solid var(--rule); }
h3 { font-size: 1.05rem; margin: 1.4rem 0 .4rem; }
p, ul, dl { margin: .4rem 0 .8rem; }
.subtitle { color: var(--muted); margin: 0 0 1rem; }
.note { color: var(--muted); font-size: .9em; }
nav.toc { background: var(--band); border: 1px solid var(--rule); padding: .5rem 1rem;
          border-radius: 6px; }
nav.toc ol { margin: .2rem 0; padding-left: 1.4rem; columns: 2; }
table { border-collapse: collapse; margin: .5rem 0 1rem; font-size: .88em;
        font-variant-numeric: tabular-nums; }
th, td { border: 1px solid var(--rule); padding: .25rem .5rem; vertical-align: top; }
th { background: var(--band); text-align: left; font-weight: 600; }
td.num { text-align: right; }
.verdict { border: 1px solid var(--rule); border-left: 6px solid var(--muted);
           background: var(--band); padding: .6rem 1rem; border-radius: 6px; margin: .5rem 0; }
.verdict[data-status="met"], .verdict[data-status="good"] { border-left-color: var(--good); }
.verdict[data-status="missed"], .verdict[data-status="bad"] { border-left-color: var(--bad); }
.verdict[data-status="unclear"] { border-left-color: var(--warn); }
.verdict .headline { font-weight: 700; font-size: 1.08em; margin: 0 0 .3rem; }
.verdict ul { list-style: none; padding-left: 0; margin: 0; }
.verdict li { margin: .15rem 0; }
.verdict .mark { display: inline-block; width: 1.1em; font-weight: 700; }
.met, .good, .better { color: var(--good); }
.missed, .bad, .worse { color: var(--bad); }
.unclear { color: var(--warn); }
.ns { color: var(--muted); }
td code { white-space: nowrap; }
.scroll { overflow-x: auto; max-width: 100%; }
.yes { color: var(--good); font-weight: 600; }
.no { color: var(--bad); font-weight: 600; }
figure { margin: 1rem 0 1.5rem; text-align: center; }
figure img { max-width: 100%; height: auto; border: 1px solid var(--rule); }
figcaption { color: var(--muted); font-size: .88em; margin-top: .3rem; text-align: left; }
dl.methods dt { font-weight: 600; margin-top: .6rem; }
dl.methods dd { margin: .1rem 0 .3rem 1.2rem; }
code, pre { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace;
            font-size: .88em; }
pre { background: var(--band); border: 1px solid var(--rule); padding: .5rem .7rem;
      white-space: pre-wrap; word-break: break-all; }
footer { margin-top: 2.5rem; color: var(--muted); font-size: .85em;
         border-top: 1px solid var(--rule); padding-top: .5rem; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  nav.toc { display: none; }
  h2 { break-before: auto; break-after: avoid; page-break-after: avoid; }
  h3 { break-after: avoid; page-break-after: avoid; }
  figure, .keep { break-inside: avoid; page-break-inside: avoid; }
  figure img { max-height: 24cm; border: none; }
  table { font-size: 8.5pt; max-width: 100%; }
  th { overflow-wrap: break-word; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; page-break-inside: avoid; }
  .scroll { overflow: visible; }
  a { color: inherit; text-decoration: none; }
}
"""


def esc(value: object) -> str:
    """HTML-escape ``str(value)`` (quotes too, so it is safe inside attributes)."""
    return html.escape(str(value), quote=True)


def breakable(name: object) -> str:
    """Escaped ``name`` that may wrap after its underscores (long station names in headers)."""
    return esc(name).replace("_", "_<wbr>")


def is_missing(x: object) -> bool:
    """True for None and NaN."""
    return x is None or (isinstance(x, float) and math.isnan(x))


def num(x: float | int | None) -> str:
    """A number for people: thousands separators, about three significant digits."""
    if is_missing(x):
        return "–"
    return format_number(float(x))  # type: ignore[arg-type]


def plain(x: float | int) -> str:
    """An input value as written, without trailing zeros (``0.5``, ``12``, ``1.25``)."""
    return f"{float(x):.6g}"


def share(x: float) -> str:
    """An input share as a percentage without trailing zeros (``0.4`` -> ``40 %``)."""
    return f"{100.0 * float(x):.4g} %"


def pct(x: float | None) -> str:
    """A share as a percentage with one decimal (``0.123`` -> ``12.3 %``)."""
    if is_missing(x):
        return "–"
    return f"{100.0 * float(x):.1f} %"  # type: ignore[arg-type]


_NBSP = "\u00a0"


def with_interval(mean: float, low: float, high: float, percent: bool = False) -> str:
    """``mean [low, high]`` (the interval left out when it is undefined). The only place a
    narrow table cell may wrap is between the mean and its interval (the other spaces do not
    break)."""
    f = pct if percent else num
    value = f(mean).replace(" ", _NBSP)
    if is_missing(low) or is_missing(high):
        return value
    if percent:
        return f"{value} [{100.0 * low:.1f},{_NBSP}{100.0 * high:.1f}]"
    return f"{value} [{num(low)},{_NBSP}{num(high)}]"


def clock(minutes: float) -> str:
    """Minutes after midnight as ``HH:MM`` (``d2 08:00`` from the second day on)."""
    m = round(minutes)
    day, rest = divmod(m, 24 * 60)
    text = f"{rest // 60:02d}:{rest % 60:02d}"
    return text if day == 0 else f"d{day + 1} {text}"


def duration(minutes: float) -> str:
    """``45 min``, ``2 h``, ``8 h 30 min``."""
    m = round(minutes)
    if m < 60:
        return f"{num(minutes)} min"
    h, r = divmod(m, 60)
    return f"{h} h" if r == 0 else f"{h} h {r} min"


def table(header: Sequence[str], rows: Iterable[Sequence[str]], numeric: Sequence[bool] = (),
          caption: str = "", cls: str = "") -> str:
    """A table from already-escaped cell HTML; ``numeric[i]`` right-aligns column i."""
    head = "".join(f"<th>{h}</th>" for h in header)
    body = []
    for row in rows:
        cells = []
        for i, cell in enumerate(row):
            right = i < len(numeric) and numeric[i]
            cells.append(f'<td class="num">{cell}</td>' if right else f"<td>{cell}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    cap = f"<caption>{caption}</caption>" if caption else ""
    klass = f' class="{cls}"' if cls else ""
    return (f'<div class="scroll"><table{klass}>{cap}<thead><tr>{head}</tr></thead>'
            f"<tbody>\n" + "\n".join(body) + "\n</tbody></table></div>\n")


def section(anchor: str, title: str, body: str) -> str:
    """``<section id=anchor><h2>title</h2>body</section>`` (title already escaped)."""
    return f'<section id="{anchor}">\n<h2>{title}</h2>\n{body}</section>\n'


def page(title: str, subtitle: str, sections: Sequence[tuple[str, str, str]],
         footer: str, lead: tuple[str, str, str] | None = None) -> str:
    """The whole document: head with the style sheet, the ``lead`` section (the verdict,
    before anything else), a table of contents, the sections.

    ``sections`` and ``lead`` hold ``(anchor, escaped title, body html)``.
    """
    toc = "".join(f'<li><a href="#{a}">{t}</a></li>' for a, t, _ in sections)
    body = "".join(section(a, t, b) for a, t, b in sections)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<link rel="icon" href="data:,">\n'
        f"<title>{esc(title)}</title>\n<style>\n{CSS}</style>\n</head>\n<body>\n"
        f"<header>\n<h1>{esc(title)}</h1>\n<p class=\"subtitle\">{subtitle}</p>\n</header>\n"
        f"{section(*lead) if lead is not None else ''}"
        f'<nav class="toc" aria-label="Contents"><strong>Contents</strong><ol>{toc}</ol></nav>\n'
        f"{body}<footer>{footer}</footer>\n</body>\n</html>\n"
    )
