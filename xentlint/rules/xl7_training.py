"""XL7: training-only losses used where the model is evaluated or serves predictions."""
from __future__ import annotations

import enum
import os
from typing import Iterator, Optional, Union

import libcst as cst

from xentlint import knowledge
from xentlint.context import FileContext
from xentlint.contract import Contract, Harm, Input, Relation
from xentlint.cst_build import string_literal
from xentlint.knowledge import Vocabulary, apis
from xentlint.knowledge.names import dotted_name
from xentlint.rule import Finding, Rule


class Mode(enum.Enum):
    TRAIN = "training"
    EVAL = "evaluation"


# Function and method names (lower-case, leading underscores dropped) by the mode they run in.
_EVAL_PREFIXES = ("eval", "test", "predict", "infer", "valid", "serving")
_TRAIN_PREFIXES = ("train", "fit")
# Boolean flags that are true while training (`if not training:`, `self.is_training`).
_TRAINING_FLAGS = frozenset({"training", "is_training", "is_train", "train_mode"})
# Names a mode is compared through (`mode == "train"`, `self.phase != "train"`).
_MODE_VARIABLES = frozenset({"mode", "phase", "stage", "split"})
_MODE_STRINGS = {"train": Mode.TRAIN, "training": Mode.TRAIN,
                 **{text: Mode.EVAL for text in ("eval", "evaluate", "evaluation", "infer", "inference", "predict",
                                                 "prediction", "test", "valid", "validation", "val")}}


def _terminal(expr: cst.BaseExpression) -> Optional[str]:
    """The last identifier of `mode`, `self.mode`, `params["mode"]`."""
    if isinstance(expr, cst.Name):
        return expr.value
    if isinstance(expr, cst.Attribute):
        return expr.attr.value
    if isinstance(expr, cst.Subscript) and len(expr.slice) == 1 and isinstance(expr.slice[0].slice, cst.Index):
        return string_literal(expr.slice[0].slice.value)
    return None


def _is_mode_variable(expr: cst.BaseExpression) -> bool:
    name = _terminal(expr)
    return name is not None and (name.lower() in _MODE_VARIABLES or name.lower().endswith("_mode"))


def _mode_constant(ctx: FileContext, expr: cst.BaseExpression) -> Optional[Mode]:
    """`ModeKeys.EVAL` (through any import of tf.estimator's ModeKeys) or a mode string."""
    text = string_literal(expr)
    if text is not None:
        return _MODE_STRINGS.get(text.lower())
    qualified = ctx.qualify(expr)
    if qualified is None:
        return None
    owner, _, member = qualified.rpartition(".")
    if owner not in apis.MODE_KEYS or member not in apis.MODE_KEY_VALUES:
        return None
    return _MODE_STRINGS[apis.MODE_KEY_VALUES[member]]


Branches = tuple[Optional[Mode], Optional[Mode]]  # the mode when the test is true, and when false


def branch_modes(ctx: FileContext, test: cst.BaseExpression) -> Branches:
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        when_true, when_false = branch_modes(ctx, test.expression)
        return when_false, when_true
    if isinstance(test, cst.BooleanOperation):
        left, right = branch_modes(ctx, test.left), branch_modes(ctx, test.right)
        if isinstance(test.operator, cst.And):  # true: both hold
            return _agree(left[0], right[0]), None
        return None, _agree(left[1], right[1])  # or: false when both are false
    name = _terminal(test)
    if name is not None and name.lower() in _TRAINING_FLAGS:
        return Mode.TRAIN, Mode.EVAL
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
        return _comparison_modes(ctx, test)
    return None, None


def _agree(a: Optional[Mode], b: Optional[Mode]) -> Optional[Mode]:
    """What holds when both conditions hold: one says nothing, or both say the same."""
    if a is None or b is None or a is b:
        return a or b
    return None


def _comparison_modes(ctx: FileContext, test: cst.Comparison) -> Branches:
    target = test.comparisons[0]
    equal = isinstance(target.operator, (cst.Equal, cst.Is))
    if not equal and not isinstance(target.operator, (cst.NotEqual, cst.IsNot)):
        return None, None
    for constant_side, variable in ((target.comparator, test.left), (test.left, target.comparator)):
        constant = _mode_constant(ctx, constant_side)
        # A ModeKeys member says what is compared; a string only when compared with a mode.
        if constant is not None and (string_literal(constant_side) is None or _is_mode_variable(variable)):
            break
    else:
        return None, None
    # `mode == TRAIN`: training, else evaluation; `mode == EVAL`: evaluation, else unknown (maybe PREDICT).
    when_equal, when_not = (Mode.TRAIN, Mode.EVAL) if constant is Mode.TRAIN else (Mode.EVAL, None)
    return (when_equal, when_not) if equal else (when_not, when_equal)


def _function_mode(ctx: FileContext, function: cst.FunctionDef) -> Optional[Mode]:
    name = function.name.value.lstrip("_").lower()
    if name.startswith(_TRAIN_PREFIXES):
        return Mode.TRAIN
    if not name.startswith(_EVAL_PREFIXES):
        return None
    if name.startswith("test") and _is_unit_test(ctx, function):
        return None  # a unit test exercises the loss, it does not evaluate a model
    return Mode.EVAL


def _is_unit_test(ctx: FileContext, function: cst.FunctionDef) -> bool:
    owner = ctx.flow.enclosing_class(function)
    if owner is not None and any(ctx.qualify(base.value) in apis.TEST_CASE_CLASSES for base in owner.bases):
        return True
    stem = os.path.basename(ctx.filename).rsplit(".", 1)[0]
    return stem.startswith("test_") or stem.endswith("_test") or stem == "conftest"


def evaluation_context(ctx: FileContext, node: cst.CSTNode) -> Optional[str]:
    """How `node` is visibly in evaluation or inference code, from the innermost enclosing
    function or branch that tells training from evaluation; None when it is training or unknown."""
    child: cst.CSTNode = node
    for ancestor in ctx.ancestors(node):
        mode, where = _context_mode(ctx, ancestor, child)
        if mode is Mode.EVAL:
            return where
        if mode is Mode.TRAIN:
            return None
        child = ancestor
    return None


def _context_mode(ctx: FileContext, ancestor: cst.CSTNode, child: cst.CSTNode) -> tuple[Optional[Mode], str]:
    if isinstance(ancestor, cst.FunctionDef):
        return _function_mode(ctx, ancestor), f"in `{ancestor.name.value}`"
    if isinstance(ancestor, (cst.If, cst.IfExp)):
        if child is ancestor.test:
            return None, ""
        when_true, when_false = branch_modes(ctx, ancestor.test)
        test = ctx.code(ancestor.test).strip()
        line = ctx.line_of(ancestor)
        if child is ancestor.body:
            return when_true, f"under `{test}` (line {line})"
        return when_false, f"in the `else` of `{test}` (line {line})"
    if isinstance(ancestor, (cst.IndentedBlock, cst.Module)):
        return _after_early_exit(ctx, ancestor, child)
    return None, ""


def _after_early_exit(ctx: FileContext, block: Union[cst.IndentedBlock, cst.Module],
                      statement: cst.CSTNode) -> tuple[Optional[Mode], str]:
    """After `if training: return ...`, the statements that follow are its `else`."""
    body = list(block.body)
    for earlier in reversed(body[:body.index(statement)] if statement in body else []):
        if isinstance(earlier, cst.If) and earlier.orelse is None and _exits(earlier.body):
            mode = branch_modes(ctx, earlier.test)[1]
            if mode is not None:
                test = ctx.code(earlier.test).strip()
                return mode, f"after `if {test}:` returned (line {ctx.line_of(earlier)})"
    return None, ""


def _exits(body: cst.BaseSuite) -> bool:
    statements = body.body if isinstance(body, cst.IndentedBlock) else [body]
    last = statements[-1] if statements else None
    if isinstance(last, cst.SimpleStatementLine):
        last = last.body[-1]
    elif isinstance(last, cst.SimpleStatementSuite):
        last = last.body[-1]
    return isinstance(last, (cst.Return, cst.Raise))


class SampledLossOutsideTraining(Rule):
    code = "XL701"
    requires = (Vocabulary.TENSORFLOW, Vocabulary.SAMPLED)
    name = "sampled-loss-outside-training"
    summary = "`tf.nn.sampled_softmax_loss` or `tf.nn.nce_loss` in evaluation or inference code"
    why = (
        "Sampled losses estimate a softmax cross-entropy from the true class and a random sample of "
        "`num_sampled` classes, which makes training over large vocabularies affordable. As a metric "
        "they are neither the model's loss nor stable: with 64 samples out of 50,000 classes the "
        "normaliser sums 65 terms instead of 50,000, so the reported loss is far too low, and it "
        "changes from run to run with the sample. TensorFlow's documentation says to compute the full "
        "softmax loss at evaluation and inference time."
    )
    example = (
        "import tensorflow as tf\n\n"
        "def evaluate(weights, biases, labels, inputs):\n"
        "    return tf.nn.sampled_softmax_loss(weights, biases, labels, inputs, num_sampled=64, num_classes=50000)\n"
    )
    use_instead = (
        "import tensorflow as tf\n\n"
        "def evaluate(weights, biases, labels, inputs):\n"
        "    logits = tf.matmul(inputs, weights, transpose_b=True) + biases\n"
        "    return tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.squeeze(labels, -1), logits=logits)\n"
    )
    frameworks = ("tensorflow",)
    contract = Contract(
        relation=Relation.SHOWS_HARM,
        harm=Harm.DIFFERENT_VALUE,
        original=(
            "tf.nn.sampled_softmax_loss(weights=tf.eye(z.shape[1], dtype=z.dtype), "
            "biases=tf.zeros(z.shape[1], dtype=z.dtype), labels=tf.reshape(y, [-1, 1]), inputs=z, "
            "num_sampled=1, num_classes=z.shape[1], seed=0)"
        ),
        reference="tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=z)",
        inputs={"z": Input.LOGITS, "y": Input.SPARSE_LABELS},
        note="With identity weights and zero biases the sampled loss sees `z` as its logits.",
        counterexample=(
            "tf.nn.sampled_softmax_loss(weights=tf.eye(z.shape[1], dtype=z.dtype), "
            "biases=tf.zeros(z.shape[1], dtype=z.dtype), labels=tf.reshape(y, [-1, 1]), inputs=z, "
            "num_sampled=z.shape[1], num_classes=z.shape[1])"
        ),
    )

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        for call in ctx.calls:
            api = knowledge.loss(ctx.callee(call))
            if api is None or not api.sampled:
                continue
            where = evaluation_context(ctx, call)
            if where is None:
                continue
            spelled = dotted_name(call.func) or api.names[0]
            yield self.finding(call, (
                f"`{spelled}` {where}, which evaluates or predicts: it estimates the loss from a random "
                f"sample of classes and is meant for training only; compute the full cross-entropy over all "
                f"classes here (`tf.matmul(inputs, weights, transpose_b=True) + biases` as logits)"))
