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
from typing import Mapping, Optional

import numpy as np

from xentlint.contract import Input

DTYPES = (np.float32, np.float64)
BATCH_SIZES = (1, 4)
CLASS_COUNTS = (2, 3, 10)  # for categorical inputs
OUTPUT_COUNTS = (1, 3, 10)  # for binary-only contracts: one sigmoid unit is the usual case
REGIMES = ("random", "wide", "extreme")

CATEGORICAL = {Input.LOGITS, Input.SPARSE_LABELS, Input.ONE_HOT_LABELS, Input.INTEGER_ONE_HOT_LABELS,
               Input.LOSS_ARGUMENTS, Input.PROBABILITIES, Input.LOG_PROBABILITIES, Input.SEQUENCE_LABELS}
FLOAT_KINDS = {Input.LOGITS, Input.BINARY_LOGITS, Input.ONE_UNIT_LOGITS, Input.ONE_HOT_LABELS, Input.BINARY_LABELS,
               Input.PROBABILITIES, Input.LOG_PROBABILITIES}
# LOSS_ARGUMENTS ("any of the above") takes these kinds in turn, one per case.
LOSS_ARGUMENT_KINDS = (
    Input.LOGITS,
    Input.ONE_HOT_LABELS,
    Input.SPARSE_LABELS,
    Input.BINARY_LOGITS,
    Input.BINARY_LABELS,
)


@dataclass(frozen=True)
class Layout:
    """The tensors the code uses: rank, class axis, width when the code fixes it, float dtypes.

    The batch is axis 0; other axes than the class axis have 2 entries (a softmax over `dim=2`
    of a [batch, steps, classes] tensor gets 3-D inputs). A Keras model computes in float32.
    """

    rank: int = 2
    class_axis: int = -1
    width: Optional[int] = None
    dtypes: tuple[type, ...] = DTYPES
    # An ignored class (`ignore_index=0`): the first label avoids it, so some label always counts.
    kept_class: Optional[int] = None

    def shape(self, batch: int, width: int) -> tuple[int, ...]:
        shape = [batch] + [2] * (self.rank - 1)
        shape[self.class_axis] = width
        return tuple(shape)


FLAT = Layout()


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
    kind: Input, rng: np.random.Generator, dtype: type, shape: tuple[int, ...], regime: str, layout: Layout,
    labels: np.ndarray,
) -> np.ndarray:
    width = shape[layout.class_axis]
    if kind in (Input.LOGITS, Input.BINARY_LOGITS):
        return _logits(rng, shape, regime).astype(dtype)
    if kind is Input.ONE_UNIT_LOGITS:
        return _logits(rng, shape[:-1] + (1,), regime).astype(dtype)
    if kind is Input.SPARSE_LABELS:
        return labels
    if kind in (Input.ONE_HOT_LABELS, Input.INTEGER_ONE_HOT_LABELS):
        rows = np.eye(width, dtype=np.int64 if kind is Input.INTEGER_ONE_HOT_LABELS else dtype)[labels]
        return np.moveaxis(rows, -1, layout.class_axis)
    if kind is Input.BINARY_LABELS:
        return rng.integers(0, 2, shape).astype(dtype)
    if kind is Input.CLASS_WEIGHTS:
        return rng.uniform(0.5, 2.0, width).astype(dtype)
    if kind is Input.SCALAR:
        return np.asarray(0.5, dtype)
    if kind in (Input.PROBABILITIES, Input.LOG_PROBABILITIES):
        logits = _logits(rng, shape, regime)
        shifted = logits - np.max(logits, axis=layout.class_axis, keepdims=True)
        log_rows = shifted - np.log(np.sum(np.exp(shifted), axis=layout.class_axis, keepdims=True))
        return (log_rows if kind is Input.LOG_PROBABILITIES else np.exp(log_rows)).astype(dtype)
    if kind in _SEQUENCE_KINDS:
        return _sequence_input(kind, rng, shape)
    raise ValueError(f"no generator for input kind {kind}")


_SEQUENCE_KINDS = (Input.SEQUENCE_LABELS, Input.INPUT_LENGTHS, Input.TARGET_LENGTHS)


def _sequence_input(kind: Input, rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """CTC's other tensors for a (T, N, C) prediction: label sequences no longer than half the frames
    (repeated labels need a blank between them), every frame of every sequence used."""
    frames, sequences, classes = shape[0], shape[1], shape[-1]
    longest = max(1, frames // 2)
    if kind is Input.SEQUENCE_LABELS:
        return rng.integers(1, classes, (sequences, longest)) if classes > 1 else np.ones((sequences, longest), int)
    if kind is Input.INPUT_LENGTHS:
        return np.full(sequences, frames, dtype=np.int64)
    return rng.integers(1, longest + 1, sequences)


def generate_cases(bindings: Mapping[str, Input], seed: int = 0, layout: Layout = FLAT) -> list[Case]:
    """One case per dtype x batch size x width x regime; sparse and one-hot labels agree."""
    widths = CLASS_COUNTS if CATEGORICAL & set(bindings.values()) else OUTPUT_COUNTS
    if layout.width is not None:
        widths = (layout.width,)
    rng = np.random.default_rng(seed)
    cases = []
    for dtype in layout.dtypes:
        for batch in BATCH_SIZES:
            for width in widths:
                for regime in REGIMES:
                    case_seed = int(rng.integers(2**31))
                    case_rng = np.random.default_rng(case_seed)
                    shape = layout.shape(batch, width)
                    labels = case_rng.integers(0, width, shape[:layout.class_axis % len(shape)]
                                               + shape[layout.class_axis % len(shape) + 1:])
                    if layout.kept_class is not None and labels.flat[0] == layout.kept_class:
                        labels.flat[0] = (layout.kept_class + 1) % width
                    kinds = {
                        name: LOSS_ARGUMENT_KINDS[len(cases) % len(LOSS_ARGUMENT_KINDS)]
                        if kind is Input.LOSS_ARGUMENTS
                        else kind
                        for name, kind in bindings.items()
                    }
                    values = {
                        name: _draw(kind, case_rng, dtype, shape, regime, layout, labels)
                        for name, kind in kinds.items()
                    }
                    cases.append(Case(values, kinds, dtype, batch, width, regime, case_seed))
    return cases
