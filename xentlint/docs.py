"""Rule pages rendered from the rule classes: `rules/<CODE>.md`, `xentlint rule CODE`, SARIF help."""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

from xentlint.diagnostics import FixAvailability
from xentlint.rule import Rule

_FIX_WORDS = {
    FixAvailability.ALWAYS: "Always",
    FixAvailability.SOMETIMES: "Sometimes",
    FixAvailability.NONE: "None",
}


def render_rule(rule: type[Rule], figure: bool = False) -> str:
    """The page of `rule`; with `figure`, linking the figure of its contract (`img/<CODE>.svg`)."""
    lines = [
        f"# {rule.name} ({rule.code})",
        "",
        f"Fix is {_FIX_WORDS[rule.fix_availability].lower()} available."
        if rule.fix_availability is not FixAvailability.NONE else "No fix is available.",
        f"Frameworks: {', '.join(rule.frameworks)}." if rule.frameworks else "",
        "" if rule.default_enabled else "Off by default: enable it with `--extend-select " + rule.code + "`.",
        "",
        "## What it does",
        f"Flags {rule.summary[0].lower()}{rule.summary[1:]}." if not rule.summary.endswith(".")
        else f"Flags {rule.summary[0].lower()}{rule.summary[1:]}",
        "",
        "## Why is this bad?",
        rule.why,
        "",
        "## Example",
        "```python",
        rule.example.rstrip("\n"),
        "```",
        "",
        "## Use instead",
        "```python",
        rule.use_instead.rstrip("\n"),
        "```",
    ]
    if rule.fix_title:
        lines += ["", "## Fix", f"{rule.fix_title}.", ""]
        if rule.fix_safety:
            lines += [rule.fix_safety]
    lines += _extra_sections(rule)
    if rule.contract is not None:
        contract = rule.contract
        lines += ["", "## Runtime contract", f"Relation: {contract.relation.value}.", "",
                  f"- original: `{contract.original}`"]
        if contract.fixed:
            lines.append(f"- fixed: `{contract.fixed}`")
        if contract.reference:
            lines.append(f"- reference: `{contract.reference}`")
        if contract.harm:
            lines.append(f"- harm: {contract.harm.value}")
        lines.append("- inputs: " + ", ".join(f"`{name}` ({kind.value})" for name, kind in contract.inputs.items()))
        lines += ["", f"`xentlint verify` checks this contract with NumPy models of the framework functions;"
                      f" `xentlint rule {rule.code}` prints the live figures."]
        if figure:
            lines += ["", *_figure_lines(rule)]
    if rule.references:
        lines += ["", "## References"] + [f"- {reference}" for reference in rule.references]
    return "\n".join(_collapse(lines)).rstrip("\n") + "\n"


def _figure_lines(rule: type[Rule]) -> list[str]:
    from xentlint.figures.data import describe_inputs, differentiable, reading
    from xentlint.figures.files import figure_path

    assert rule.contract is not None
    inputs = describe_inputs(rule.contract)
    if differentiable(rule.contract):
        alt = "output and gradient norm of the contract's expressions as the logits grow"
        shown = (f"for one example whose logits grow with a scale s ({inputs}): on the left its output in float32 "
                 f"(the example's loss, or the true class's entry of a distribution), on the right the norm of its "
                 f"gradient (finite differences in float64, as `xentlint verify` takes it).")
    else:
        alt = "output of the contract's expressions as the logit crosses the thresholds"
        shown = (f"for one example whose logit s crosses the thresholds ({inputs}): its output in float32. The "
                 f"output is a step of the logit, so there is no gradient to show.")
    return [f"![{rule.code}: {alt}]({figure_path(rule.code)})", "",
            f"The figure shows each expression of this contract, evaluated by the NumPy models, {shown} "
            f"{reading(rule.contract)} `xentlint rule {rule.code} --plot FILE` draws it."]


def _extra_sections(rule: type[Rule]) -> list[str]:
    """A rule may add sections, such as its rename table, through `doc_sections()`."""
    sections = getattr(rule, "doc_sections", None)
    return ["", *sections()] if callable(sections) else []


def _collapse(lines: list[str]) -> list[str]:
    """Drop repeated blank lines left by optional parts."""
    result: list[str] = []
    for line in lines:
        if line == "" and result and result[-1] == "":
            continue
        result.append(line)
    return result


def render_index(rules: Sequence[type[Rule]]) -> str:
    lines = ["# xentlint rules", "", "| code | name | fix | frameworks | summary |", "| --- | --- | --- | --- | --- |"]
    for rule in rules:
        default = "" if rule.default_enabled else " (off by default)"
        lines.append(f"| [{rule.code}]({rule.code}.md) | {rule.name}{default} | "
                     f"{_FIX_WORDS[rule.fix_availability]} | {', '.join(rule.frameworks)} | {rule.summary} |")
    return "\n".join(lines) + "\n"


def expected_pages(rules: Sequence[type[Rule]], figures: bool = True) -> dict[str, str]:
    pages = {f"{rule.code}.md": render_rule(rule, figures and rule.contract is not None) for rule in rules}
    pages["README.md"] = render_index(rules)
    return pages


def write_pages(folder: Path, rules: Sequence[type[Rule]], figures: bool = True) -> list[str]:
    """Write every page that differs; return the names written. With `figures`, pages link the
    figures that `xentlint.figures.files.write_figures` writes next to them."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in expected_pages(rules, figures).items():
        path = folder / name
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
            written.append(name)
    return written


def stale_pages(folder: Path, rules: Sequence[type[Rule]]) -> list[str]:
    expected = expected_pages(rules)
    stale = [name for name, text in expected.items()
             if not (folder / name).exists() or (folder / name).read_text() != text]
    stale += [p.name for p in folder.glob("*.md") if p.name not in expected]
    return sorted(stale)
