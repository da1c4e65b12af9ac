"""Command line: options in, `xentlint.api` does the work, `xentlint.output` renders it."""
from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Optional, Sequence

import click

from xentlint import __version__

if TYPE_CHECKING:
    from xentlint.rule import Rule

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
FORMATS = ("text", "json", "sarif", "github", "junit")
STATISTICS_FORMATS = ("text", "json")


def _split(values: Sequence[str]) -> Optional[tuple[str, ...]]:
    """`--select XL1,XL3 --select XL5` -> ("XL1", "XL3", "XL5"); None when not given."""
    if not values:
        return None
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


def _shared_options(function: Callable) -> Callable:
    options = [
        click.argument("paths", nargs=-1, type=str),
        click.option("--select", multiple=True, help="Rule codes or prefixes to enable (replaces the configured set)."),
        click.option("--extend-select", multiple=True, help="Rule codes or prefixes to enable on top of the configured set."),
        click.option("--ignore", multiple=True, help="Rule codes or prefixes to disable."),
        click.option("--output-format", type=click.Choice(FORMATS), default=None, help="How to report findings."),
        click.option("--config", "config_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
                     help="Use this pyproject.toml or xentlint.toml instead of searching for one."),
        click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings remain."),
        click.option("--statistics", is_flag=True, help="Print the number of findings per rule instead of each finding."),
        click.option("--quiet", "-q", is_flag=True, help="Print findings only, without the summary."),
        click.option("--no-cache", is_flag=True, help="Neither read nor write the result cache."),
        click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
                     help="Files checked in parallel (default: the number of cores)."),
        click.option("--show-fixes", is_flag=True, help="List the fixes that were applied."),
        click.option("--stdin-filename", default=None, help="The name of the file read from stdin (`-`)."),
        click.option("--force-exclude", is_flag=True, help="Apply exclusions to paths passed explicitly too."),
        click.option("--unsafe-fixes/--no-unsafe-fixes", default=None,
                     help="Also apply (fix) or mark as fixable (check) the unsafe fixes."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="xentlint")
def main() -> None:
    """Find and fix cross-entropy and loss-function misuse in TensorFlow, Keras, PyTorch and JAX code."""


@main.command()
@_shared_options
def check(**options: object) -> None:
    """Report misuse in PATHS (default: the current folder; `-` reads stdin)."""
    sys.exit(_run(fix=False, diff=False, verify=False, **options))


@main.command()
@_shared_options
@click.option("--diff", is_flag=True, help="Print a unified diff of the fixes and write nothing.")
@click.option("--verify", is_flag=True,
              help="Check each fix numerically with NumPy models first; skip fixes whose check fails.")
def fix(**options: object) -> None:
    """Apply safe fixes to PATHS until none is left (`-`: fixed stdin to stdout)."""
    sys.exit(_run(fix=True, **options))


def _run(*, fix: bool, diff: bool, verify: bool, paths: tuple[str, ...], select, extend_select, ignore,
         output_format, config_file, exit_zero, statistics, quiet, no_cache, jobs, show_fixes, stdin_filename,
         force_exclude, unsafe_fixes) -> int:
    from xentlint import api
    from xentlint.config import ConfigError, Overrides, SettingsResolver
    from xentlint.diagnostics import INTERNAL_ERROR
    from xentlint.output import RenderOptions, render
    from xentlint.progress import progress_bar, wanted

    overrides = Overrides(select=_split(select), extend_select=_split(extend_select), ignore=_split(ignore),
                          unsafe_fixes=unsafe_fixes, output_format=output_format)
    try:
        resolver = SettingsResolver(overrides, config_file)
        base = resolver.for_path(Path.cwd())
        if statistics:
            _check_statistics(base.output_format, diff)
        paths = paths or (".",)
        stdin = sys.stdin.buffer.read() if "-" in paths else None
        tasks, missing = api.tasks(paths, resolver, fix=fix, write=fix and not diff, verify=verify,
                                   no_cache=no_cache, stdin=stdin, stdin_filename=stdin_filename,
                                   force_exclude=force_exclude)
    except ConfigError as error:
        click.echo(f"error: {error}", err=True)
        return EXIT_ERROR
    reads_stdin = any(task.stdin is not None for task in tasks)
    with progress_bar(wanted(quiet=quiet, output_format="diff" if diff else base.output_format,
                             reads_stdin=reads_stdin), "fixing" if fix else "checking") as progress:
        reports = api.run(tasks, jobs or api.default_jobs(), progress)
    diagnostics = [d for report in reports for d in report.diagnostics] + missing
    fixed = [d for report in reports for d in report.fixed]
    found = None
    if fix:  # as `check` counts: a file that could not be read counts its own finding
        found = sum(len(r.diagnostics) if r.found is None else r.found for r in reports) + len(missing)
    options = RenderOptions(statistics=statistics, show_fixes=show_fixes, fixed=fixed, found=found, quiet=quiet,
                            unsafe_fixes_enabled=base.unsafe_fixes)
    stdin_fix = fix and not diff and tasks and tasks[0].stdin is not None
    if stdin_fix:
        report = reports[0]
        if report.fixed_source is None and report.original is None:  # undecodable: the bytes as they came
            sys.stdout.buffer.write(tasks[0].stdin or b"")
            sys.stdout.flush()
        else:
            click.echo(report.fixed_source if report.fixed_source is not None else report.original, nl=False)
        if report.diagnostics:  # stdout is the source, whatever happened: say on stderr why it is not clean
            click.echo(render("text", report.diagnostics, replace(options, statistics=False)), err=True, nl=False)
    elif diff:
        click.echo("".join(report.diff() for report in reports), nl=False)
    if not stdin_fix and not (diff and base.output_format == "text"):
        click.echo(render(base.output_format, diagnostics, options), nl=False)
    for check in (check for report in reports for check in report.checks):
        click.echo(check.line(), err=True)  # stderr: stdout keeps the fixed stdin or the chosen format
    if any(d.code == INTERNAL_ERROR[0] for d in diagnostics):
        return EXIT_ERROR
    if diff and any(report.fixed_source is not None for report in reports):
        return EXIT_OK if exit_zero else EXIT_FINDINGS
    return EXIT_OK if exit_zero or not diagnostics else EXIT_FINDINGS


def _check_statistics(output_format: str, diff: bool) -> None:
    """`--statistics` replaces the findings of the text and json formats; anything else is a usage error."""
    if diff:
        raise click.UsageError("--statistics cannot be combined with --diff (the diff is the output)")
    if output_format not in STATISTICS_FORMATS:
        raise click.UsageError(f"--statistics works with --output-format {' or '.join(STATISTICS_FORMATS)}, "
                               f"not {output_format}")


@main.command()
@click.argument("code")
@click.option("--plot", "plot_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the figure of the rule's runtime contract to this file (.svg, .png or .pdf; needs matplotlib).")
def rule(code: str, plot_file: Optional[Path]) -> None:
    """Print the documentation of rule CODE, with its live numeric evidence."""
    from xentlint.docs import render_rule
    from xentlint.registry import rule_by_code

    try:
        found = rule_by_code(code.upper())
    except KeyError:
        click.echo(f"error: unknown rule code '{code}'", err=True)
        sys.exit(EXIT_ERROR)
    if plot_file is not None:
        sys.exit(_plot(found, plot_file))
    click.echo(render_rule(found), nl=False)
    if found.contract is not None:
        from xentlint.runtime.checker import run_contract

        result = run_contract(found.contract)
        click.echo(f"\n## Live evidence\n{'Held' if result.held else 'FAILED'}: {result.summary}")
    if found.fix_title:
        from xentlint.verification import fix_verified

        # The figures `fix --verify` prints, for the fix of this page's example.
        _, checks = fix_verified(found.example, "example.py", frozenset({found.code}), unsafe=True)
        for check in checks:
            click.echo(f"Fix of the example, `fix --verify`: {check.outcome.value}: {check.detail}")


def _plot(found: type[Rule], path: Path) -> int:
    """The figure of the rule's contract, as on its page, written to `path`."""
    from xentlint.figures.data import CannotVerify, figure_data
    from xentlint.figures.files import title
    from xentlint.figures.plot import MatplotlibMissing, render

    if found.contract is None:
        click.echo(f"error: {found.code} has no runtime contract, so no figure", err=True)
        return EXIT_ERROR
    try:
        render(figure_data(found.code, found.contract), title(found), path)
    except (MatplotlibMissing, CannotVerify) as error:
        click.echo(f"error: {error}", err=True)
        return EXIT_ERROR
    except (OSError, ValueError) as error:  # an unwritable path, a format matplotlib does not know
        click.echo(f"error: cannot write {path}: {error}", err=True)
        return EXIT_ERROR
    click.echo(f"wrote {path}", err=True)
    return EXIT_OK


@main.command()
@click.option("--markdown", "markdown_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Write one Markdown page per rule, and an index, into this folder.")
def rules(markdown_dir: Optional[Path]) -> None:
    """List every rule: code, name, fix availability, frameworks."""
    from xentlint.docs import write_pages
    from xentlint.registry import all_rules

    if markdown_dir is not None:
        for name in write_pages(markdown_dir, all_rules(), figures=False):
            click.echo(f"wrote {markdown_dir / name}")
        return
    rows = [(r.code, r.name + ("" if r.default_enabled else " (off by default)"), r.fix_availability.value,
             ", ".join(r.frameworks)) for r in all_rules()]
    widths = [max(len(row[i]) for row in rows + [("code", "name", "fix", "frameworks")]) for i in range(4)]
    for row in [("code", "name", "fix", "frameworks"), *rows]:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())


@main.command()
def verify() -> None:
    """Check every rule's runtime contract with the NumPy loss models."""
    from xentlint.registry import all_rules
    from xentlint.runtime.checker import format_table, run_all

    results = run_all(all_rules())
    click.echo(format_table(results))
    sys.exit(EXIT_OK if all(result.held for _, result in results) else EXIT_FINDINGS)


@main.command()
def server() -> None:
    """Run the language server (LSP over stdio), for editors."""
    try:
        from xentlint.server import serve
    except ModuleNotFoundError as error:
        if error.name not in ("pygls", "lsprotocol"):
            raise
        click.echo("error: the language server needs pygls, from the `lsp` extra: pip install -e '.[lsp]' in a "
                   "checkout of xentlint, or pip install 'xentlint[lsp] @ git+<repository URL>'", err=True)
        sys.exit(EXIT_ERROR)
    serve()


@main.command()
def clean() -> None:
    """Remove the result cache (.xentlint_cache) of the current project."""
    from xentlint.cache import clean as remove_cache
    from xentlint.config import ConfigError, Overrides, SettingsResolver

    try:
        root = SettingsResolver(Overrides()).for_path(Path.cwd()).root
    except ConfigError:
        root = Path.cwd()
    click.echo("removed the cache" if remove_cache(root) else "no cache to remove")
