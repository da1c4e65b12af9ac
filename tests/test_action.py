"""The GitHub Action (action.yml): its script steps, run here as a runner would run them, install
xentlint from this checkout into their own environment and annotate a misuse."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Mapping

import pytest

yaml = pytest.importorskip("yaml")  # PyYAML comes with pre-commit, in the test extra

REPO = Path(__file__).resolve().parent.parent
MISUSE = "import torch\nimport torch.nn.functional as F\n\nlp = torch.log(F.softmax(z, dim=1))\n"
EXPRESSION = re.compile(r"\$\{\{\s*([\w.-]+)\s*\}\}")


def _action() -> dict:
    return yaml.safe_load((REPO / "action.yml").read_text())


def _substitute(text: str, context: Mapping[str, str]) -> str:
    """GitHub's `${{ name }}` expressions, for the plain names the action uses; any other fails the test."""
    def value(match: re.Match) -> str:
        assert match.group(1) in context, f"the test does not know the expression {match.group(0)}"
        return context[match.group(1)]

    return EXPRESSION.sub(value, text)


def _run_action(project: Path, runner_temp: Path, args: str | None) -> subprocess.CompletedProcess:
    """Run the steps of action.yml in `project` as a runner does; `setup-python` is stood in for by
    this interpreter. Returns the last step's process."""
    action = _action()
    inputs = {name: spec.get("default", "") for name, spec in action["inputs"].items()}
    if args is not None:
        inputs["args"] = args
    context = {f"inputs.{name}": value for name, value in inputs.items()}
    context.update({"github.action_path": str(REPO), "runner.temp": str(runner_temp)})
    result = None
    for step in action["runs"]["steps"]:
        if "uses" in step:  # stood in for: the Python that runs these tests, without touching PATH
            assert step["uses"].startswith("actions/setup-python@")
            assert step["with"]["update-environment"] is False
            context[f"steps.{step['id']}.outputs.python-path"] = sys.executable
            continue
        assert step["shell"] == "bash"
        outputs = runner_temp / f"output-{step['id'] if 'id' in step else 'last'}"
        outputs.write_text("")
        env = {name: value for name, value in os.environ.items() if name not in ("CI", "VIRTUAL_ENV")}
        env.update({name: _substitute(str(value), context) for name, value in step.get("env", {}).items()})
        env["GITHUB_OUTPUT"] = str(outputs)
        # GitHub runs a bash step as `bash --noprofile --norc -eo pipefail {0}`.
        script = runner_temp / "step.sh"
        script.write_text(_substitute(step["run"], context))
        result = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], cwd=project,
                                env=env, capture_output=True, text=True, timeout=900)
        if "id" in step:
            assert result.returncode == 0, result.stderr
            for line in outputs.read_text().splitlines():
                name, _, value = line.partition("=")
                context[f"steps.{step['id']}.outputs.{name}"] = value
    assert result is not None
    return result


def test_the_action_is_composite_and_runs_check_with_github_annotations() -> None:
    action = _action()
    assert action["runs"]["using"] == "composite"
    assert set(action["inputs"]) == {"args", "python-version"}
    assert "--output-format github" in action["runs"]["steps"][-1]["run"]


@pytest.mark.slow
def test_the_action_steps_annotate_a_misuse_and_fail(tmp_path: Path) -> None:
    if shutil.which("bash") is None:
        pytest.skip("bash is not installed")
    project, runner_temp = tmp_path / "project", tmp_path / "runner-temp"
    (project / "src").mkdir(parents=True)
    runner_temp.mkdir()
    (project / "src" / "train.py").write_text(MISUSE)
    (project / "notes.py").write_text("import torch\n\nprint(torch.ones(2))\n")

    found = _run_action(project, runner_temp, None)  # default args: "."
    assert found.returncode == 1, found.stderr
    assert found.stdout == ("::error title=xentlint (XL301),file=src/train.py,line=4,col=6,endLine=4,"
                            "endColumn=36::XL301 `log(softmax(x))` gives -inf where a probability underflows "
                            "to 0; use log_softmax\n")
    venv_xentlint = runner_temp / "xentlint-venv" / "bin" / "xentlint"
    assert venv_xentlint.exists()  # installed into the action's own environment

    # The user's arguments reach `check`: here a path and a selection that leaves nothing to report.
    clean = _run_action(project, runner_temp, "src --ignore XL301")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert clean.stdout == ""
