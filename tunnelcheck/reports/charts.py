"""The HTML report's dashboard: migration progress and the failing-check trend as inline SVG, the result
diff and the drift as tables. No script, stylesheet, font or image from anywhere: the report stays one
self-contained file that works offline.

The SVG is built with ``xml.etree.ElementTree`` (so it is well-formed and every text and attribute is
escaped); the HTML around it writes every value through :func:`tunnelcheck.untrusted.for_html`. Colours
are attributes, so the pictures look right even where the report's stylesheet does not apply.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

from ..untrusted import for_html, for_terminal
from ..wording import counted
from . import drift_table, times
from .summary import CATEGORIES, OUTCOMES, ResultDiff, RunSummary, TenantDrift, TrendPoint

__all__ = ["COLOURS", "STYLE", "dashboard", "progress_svg", "trend_svg"]

COLOURS = {"passed": "#2e7d32", "failed": "#c62828", "error": "#6d0f0f", "skipped": "#f9a825",
           "waived": "#6a1b9a"}
_FONT = {"font-family": "system-ui, sans-serif", "font-size": "12"}

STYLE = """
<style>
.tc-dashboard { color: #222; font-size: 13px; margin: 8px 0 16px; }
.tc-dashboard h3 { font-size: 15px; margin: 14px 0 6px; color: #111; }
.tc-dashboard p { margin: 4px 0; }
.tc-dashboard table { border-collapse: collapse; margin: 6px 0; }
.tc-dashboard th { background: #eceff1; text-align: left; }
.tc-dashboard th, .tc-dashboard td { border: 1px solid #cfd8dc; padding: 3px 6px; vertical-align: top; }
.tc-dashboard td.tc-check-id { white-space: nowrap; }
.tc-dashboard tr.tc-newly_failing td, .tc-dashboard tr.tc-newly_erroring td { background: #fdecea; }
.tc-dashboard tr.tc-newly_passing td { background: #e8f5e9; }
.tc-dashboard tr.tc-no_longer_applies td, .tc-dashboard tr.tc-newly_waived td { background: #f3f5f7; }
/* Drift (--drift) is a change nobody accepted: alarm colours. The changes since a pre-migration baseline are
   the migration's own work: neutral. */
.tc-dashboard h3.tc-drift { color: #b71c1c; }
.tc-dashboard table.tc-drift td { background: #fdecea; }
.tc-dashboard table.tc-drift th { background: #f6d5d1; }
.tc-dashboard table.tc-changes td { background: #f3f5f7; }
.tc-dashboard svg { display: block; max-width: 100%; height: auto; }
</style>
"""


def _svg(width: int, height: int, label: str, css_class: str) -> ET.Element:
    return ET.Element("svg", {"class": css_class, "width": str(width), "height": str(height),
                              "viewBox": f"0 0 {width} {height}", "role": "img", "aria-label": label})


def _text(parent: ET.Element, x: float, y: float, text: str, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, "text", {"x": f"{x:g}", "y": f"{y:g}", **_FONT, **attrs})
    element.text = for_terminal(text)  # ElementTree escapes markup; control characters shown as for_html does
    return element


def _titled(parent: ET.Element, tag: str, title: str, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    ET.SubElement(element, "title").text = for_terminal(title)  # the tooltip
    return element


def progress_svg(phases: dict[str, dict[str, int]]) -> str:
    """One bar per phase, split by outcome (the full bar is every check of that phase), with its counts."""
    label_w, bar_w, row_h, top = 130, 360, 26, 8
    width = label_w + bar_w + 250
    height = top + row_h * len(phases) + 30
    svg = _svg(width, height, "Migration progress: checks per phase by outcome", "tc-progress")
    for n, (phase, counts) in enumerate(phases.items()):
        y = top + n * row_h
        row = ET.SubElement(svg, "g", {"class": "tc-phase", "data-phase": phase})
        _text(row, 0, y + 15, phase)
        total = sum(counts.values()) or 1
        x = float(label_w)
        for outcome in OUTCOMES:
            count = counts.get(outcome, 0)
            if not count:
                continue
            w = bar_w * count / total
            _titled(row, "rect", f"{phase}: {count} {outcome}", x=f"{x:.2f}", y=str(y), width=f"{w:.2f}",
                    height=str(row_h - 8), fill=COLOURS[outcome], **{"class": f"tc-seg-{outcome}",
                                                                      "data-count": str(count)})
            x += w
        shown = ", ".join(f"{counts[o]} {o}" for o in OUTCOMES if counts.get(o))
        _text(row, label_w + bar_w + 8, y + 15, shown or "no checks")
    legend_y = top + row_h * len(phases) + 14
    x = 0.0
    for outcome in OUTCOMES:
        ET.SubElement(svg, "rect", {"x": f"{x:g}", "y": str(legend_y - 9), "width": "10", "height": "10",
                                    "fill": COLOURS[outcome]})
        _text(svg, x + 14, legend_y, outcome)
        x += 14 + 8 * len(outcome) + 16
    return ET.tostring(svg, encoding="unicode")


def _ticks(top: int) -> list[int]:
    step = max(1, math.ceil(top / 5))
    return list(range(0, top + step, step))


def trend_svg(points: list[TrendPoint]) -> str:
    """Failing checks per run, oldest first, evenly spaced; each point's tooltip lists its failing checks."""
    left, right, top, bottom = 44, 44, 12, 40
    plot_w = max(200, min(720, 60 * len(points)))
    plot_h = 150
    width, height = left + plot_w + right, top + plot_h + bottom
    svg = _svg(width, height, "Failing checks over time", "tc-trend")
    ticks = _ticks(max([len(p.failing) for p in points] + [1]))
    high = ticks[-1] or 1

    def y_of(value: int) -> float:
        return top + plot_h - plot_h * value / high

    for tick in ticks:
        y = y_of(tick)
        ET.SubElement(svg, "line", {"x1": str(left), "x2": str(left + plot_w), "y1": f"{y:.1f}", "y2": f"{y:.1f}",
                                    "stroke": "#e0e0e0"})
        _text(svg, left - 6, y + 4, str(tick), **{"text-anchor": "end"})
    step = plot_w / max(1, len(points) - 1)
    xy = [(left + (i * step if len(points) > 1 else plot_w / 2), y_of(len(p.failing))) for i, p in enumerate(points)]
    if len(xy) > 1:
        ET.SubElement(svg, "polyline", {"points": " ".join(f"{x:.1f},{y:.1f}" for x, y in xy), "fill": "none",
                                        "stroke": COLOURS["failed"], "stroke-width": "2"})
    every = max(1, math.ceil(len(points) / 8))  # at most 8 date labels
    for i, (point, (x, y)) in enumerate(zip(points, xy)):
        failing = ", ".join(point.failing) or "none"
        when = times.shown(point.generated_at)
        _titled(svg, "circle", f"{when} ({point.source}): {len(point.failing)} failing: {failing}",
                cx=f"{x:.1f}", cy=f"{y:.1f}", r="4", fill=COLOURS["failed"],
                **{"class": "tc-point", "data-failing": str(len(point.failing))})
        if i % every == 0 or i == len(points) - 1:  # the time on two lines: 2026-12-01 over T10:50:00Z
            _text(svg, x, top + plot_h + 16, when[:10], **{"text-anchor": "middle"})
            _text(svg, x, top + plot_h + 30, when[10:21], **{"text-anchor": "middle", "fill": "#666",
                                                              "font-size": "10"})
    return ET.tostring(svg, encoding="unicode")


def _diff_html(diff: ResultDiff) -> str:
    rows = []
    for key, name, _ in CATEGORIES:
        for c in diff.category(key):
            rows.append(
                f'<tr class="tc-{key}" data-category="{key}" data-check-id="{for_html(c.check_id)}">'
                f'<td>{for_html(name)}</td><td class="tc-check-id">{for_html(c.check_id)}</td>'
                f"<td>{for_html(c.tenant or '')}</td>"
                f"<td>{for_html(c.title)}</td><td>{for_html(c.transition)}</td><td>{for_html(c.reason)}</td></tr>")
    when = f" ({times.shown(diff.previous_generated_at)})" if diff.previous_generated_at else ""
    table = ("<table class=\"tc-result-diff\"><thead><tr><th>change</th><th>check</th><th>tenant</th><th>title</th>"
             f"<th>outcome</th><th>reason now</th></tr></thead><tbody>{''.join(rows)}</tbody></table>") if rows else ""
    return (f'<h3>Since the previous run</h3><p class="tc-diff-summary">Compared with '
            f"<code>{for_html(diff.previous)}</code>{for_html(when)}: {for_html(diff.summary)}, "
            f"{diff.unchanged} unchanged.</p>{table}")


def _drift_html(drift: list[TenantDrift]) -> str:
    """Each tenant's differences from the baseline: drift (alarm colours) or the changes since the baseline
    (neutral), as the run's view says (tunnelcheck.drift.View)."""
    shown = drift[0].shown
    parts = [f'<h3 class="tc-{shown.name}">{for_html(shown.heading)}</h3>']
    for item in drift:
        if item.diff is None:
            parts.append(f'<p class="tc-drift-error">{for_html(item.tenant)}: {for_html(item.error)}</p>')
            continue
        old, new = item.diff.old, item.diff.new
        parts.append(f'<p class="tc-drift-summary" data-tenant="{for_html(item.tenant)}">{for_html(item.tenant)}: '
                     f"<code>{for_html(old.location)}</code> → <code>{for_html(new.location)}</code>: "
                     f"{for_html(item.summary)}</p>")
        parts.append(drift_table.html_table(item.diff, item.tenant, shown))
    return "".join(parts)


def dashboard(summary: RunSummary) -> str:
    """The block above the per-check rows: progress, result diff, drift, trend."""
    totals = summary.totals
    parts = [STYLE, '<section class="tc-dashboard">', "<h3>Migration progress</h3>",
             f'<p class="tc-totals">{for_html(", ".join(f"{totals[o]} {o}" for o in OUTCOMES))}</p>',
             progress_svg(summary.phases)]
    if summary.diff is not None:
        parts.append(_diff_html(summary.diff))
    if summary.drift:
        parts.append(_drift_html(summary.drift))
    if summary.trend is not None:
        parts += ["<h3>Failing checks over time</h3>",
                  (f'<p class="tc-trend-summary">{for_html(counted(len(summary.trend), "run"))}, oldest first; hover a '
                  "point for its failing checks.</p>"), trend_svg(summary.trend)]
    parts.append("</section>")
    return "".join(parts)

