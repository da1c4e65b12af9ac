"""The figures on the rule pages: drawn from each contract by the NumPy models, checked for
staleness on their data (no matplotlib needed), and showing what the pages say."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from xentlint.figures.data import as_floats, digest, dumps, figure_data
from xentlint.figures.files import FOLDER, figure_path, stale_figures
from xentlint.registry import all_rules, rule_by_code

ROOT = Path(__file__).resolve().parents[1]
RULES = ROOT / "rules"
WITH_CONTRACTS = [rule for rule in all_rules() if rule.contract is not None]
REGENERATE = "regenerate with `python -m xentlint.dev.docs` (drawing needs the docs extra)"


def _series(code: str, role: str, key: str = "value") -> np.ndarray:
    return as_floats(json.loads((RULES / FOLDER / f"{code}.json").read_text())["series"][role][key])


def test_every_rule_with_a_contract_has_an_up_to_date_figure_linked_from_its_page() -> None:
    assert stale_figures(RULES, all_rules()) == [], REGENERATE
    for rule in WITH_CONTRACTS:
        assert (RULES / figure_path(rule.code)).read_text().startswith("<?xml")
        assert f"]({figure_path(rule.code)})" in (RULES / f"{rule.code}.md").read_text()


def test_the_staleness_check_needs_no_matplotlib() -> None:
    probe = ("import sys; sys.modules['matplotlib'] = None\n"
             "from pathlib import Path\nfrom xentlint.figures.files import stale_figures\n"
             "from xentlint.registry import all_rules\n"
             f"print(stale_figures(Path({str(RULES)!r}), all_rules()))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def _copy(tmp_path: Path, codes: list[str]) -> Path:
    (tmp_path / FOLDER).mkdir()
    for code in codes:
        for suffix in (".json", ".svg"):
            shutil.copy(RULES / FOLDER / f"{code}{suffix}", tmp_path / FOLDER)
    return tmp_path


def test_changed_data_a_redrawn_svg_or_an_orphan_is_stale(tmp_path: Path) -> None:
    rules = [rule_by_code("XL101"), rule_by_code("XL203")]
    folder = _copy(tmp_path, ["XL101", "XL203"])
    assert stale_figures(folder, rules) == []
    svg = folder / figure_path("XL203")
    svg.write_text(svg.read_text().replace(" drawing ", " drawing 0"))  # drawn by other drawing code
    assert stale_figures(folder, rules) == [figure_path("XL203")]
    data = json.loads((folder / FOLDER / "XL101.json").read_text())
    data["series"]["original"]["value"][-1] = 2.0  # the plateau at 1.55 is the point of the figure
    (folder / FOLDER / "XL101.json").write_text(dumps(data))
    # The SVG was drawn from the old data, and the data no longer matches the contract.
    assert stale_figures(folder, rules) == [f"{FOLDER}/XL101.json", figure_path("XL101"), figure_path("XL203")]
    (folder / FOLDER / "XL900.json").write_text("{}")
    assert f"{FOLDER}/XL900.json" in stale_figures(folder, rules)


def test_data_compares_to_the_digits_float32_keeps() -> None:
    from xentlint.figures.data import same_data

    rule = rule_by_code("XL301")
    stored = json.loads((RULES / FOLDER / "XL301.json").read_text())
    nudged = json.loads(dumps(stored))
    nudged["series"]["fixed"]["value"][0] *= 1 + 1e-6
    assert same_data(nudged, figure_data(rule.code, rule.contract))
    nudged["series"]["fixed"]["value"][0] *= 1.01
    assert not same_data(nudged, figure_data(rule.code, rule.contract))


def test_the_figures_show_what_the_pages_say() -> None:
    # XL101: the double softmax's loss flattens (at most log(e + C - 1) - 1 above its floor) and its
    # gradient vanishes, while the correct loss grows with the logits.
    assert _series("XL101", "original").max() < 1.6 and _series("XL101", "fixed")[-1] == pytest.approx(2000)
    assert _series("XL101", "original", "gradient_norm")[-1] < 1e-6
    assert np.allclose(_series("XL101", "fixed"), _series("XL101", "reference"), rtol=1e-4)
    # XL203: softmax over one unit stays at exactly 1.0, with a gradient of exactly zero.
    assert set(_series("XL203", "original")) == {1.0} and set(_series("XL203", "original", "gradient_norm")) == {0.0}
    # XL301: log(softmax) falls to -inf once the gap passes about 104 in float32; log_softmax stays finite.
    original, fixed = _series("XL301", "original"), _series("XL301", "fixed")
    scales = as_floats(json.loads((RULES / FOLDER / "XL301.json").read_text())["scale"])
    assert np.isneginf(original[scales > 60]).all() and np.isfinite(original[scales < 45]).all()
    assert np.isfinite(fixed).all()
    # XL103: Keras reads negative logits as probability 1e-7: a loss stuck at 16.1 with zero gradient.
    assert np.allclose(_series("XL103", "original"), 16.1181, rtol=1e-4)


def test_rule_plot_writes_the_figure_of_the_page(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    result = subprocess.run([sys.executable, "-m", "xentlint", "rule", "xl301", "--plot", "XL301.svg"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "XL301.svg").read_bytes() == (RULES / figure_path("XL301")).read_bytes()
    stored = json.loads((RULES / FOLDER / "XL301.json").read_text())
    assert f"<dc:description>data {digest(stored)} drawing " in (tmp_path / "XL301.svg").read_text()


@pytest.mark.parametrize("code, message", [
    ("XL301", 'drawing figures needs matplotlib: pip install -e ".[docs]"'),
    ("XL900", "XL900 has no runtime contract, so no figure"),
])
def test_rule_plot_errors_are_plain(tmp_path: Path, code: str, message: str) -> None:
    probe = ("import sys; sys.modules['matplotlib'] = None\nfrom xentlint.cli import main\n"
             f"main(['rule', {code!r}, '--plot', 'figure.svg'])")
    result = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert message in result.stderr and not (tmp_path / "figure.svg").exists()


def test_an_input_kind_the_figure_does_not_place_is_drawn_by_the_checker(monkeypatch: pytest.MonkeyPatch) -> None:
    # A rule added later may use a kind of input this module has no ray value for: its figure is still drawn.
    from xentlint.figures import data
    from xentlint.runtime.inputs import generate_cases

    contract = rule_by_code("XL204").contract  # nll_loss(softmax(z)) against cross_entropy, sparse labels
    monkeypatch.delitem(data._LABELS, contract.inputs["y"])
    assert "`y`: sparse labels drawn by the checker, held fixed" in data.describe_inputs(contract)
    drawn = next(case.values["y"] for case in generate_cases(contract.inputs, seed=0)
                 if case.batch == 1 and case.width == 3 and case.regime == "random" and case.dtype is np.float32)
    figure = figure_data("XL204", contract)
    assert np.isfinite(as_floats(figure["series"]["fixed"]["value"])).all()
    # The reference, cross-entropy of the drawn class: grows with s unless that class has the largest logit (1).
    growing = as_floats(figure["series"]["reference"]["value"])
    assert (growing[-1] > 100) == (int(drawn[0]) != 1)
