"""Runtime contracts: what a rule's fix does to behaviour, declared as data next to the rule.

A contract names framework-spelled expressions (`original`, `fixed`, and for fixes that
must match a ground truth, `reference`) over named inputs. `xentlint.runtime` evaluates them
with NumPy stand-ins for the framework modules, so declaring a contract imports nothing heavy.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Mapping, Optional


class Relation(str, enum.Enum):
    # Renames: original and fixed give the same value and the same gradient.
    SAME_VALUE_AND_GRADIENT = "same value and gradient"
    # Probability/logit fixes: fixed equals `reference` within tolerance and is finite where
    # the original overflows or clips; the original's deviation is quoted.
    MATCHES_REFERENCE = "fixed equals the reference loss"
    # log-of-softmax and friends: equal where both are finite, fixed finite where original is not.
    EQUAL_WHERE_FINITE = "equal where finite, finite where the original is not"
    # Rules without a fix: `original` exhibits the harm that `harm` describes.
    SHOWS_HARM = "the original shows the harm"


class Input(str, enum.Enum):
    """Kinds of generated inputs; the checker draws random and extreme values of each kind."""

    LOGITS = "logits"  # [batch, classes] floats, spread up to 1e3
    BINARY_LOGITS = "binary logits"  # [batch, outputs] floats, spread up to 1e3
    ONE_UNIT_LOGITS = "one-unit logits"  # [batch, 1] floats
    SPARSE_LABELS = "sparse labels"  # [batch] integers in [0, classes)
    ONE_HOT_LABELS = "one-hot labels"  # [batch, classes] of 0/1, one 1 per row
    INTEGER_ONE_HOT_LABELS = "integer one-hot labels"  # the same rows as int64, as torch's F.one_hot gives
    BINARY_LABELS = "binary labels"  # [batch, outputs] of 0/1
    LOSS_ARGUMENTS = "loss arguments"  # any of the above, for renames that keep a call's arguments
    CLASS_WEIGHTS = "class weights"  # [classes] positive floats, as `weight=` / `pos_weight=` take
    SCALAR = "scalar"  # 0.5: another value of the code (a temperature, a weight), held fixed
    PROBABILITIES = "probabilities"  # rows summing to 1 over the class axis: a target distribution (KL)
    LOG_PROBABILITIES = "log-probabilities"  # the log of such rows (KL's `log_target=True`)
    # CTC over (T, N, C) log-probabilities: axis 1 of the prediction is the batch.
    SEQUENCE_LABELS = "label sequences"  # [N, S] class indices in [1, classes): 0 is the blank
    INPUT_LENGTHS = "input lengths"  # [N] frames per sequence: all T
    TARGET_LENGTHS = "target lengths"  # [N] labels per sequence, in [1, S]


class Harm(str, enum.Enum):
    CONSTANT_OUTPUT = "the output is constant and its gradient is zero"
    DIFFERENT_VALUE = "the original computes a different value than the reference"
    NON_FINITE = "the original is not finite on some inputs"


@dataclass(frozen=True)
class Contract:
    relation: Relation
    original: str
    inputs: Mapping[str, Input]
    fixed: Optional[str] = None
    reference: Optional[str] = None
    harm: Optional[Harm] = None
    # Which inputs the gradient is taken with respect to (the prediction, never labels).
    wrt: str = "z"
    note: str = ""
    extra: Mapping[str, object] = field(default_factory=dict)
    # A plausible but wrong `fixed` (for a rule without a fix, a harmless `original`) that the
    # contract must reject: a contract that cannot fail is a defect (tests/test_runtime_contracts.py).
    counterexample: Optional[str] = None
    # For a contract that shows the harm: how `fix --verify` checks what the rule's fix computes.
    fix_check: Optional["Contract"] = None
    # APIs whose fixes `fix --verify` cannot evaluate (qualified name -> why, in the user's words).
    unmodelled: Mapping[str, str] = field(default_factory=dict)
    # Fixes that edit a metric (`"accuracy"`, `AUC()`) rather than a value: what a metric's name means, in
    # stand-in spelling, and the inputs a metric object is called with, in order.
    metric_names: Mapping[str, str] = field(default_factory=dict)
    metric_arguments: tuple[str, ...] = ()
    # A fix's own reference: its original with these inputs replaced (XL801: the logits by the
    # probabilities they stand for, so the fixed metric must equal the original one on probabilities).
    reference_substitutes: Mapping[str, str] = field(default_factory=dict)
