"""Generated inputs for contracts: every combination of dtype, batch size, class count and
value regime, drawn from a seeded generator so a result can be reproduced.

Regimes for logits: "random" (normal, sd 3), "wide" (uniform in [-30, 30]: float32
sigmoid saturates to exactly 1.0 there) and "extreme" (levels -1e3, 0, +1e3 with a
little noise: softmax and sigmoid give probabilities of exactly 0 and 1, and their logs
are -inf). Level gaps are kept above 745 so no exp() lands between the smallest normal
and zero: TF flushes such subnormals to zero and torch does not, so no framework result
is defined there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np

from xentlint.contract import Input

DTYPES = (np.float32, np.float64)
BATCH_SIZES = (1, 4)
CLASS_COUNTS = (2, 3, 10)  # for categorical inputs
OUTPUT_COUNTS = (1, 3, 10)  # for binary-only contracts: one sigmoid unit is the usual case
REGIMES = ("random", "wide", "extreme")

CATEGORICAL = {Input.LOGITS, Input.SPARSE_LABELS, Input.ONE_HOT_LABELS, Input.LOSS_ARGUMENTS}
# LOSS_ARGUMENTS ("any of the above") takes these kinds in turn, one per case.
LOSS_ARGUMENT_KINDS = (
    Input.LOGITS,
    Input.ONE_HOT_LABELS,
    Input.SPARSE_LABELS,
    Input.BINARY_LOGITS,
    Input.BINARY_LABELS,
)


@dataclass(frozen=True)
class Case:
    values: Mapping[str, np.ndarray]
    kinds: Mapping[str, Input]
    dtype: type
    batch: int
    width: int
    regime: str
    seed: int

    def describe(self) -> str:
        return f"{self.regime} {np.dtype(self.dtype).name} batch={self.batch} width={self.width} seed={self.seed}"


def _logits(rng: np.random.Generator, shape: tuple[int, ...], regime: str) -> np.ndarray:
    if regime == "random":
        return rng.normal(0, 3, shape)
    if regime == "wide":
        return rng.uniform(-30, 30, shape)
    levels = rng.choice([-1.0, 0.0, 1.0], shape) * rng.uniform(900, 1000, shape)
    return levels + rng.normal(0, 1, shape)


def _draw(
    kind: Input, rng: np.random.Generator, dtype: type, batch: int, width: int, regime: str, labels: np.ndarray
) -> np.ndarray:
    if kind in (Input.LOGITS, Input.BINARY_LOGITS):
        return _logits(rng, (batch, width), regime).astype(dtype)
    if kind is Input.ONE_UNIT_LOGITS:
        return _logits(rng, (batch, 1), regime).astype(dtype)
    if kind is Input.SPARSE_LABELS:
        return labels
    if kind is Input.ONE_HOT_LABELS:
        return np.eye(width, dtype=dtype)[labels]
    if kind is Input.BINARY_LABELS:
        return rng.integers(0, 2, (batch, width)).astype(dtype)
    raise ValueError(f"no generator for input kind {kind}")


def generate_cases(bindings: Mapping[str, Input], seed: int = 0) -> list[Case]:
    """One case per dtype x batch size x width x regime; sparse and one-hot labels agree."""
    widths = CLASS_COUNTS if CATEGORICAL & set(bindings.values()) else OUTPUT_COUNTS
    rng = np.random.default_rng(seed)
    cases = []
    for dtype in DTYPES:
        for batch in BATCH_SIZES:
            for width in widths:
                for regime in REGIMES:
                    case_seed = int(rng.integers(2**31))
                    case_rng = np.random.default_rng(case_seed)
                    labels = case_rng.integers(0, width, batch)
                    kinds = {
                        name: LOSS_ARGUMENT_KINDS[len(cases) % len(LOSS_ARGUMENT_KINDS)]
                        if kind is Input.LOSS_ARGUMENTS
                        else kind
                        for name, kind in bindings.items()
                    }
                    values = {
                        name: _draw(kind, case_rng, dtype, batch, width, regime, labels) for name, kind in kinds.items()
                    }
                    cases.append(Case(values, kinds, dtype, batch, width, regime, case_seed))
    return cases
