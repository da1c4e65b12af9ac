"""Drawing a rule's figure with matplotlib (the `docs` extra): output and gradient norm against
the logit scale, one line per expression of the contract, non-finite points marked on the edge.
Data without gradients (a thresholded metric, read along the threshold ray) gets the output
panel alone, over a linear axis of the logit."""
from __future__ import annotations

import hashlib
import textwrap
from pathlib import Path
from typing import Any, Mapping

import numpy as np

from xentlint.figures.data import ROLES, THRESHOLD_RAY, as_floats, digest

INSTALL_HINT = ('pip install -e ".[docs]" in a checkout, or '
                'pip install "xentlint[docs] @ git+<repository URL>"')

_STYLES = {
    "original": {"color": "#c0392b", "linewidth": 2.4, "linestyle": "-"},
    "fixed": {"color": "#2471a3", "linewidth": 1.8, "linestyle": "--"},
    "reference": {"color": "#b8b8b8", "linewidth": 6.0, "linestyle": "-", "zorder": 1},  # a band under the others
}
_EDGE_MARKS = {"inf": ("^", "+inf"), "-inf": ("v", "-inf"), "nan": ("x", "nan")}
_LABEL_CHARACTERS = 90


class MatplotlibMissing(RuntimeError):
    def __init__(self) -> None:
        super().__init__(f"drawing figures needs matplotlib: {INSTALL_HINT}")


def _series(data: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    """The expressions in a fixed order (original, fixed, reference), whatever the JSON's key order."""
    return [(role, data["series"][role]) for role in ROLES if role in data["series"]]


def _label(role: str, series: Mapping[str, Any]) -> str:
    text = f"{role}: {series['expression']}"
    return text if len(text) <= _LABEL_CHARACTERS else text[:_LABEL_CHARACTERS - 3] + "..."


def _spans_decades(data: Mapping[str, Any], key: str) -> bool:
    """Whether the finite nonzero values span more than two decades (then the axis is symmetric-log)."""
    values = np.abs(np.concatenate([as_floats(series[key]) for series in data["series"].values()]))
    values = values[np.isfinite(values) & (values > 0)]
    return values.size > 0 and values.max() / values.min() > 100


def _panel(axes: Any, scale: np.ndarray, data: Mapping[str, Any], key: str, ylabel: str, linthresh: float) -> None:
    if data.get("ray") == THRESHOLD_RAY:
        axes.set_xlabel("logit s")
    else:
        axes.set_xscale("log")
        axes.set_xlabel("logit scale s")
    if _spans_decades(data, key):
        axes.set_yscale("symlog", linthresh=linthresh)
    axes.set_ylabel(ylabel)
    axes.grid(True, which="major", linewidth=0.4, alpha=0.5)
    edges = []
    for role, series in _series(data):
        values = as_floats(series[key])
        # A step of the logit jumps just after each threshold (the metrics compare with a strict `>`).
        steps = {"drawstyle": "steps-pre"} if data.get("ray") == THRESHOLD_RAY else {}
        axes.plot(scale, np.where(np.isfinite(values), values, np.nan), **_STYLES[role], **steps)
        for text, (marker, _) in _EDGE_MARKS.items():
            where = [index for index, number in enumerate(series[key]) if number == text]
            if where:
                edges.append((role, text, marker, scale[where]))
    if not edges:
        return
    bottom, top = axes.get_ylim()
    for role, text, marker, at in edges:
        edge = top if text == "inf" else bottom
        axes.plot(at, np.full(at.shape, edge), marker=marker, linestyle="none", color=_STYLES[role]["color"],
                  markersize=5, clip_on=False)
        left = at[0] < (1.0 if data.get("ray") != THRESHOLD_RAY else 0.5)  # notes on the left read rightwards
        axes.annotate(f"{role}: {_EDGE_MARKS[text][1]} from s = {at[0]:.3g}", (at[0], edge),
                      textcoords="offset points", xytext=(2 if left else -2, -12 if text == "inf" else 7),
                      ha="left" if left else "right", fontsize=7, color=_STYLES[role]["color"])
    axes.set_ylim(bottom, top)


def render(data: Mapping[str, Any], title: str, path: Path) -> None:
    """Write the figure of `data` to `path`; the format follows the suffix (.svg, .png, .pdf)."""
    try:
        import matplotlib
        from matplotlib.figure import Figure
        from matplotlib.lines import Line2D
    except ModuleNotFoundError as error:
        raise MatplotlibMissing() from error
    scale = as_floats(data["scale"])
    settings = {"svg.hashsalt": data["rule"], "svg.fonttype": "none", "font.size": 8}
    with matplotlib.rc_context(settings):
        figure = Figure(figsize=(8.0, 4.0))
        gradients = all("gradient_norm" in series for _, series in _series(data))
        value_axes, gradient_axes = figure.subplots(1, 2) if gradients else (figure.subplots(1, 1), None)
        _panel(value_axes, scale, data, "value", "output: loss or true class's entry (float32)" if gradients
               else "output (float32), a step of the logit: no gradient", linthresh=1.0)
        if gradient_axes is not None:
            _panel(gradient_axes, scale, data, "gradient_norm", "gradient norm w.r.t. the prediction (float64)",
                   linthresh=0.01)
        for role, series in _series(data):
            for error in series["errors"][:1]:
                note = textwrap.fill(f"{role} raises {error}", 60)
                value_axes.text(0.03, 0.95, note, transform=value_axes.transAxes, fontsize=7,
                                color=_STYLES[role]["color"], va="top")
        figure.suptitle(title, fontsize=10, fontweight="bold")
        figure.text(0.5, 0.905, data["reading"], ha="center", fontsize=8)
        handles = [Line2D([], [], **_STYLES[role]) for role, _ in _series(data)]
        labels = [_label(role, series) for role, series in _series(data)]
        figure.legend(handles, labels, loc="lower center", bbox_to_anchor=(0.5, 0.06), frameon=False, fontsize=7.5)
        figure.text(0.5, 0.015, "inputs: " + data["inputs"].replace("`", ""), ha="center", fontsize=7.5)
        figure.subplots_adjust(left=0.08, right=0.98, top=0.83, bottom=0.36, wspace=0.28)
        metadata = {"Date": None, "Creator": "xentlint", "Description": stamp(data)}
        figure.savefig(path, metadata=metadata if Path(path).suffix == ".svg" else None)


def stamp(data: Mapping[str, Any]) -> str:
    """What an SVG records of how it was drawn: the digest of its data and of this drawing code,
    so a change to either makes the figure stale."""
    drawing = hashlib.sha256(Path(__file__).read_text().encode()).hexdigest()[:16]
    return f"data {digest(data)} drawing {drawing}"


def recorded_stamp(svg: str) -> str:
    """The `stamp` an SVG written by `render` records ("" if none)."""
    start = svg.find("<dc:description>")
    if start < 0:
        return ""
    start += len("<dc:description>")
    return svg[start:svg.find("</dc:description>", start)]
