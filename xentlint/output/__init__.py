"""Render findings in one of the output formats; one module per format."""
from __future__ import annotations

from dataclasses import replace
from typing import Callable, Sequence

from xentlint.diagnostics import Diagnostic
from xentlint.output import github, json, junit, sarif, text
from xentlint.output.options import RenderOptions

Renderer = Callable[[Sequence[Diagnostic], RenderOptions], str]

RENDERERS: dict[str, Renderer] = {
    "text": text.render,
    "json": json.render,
    "sarif": sarif.render,
    "github": github.render,
    "junit": junit.render,
}
FORMATS = tuple(RENDERERS)

__all__ = ["FORMATS", "RenderOptions", "render"]


def render(fmt: str, diagnostics: Sequence[Diagnostic], options: RenderOptions) -> str:
    """Findings marked `fixed` count as fixed, like those in `options.fixed`, not as remaining."""
    if fmt not in RENDERERS:
        raise ValueError(f"unknown output format '{fmt}'; expected one of {', '.join(FORMATS)}")
    remaining = [d for d in diagnostics if not d.fixed]
    fixed = [*options.fixed, *(d for d in diagnostics if d.fixed)]
    return RENDERERS[fmt](remaining, replace(options, fixed=fixed))
