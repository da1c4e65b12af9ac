"""XL303: a cross-entropy written by hand over probabilities (`-sum(y * log(p))` and its binary
form): recognised through products, signs, reductions and epsilons, and fixed to the framework's
with-logits loss when `p` is visibly `softmax(z)`/`sigmoid(z)`.

Figures: an epsilon inside the log (`log(p + 1e-7)`) caps each term at -log(1e-7) = 16.1, and a clip
to [1e-7, 1] also zeroes the gradient there: a confidently wrong prediction stops being corrected.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Iterator, Optional, Sequence, TypeGuard

import libcst as cst

from xentlint import knowledge, walk
from xentlint.context import FileContext
from xentlint.contract import Contract, Input, Relation
from xentlint.cst_build import ATOMS, int_node, is_none, keyword_arg, parenthesized, with_commas
from xentlint.diagnostics import FixAvailability
from xentlint.fixes import in_place_of, spell, with_parentheses_of
from xentlint.flow import Kind
from xentlint.flow.calls import (
    ActivationCall,
    ReductionCall,
    clipped_tensor,
    int_literal,
    match_activation,
    match_reduction,
)
from xentlint.knowledge import Vocabulary, apis
from xentlint.knowledge.names import dotted_name
from xentlint.knowledge.schema import Fn, Loss, Reduce, has_star_args
from xentlint.rule import Finding, Replacement, Rule
from xentlint.rules._site_messages import origin_place
from xentlint.rules.xl3_log_of_activation import is_one, log_calls, one_minus


# ---------------------------------------------------------------- XL303: hand-written cross-entropy
@dataclass(frozen=True)
class Term:
    """`w * log(p)`: one product of a hand-written cross-entropy."""

    product: cst.BaseExpression  # the whole product
    log: ActivationCall
    through_variable: bool  # the product reads `log(p)` from a variable (`log_p = log(p)`)
    probability: cst.BaseExpression  # p, without the epsilon, clip or `1 -`
    complement: bool  # log(1 - p)
    guarded: bool  # an epsilon or clip inside the log
    negative: bool
    # The other operand when the product is a single `w * log(p)` (its sign removed), else None.
    weight: Optional[cst.BaseExpression]


@dataclass(frozen=True)
class Step:
    """How the formula continues above its terms: a negation, a reduction or a scale factor."""

    node: cst.BaseExpression  # the expression this step makes
    child: cst.BaseExpression  # the formula inside it
    negates: bool = False  # a `-` (or a factor of -1): dropped by a fix
    reduction: Optional[ReductionCall] = None
    negative_scale: bool = False  # a negative factor other than -1


@dataclass(frozen=True)
class Formula:
    terms: tuple[Term, ...]  # one (categorical) or two (binary: p and 1 - p)
    base: cst.BaseExpression  # the product, or the sum of the two products
    steps: tuple[Step, ...]
    across_statements: bool  # the formula continues through a variable

    @property
    def top(self) -> cst.BaseExpression:
        """Where it is reported: the outermost negation, reduction or scale."""
        return self.steps[-1].node if self.steps else self.base

    @property
    def negative(self) -> bool:
        flips = sum(step.negates or step.negative_scale for step in self.steps)
        return (self.terms[0].negative + flips) % 2 == 1

    @property
    def complete(self) -> bool:
        """Negative, and summed unless it is the binary form: `-y * log(p)` alone is not yet a cross-entropy."""
        return self.negative and (len(self.terms) == 2 or any(step.reduction for step in self.steps))


@dataclass(frozen=True)
class Probability:
    expr: cst.BaseExpression
    complement: bool
    guarded: bool


def probability_in_log(ctx: FileContext, log: ActivationCall) -> Optional[Probability]:
    """The probability a log is taken of, through clips, an added epsilon and `1 -`; None when the
    argument is not a probability (a ratio, a log-probability, logits, labels)."""
    expr = log.input
    complement = guarded = False
    while expr is not None:
        clipped = clipped_tensor(ctx, expr) if isinstance(expr, cst.Call) else None
        if clipped is not None:
            expr, guarded = clipped, True
        elif isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Add):
            if is_epsilon(ctx, expr.right):
                expr, guarded = expr.left, True
            elif is_epsilon(ctx, expr.left):
                expr, guarded = expr.right, True
            else:
                return None
        elif not complement and _complement_of(ctx, expr) is not None:
            expr, complement = _complement_of(ctx, expr), True
        else:
            break
    if not isinstance(expr, (cst.Name, cst.Attribute, cst.Subscript, cst.Call)):
        return None
    if ctx.flow.value(expr).kind not in (Kind.UNKNOWN, Kind.PROBABILITIES):
        return None
    return Probability(expr, complement, guarded)


def _complement_of(ctx: FileContext, expr: cst.BaseExpression) -> Optional[cst.BaseExpression]:
    """`p` of `1 - p` and of `1 + eps - p`."""
    if not (isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Subtract)):
        return None
    left = expr.left
    if is_one(left):
        return expr.right
    if isinstance(left, cst.BinaryOperation) and isinstance(left.operator, cst.Add) and (
            (is_one(left.left) and is_epsilon(ctx, left.right)) or (is_epsilon(ctx, left.left) and is_one(left.right))):
        return expr.right
    return None


def is_epsilon(ctx: FileContext, expr: cst.BaseExpression, depth: int = 0) -> bool:
    """A small constant added inside a log: a literal, `K.epsilon()`, `np.finfo(t).eps`, a name
    conventionally given to one (`self.eps`), or a name bound once to one of those."""
    number = _number(expr)
    if number is not None:
        return 0 < number <= 0.01
    if isinstance(expr, cst.Call):
        return ctx.callee(expr) in apis.EPSILON_CALLS
    if isinstance(expr, cst.Attribute):
        if expr.attr.value in apis.FLOAT_INFO_EPSILONS and isinstance(expr.value, cst.Call):
            return ctx.callee(expr.value) in apis.FLOAT_INFO_CALLS
        return expr.attr.value.lower() in apis.EPSILON_NAMES
    if isinstance(expr, cst.Name):
        if expr.value.lower() in apis.EPSILON_NAMES:
            return True
        bound = ctx.flow.bound_value(expr)
        return bound is not None and depth < 3 and is_epsilon(ctx, bound, depth + 1)
    return False



def _variable_reads(ctx: FileContext, expr: cst.BaseExpression) -> list[cst.Name]:
    """`expr` is the whole value of `name = expr`: where that value of `name` is read. Bound once,
    anywhere after; rebound (`x = y * log(p); x = -tf.reduce_sum(x, 1)`), up to the rebinding, in
    statements that follow it in the same block."""
    assign = ctx.parent(expr)
    if not (isinstance(assign, cst.Assign) and assign.value is expr and len(assign.targets) == 1):
        return []
    target = assign.targets[0].target
    if not isinstance(target, cst.Name):
        return []
    scope = ctx.flow.enclosing_scope(assign)
    reads = [read for read in ctx.flow.reads(scope, target.value) if ctx.ends_before(assign, read)]
    stores = ctx.flow.stores(scope, target.value)
    if len(stores) == 1:
        return reads
    later = [store for store in stores if ctx.ends_before(assign, store)]
    if not later:
        return []
    # Up to the rebinding, whose own value still reads this one.
    rebinding = ctx.flow.binding_point(min(later, key=ctx.rank))
    reads = [read for read in reads if not ctx.ends_before(rebinding, read)]
    statement = ctx.parent(assign)
    block = ctx.parent(statement) if statement is not None else None
    if any(ctx.flow.statement_of(read) not in _siblings(block) for read in reads):
        return []
    return reads


def _siblings(block: Optional[cst.CSTNode]) -> list[cst.CSTNode]:
    body = getattr(block, "body", ())
    return list(body) if isinstance(body, (list, tuple)) else []


def _log_factor(ctx: FileContext, factor: cst.BaseExpression) -> Optional[tuple[ActivationCall, bool]]:
    """The log call a product factor is, or reads through a variable bound once to it."""
    if isinstance(factor, cst.Name):
        bound = ctx.flow.bound_value(factor)
        if isinstance(bound, cst.Call):
            log = match_activation(ctx, bound)
            return (log, True) if log is not None and log.fn is Fn.LOG and log.input is not None else None
        return None
    if isinstance(factor, cst.Call):
        log = match_activation(ctx, factor)
        return (log, False) if log is not None and log.fn is Fn.LOG and log.input is not None else None
    return None


def _is_minus(node: Optional[cst.CSTNode]) -> TypeGuard[cst.UnaryOperation]:
    return isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus)


def _is_times(node: Optional[cst.CSTNode]) -> TypeGuard[cst.BinaryOperation]:
    return isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Multiply)


def _operands(ctx: FileContext, node: Optional[cst.CSTNode]) -> Optional[tuple[cst.BaseExpression, ...]]:
    """The two factors of `a * b` or of `np.multiply(a, b)` (`tf.multiply`, `torch.mul`, ...)."""
    if _is_times(node):
        return node.left, node.right
    if isinstance(node, cst.Call) and ctx.callee(node) in apis.MULTIPLICATIONS and len(node.args) == 2 \
            and not any(arg.keyword or arg.star for arg in node.args):
        return node.args[0].value, node.args[1].value
    return None


def _product_around(ctx: FileContext, node: cst.CSTNode) -> Optional[cst.BaseExpression]:
    """The product `node` is a factor of, directly or negated (`y * -log(p)`)."""
    parent = ctx.parent(node)
    if _is_minus(parent):
        outer = _product_around(ctx, parent)
        return parent if outer is not None else None  # type: ignore[return-value]
    if isinstance(parent, cst.Arg):
        parent = ctx.parent(parent)
    operands = _operands(ctx, parent)
    return parent if operands is not None and any(operand is node for operand in operands) else None  # type: ignore


def _factors(ctx: FileContext, expr: cst.BaseExpression) -> tuple[list[cst.BaseExpression], bool]:
    """The factors of a product (signs taken out) and whether an odd number of them was negated."""
    if _is_minus(expr):
        factors, negative = _factors(ctx, expr.expression)
        return factors, not negative
    operands = _operands(ctx, expr)
    if operands is not None:
        left, left_negative = _factors(ctx, operands[0])
        right, right_negative = _factors(ctx, operands[1])
        return left + right, left_negative != right_negative
    return [expr], False


def _contains(expr: cst.CSTNode, part: cst.CSTNode) -> bool:
    finder = _Finder(part)
    walk.visit(expr, finder)
    return finder.found


class _Finder(cst.CSTVisitor):
    def __init__(self, part: cst.CSTNode) -> None:
        self.part = part
        self.found = False

    def on_visit(self, node: cst.CSTNode) -> bool:
        if not self.found and type(node) is type(self.part) and node.deep_equals(self.part):
            self.found = True
        return not self.found


def term_at(ctx: FileContext, factor: cst.BaseExpression) -> Optional[Term]:
    """The product `w * log(p)` that `factor` (a log call, or a variable holding one) is a factor of."""
    found = _log_factor(ctx, factor)
    if found is None:
        return None
    log, through_variable = found
    probability = probability_in_log(ctx, log)
    if probability is None:
        return None
    product = factor
    while (outer := _product_around(ctx, product)) is not None:
        product = outer
    factors, negative = _factors(ctx, product)
    others = [other for other in factors if other is not factor]
    if not others or any(_contains(other, probability.expr) for other in others):
        return None  # no label, or the weight depends on p: an entropy or a focal term
    weight = None
    operands = _operands(ctx, product)
    if operands is not None and any(operand is factor for operand in operands):
        operand = operands[1] if operands[0] is factor else operands[0]
        stripped = operand.expression if _is_minus(operand) else operand
        if not _factors(ctx, stripped)[1]:
            weight = stripped
    return Term(product, log, through_variable, probability.expr, probability.complement, probability.guarded,
                negative, weight)


def _term_within(ctx: FileContext, expr: cst.BaseExpression) -> Optional[tuple[Term, bool]]:
    """The term `expr` is (maybe negated as a whole), and whether that outer `-` flips it."""
    flipped = False
    while _is_minus(expr):
        expr, flipped = expr.expression, not flipped
    factors, _ = _factors(ctx, expr)
    candidates = [factor for factor in factors if _log_factor(ctx, factor) is not None]
    if len(candidates) != 1:
        return None
    term = term_at(ctx, candidates[0])
    if term is None or term.product is not expr:
        return None
    return term, flipped


def _signed(term: Term, flip: bool) -> Term:
    return Term(term.product, term.log, term.through_variable, term.probability, term.complement, term.guarded,
                term.negative != flip, term.weight)


def _binary_pair(ctx: FileContext, term: Term) -> Optional[tuple[cst.BinaryOperation, Term, Term]]:
    """`y*log(p) + (1-y)*log(1-p)` (or `-a - b`) around `term`: the sum and its two signed terms."""
    node: cst.BaseExpression = term.product
    flipped = False
    parent = ctx.parent(node)
    if _is_minus(parent):
        node, flipped, parent = parent, True, ctx.parent(parent)  # type: ignore[assignment]
    if not (isinstance(parent, cst.BinaryOperation) and isinstance(parent.operator, (cst.Add, cst.Subtract))):
        return None
    is_left = parent.left is node
    sibling = parent.right if is_left else parent.left
    within = _term_within(ctx, sibling)
    if within is None:
        return None
    other, other_flipped = within
    subtract = isinstance(parent.operator, cst.Subtract)
    mine = _signed(term, flipped != (subtract and not is_left))
    theirs = _signed(other, other_flipped != (subtract and is_left))
    if mine.complement == theirs.complement or mine.negative != theirs.negative:
        return None
    if ctx.code(mine.probability).strip() != ctx.code(theirs.probability).strip():
        return None
    return parent, mine, theirs


def _climb(ctx: FileContext, terms: tuple[Term, ...], base: cst.BaseExpression) -> Formula:
    """The negations, reductions and scale factors above the terms; an incomplete formula
    (`ce = -y * log(p)`, summed later) continues where its variable is read, if read once."""
    steps: list[Step] = []
    across = hopped = False
    node = base
    while True:
        parent = ctx.parent(node)
        step = _step(ctx, node, parent)
        if step is not None:
            steps.append(step)
            node, across = step.node, across or hopped
            continue
        formula = Formula(terms, base, tuple(steps), across)
        if isinstance(parent, cst.Assign) and not formula.complete:
            reads = _variable_reads(ctx, node)
            if len(reads) == 1:
                node, hopped = reads[0], True
                continue
        return formula


def _step(ctx: FileContext, node: cst.BaseExpression, parent: Optional[cst.CSTNode]) -> Optional[Step]:
    if _is_minus(parent):
        return Step(parent, node, negates=True)
    if isinstance(parent, cst.Arg) or (isinstance(parent, cst.Attribute) and parent.value is node):
        call = ctx.parent(parent)
        if not isinstance(call, cst.Call) or (isinstance(parent, cst.Attribute) and call.func is not parent):
            return None
        reduction = match_reduction(ctx, call)
        if reduction is not None and reduction.input is node:
            return Step(call, node, reduction=reduction)
        return None
    if isinstance(parent, cst.BinaryOperation):
        # A scale factor: `-1 / m * np.sum(...)`, `np.sum(...) / n`, `0.5 * tf.reduce_mean(...)`.
        other = parent.right if parent.left is node else parent.left
        scales = isinstance(parent.operator, cst.Multiply) or (
            isinstance(parent.operator, cst.Divide) and parent.left is node)
        if scales and not _contains_log(ctx, other):
            minus_one = _number(other) == -1.0
            negative = _visibly_negative(other)
            return Step(parent, node, negates=minus_one, negative_scale=negative and not minus_one)
    return None


def _visibly_negative(expr: cst.BaseExpression) -> bool:
    """`-x`, `-1 / m`, `-0.5`: a coefficient whose sign shows (unknown counts as positive)."""
    if _is_minus(expr):
        return not _visibly_negative(expr.expression)
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, (cst.Multiply, cst.Divide)):
        return _visibly_negative(expr.left) != _visibly_negative(expr.right)
    return False


def _contains_log(ctx: FileContext, expr: cst.BaseExpression) -> bool:
    collector = _Calls()
    walk.visit(expr, collector)
    return any((match := match_activation(ctx, call)) is not None and match.fn is Fn.LOG for call in collector.calls)


class _Calls(cst.CSTVisitor):
    def __init__(self) -> None:
        self.calls: list[cst.Call] = []

    def visit_Call(self, node: cst.Call) -> None:
        self.calls.append(node)


def _selects_entries(ctx: FileContext, probability: cst.BaseExpression, depth: int = 0) -> bool:
    """`probs[range(n), y]`, `probs.gather(1, y).squeeze(1)`: one probability picked per example."""
    if isinstance(probability, cst.Name):
        bound = ctx.flow.bound_value(probability)
        return bound is not None and depth < 3 and _selects_entries(ctx, bound, depth + 1)
    if isinstance(probability, cst.Subscript):
        return any(isinstance(element.slice, cst.Index) for element in probability.slice)
    if isinstance(probability, cst.Call):
        name = dotted_name(probability.func) or ""
        method = probability.func.attr.value if isinstance(probability.func, cst.Attribute) else ""
        if method in apis.MEANING_PRESERVING_METHODS:
            return _selects_entries(ctx, probability.func.value, depth)  # type: ignore[attr-defined]
        return (name or method).rsplit(".", 1)[-1] in apis.INDEX_SELECTIONS
    return False


def _number(expr: cst.BaseExpression) -> Optional[float]:
    sign = 1.0
    if _is_minus(expr):
        sign, expr = -1.0, expr.expression
    if isinstance(expr, (cst.Integer, cst.Float)):
        try:
            return sign * float(expr.value)
        except ValueError:
            return None
    return None


def formulas(ctx: FileContext) -> Iterator[Formula]:
    """Every hand-written cross-entropy, once each."""
    seen: set[int] = set()
    for log in log_calls(ctx):
        factors: list[cst.BaseExpression] = [log.call, *_variable_reads(ctx, log.call)]
        for factor in factors:
            term = term_at(ctx, factor)
            if term is None:
                continue
            pair = _binary_pair(ctx, term)
            if pair is not None:
                base, first, second = pair
                terms: tuple[Term, ...] = (first, second) if not first.complement else (second, first)
            else:
                base, terms = term.product, (term,)  # type: ignore[assignment]
            formula = _climb(ctx, terms, base)
            if id(formula.top) in seen or not formula.complete:
                continue
            if len(terms) == 1 and _selects_entries(ctx, term.probability):
                continue  # `log(p[y])` is the sparse form
            seen.add(id(formula.top))
            yield formula


class HandRolledCrossEntropy(Rule):
    code = "XL303"
    requires = (Vocabulary.LOG, Vocabulary.REDUCTIONS)
    name = "hand-rolled-cross-entropy"
    summary = "a cross-entropy written out by hand over probabilities: `-sum(y * log(p))` and its binary form"
    why = (
        "`log(p)` of a probability that rounded to 0 is `-inf`: softmax does that in float32 to any class "
        "whose logit is about 104 below the largest, sigmoid below x = -104, and `1 - sigmoid(x)` is "
        "already 0 from x = 17.5. The loss and its gradient become `inf`/`nan`. An epsilon "
        "(`log(p + 1e-7)`) or a clip only hides this: each term is capped at -log(1e-7) = 16.1 and, "
        "with a clip, its gradient is 0, so a confidently wrong prediction stops being corrected. "
        "The frameworks' with-logits losses compute the same value from the logits, exactly, with "
        "`logsumexp`/`softplus`."
    )
    example = (
        "import tensorflow as tf\n\n"
        "probs = tf.nn.softmax(logits)\n"
        "loss = tf.reduce_mean(-tf.reduce_sum(labels * tf.math.log(probs + 1e-8), axis=-1))\n"
    )
    use_instead = (
        "import tensorflow as tf\n\n"
        "loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits))\n"
    )
    fix_title = "Compute the cross-entropy from the logits with the framework's with-logits loss"
    fix_availability = FixAvailability.SOMETIMES
    fix_safety = (
        "Safe: offered only when `p` is visibly `softmax(z)` or `sigmoid(z)` (inline, or a variable read "
        "only by the formula) and the rewrite keeps the value: the categorical form needs its innermost "
        "reduction to be a sum over the softmax axis (or over everything), which the loss's class axis "
        "matches; reductions above it are kept (a mean over all elements is not the mean of per-example "
        "losses, and is not rewritten). The binary form needs the weights `y` and `1 - y`. The fixed "
        "form equals the formula wherever the formula is finite and no epsilon or clip changes it, and "
        "is finite everywhere. Where `p` came from a variable, its now unused assignment is left for you "
        "to delete. Labels known to be integers (`F.one_hot`) are cast with `.float()` for torch, whose "
        "`cross_entropy` raises on integer probability targets; for the other frameworks the fix is not "
        "offered. "
        "PyTorch's `cross_entropy` takes probability targets since 1.10; TF1's "
        "`softmax_cross_entropy_with_logits` does not backpropagate into the labels."
    )
    frameworks = ("tensorflow", "keras", "torch", "jax", "numpy")
    contract = Contract(
        relation=Relation.MATCHES_REFERENCE,
        original="-tf.reduce_sum(y * tf.math.log(tf.nn.softmax(z)))",
        fixed="tf.reduce_sum(tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=z))",
        reference="F.cross_entropy(z, y, reduction='sum')",
        inputs={"z": Input.LOGITS, "y": Input.ONE_HOT_LABELS},
        counterexample="tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=z))",
        # A fix keeps the formula's own reductions: it equals the formula wherever that is finite.
        fix_check=Contract(
            relation=Relation.EQUAL_WHERE_FINITE,
            original="-(y * torch.log(torch.softmax(z, dim=1))).sum(dim=1).mean()",
            fixed="F.cross_entropy(z, y)",
            inputs={"z": Input.LOGITS, "y": Input.ONE_HOT_LABELS},
        ),
    )

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        for formula in formulas(ctx):
            source = _source_activation(ctx, formula)
            yield self.finding(formula.top, self._message(ctx, formula, source), *_fix(ctx, formula, source))

    def _message(self, ctx: FileContext, formula: Formula, source: Optional["Source"]) -> str:
        term = formula.terms[0]
        p = ctx.short_code(term.probability) or "the probabilities"
        shape = "binary cross-entropy" if len(formula.terms) == 2 else "cross-entropy"
        fn = Fn.SIGMOID if len(formula.terms) == 2 else Fn.SOFTMAX
        value = ctx.flow.value(term.probability)
        origin = ""
        if value.kind is Kind.PROBABILITIES and value.origin is not None:
            origin = f" ({value.origin.description} at {origin_place(ctx, value.origin)})"
        if any(t.guarded for t in formula.terms):
            harm = ("the epsilon or clip inside `log` only caps each term at -log(eps) (16.1 for 1e-7) and "
                    "flattens its gradient where the prediction is confidently wrong")
        else:
            harm = "`log` gives -inf once a probability rounds to 0 (an epsilon or clip would only cap it)"
        loss = _loss_for(term.log.api.framework if source is None else source.activation.api.framework, fn)
        advice = f"use `{_loss_spelling(ctx, loss)}` on the logits" if loss is not None else \
            "compute it from the logits with a fused log-softmax/log-sigmoid"
        return f"hand-written {shape} over `{p}`{origin}: {harm}; {advice}"


# ---------------------------------------------------------------- XL303 fixes
@dataclass(frozen=True)
class Source:
    """`p` is visibly `activation(z)`: written inline, or a variable read only by the formula."""

    activation: ActivationCall
    logits: cst.BaseExpression
    inline: bool


def _source_activation(ctx: FileContext, formula: Formula) -> Optional[Source]:
    terms = formula.terms
    fn = Fn.SIGMOID if len(terms) == 2 else Fn.SOFTMAX
    p = terms[0].probability
    if isinstance(p, cst.Call):
        activations = [match_activation(ctx, term.probability) if isinstance(term.probability, cst.Call) else None
                       for term in terms]
        first = activations[0]
        if first is None or first.fn is not fn or first.input is None:
            return None
        if len(terms) == 2 and not _pure(first.input):
            return None  # evaluated twice by the formula, once by the fix
        return Source(first, first.input, inline=True)
    if not isinstance(p, cst.Name):
        return None
    assignment = ctx.flow.bound_value(p)
    activation = match_activation(ctx, assignment) if isinstance(assignment, cst.Call) else None
    if activation is None or activation.fn is not fn or not isinstance(activation.input, cst.Name):
        return None
    scope = ctx.flow.enclosing_scope(p)
    if ctx.flow.enclosing_scope(activation.call) is not scope:
        return None
    if len(ctx.flow.reads(scope, p.value)) != len(terms):
        return None  # p is read elsewhere too
    logits = activation.input
    if not ctx.flow.bound_before(scope, logits.value, activation.call):
        return None  # the logits may have changed before the formula reads them
    return Source(activation, cst.Name(logits.value), inline=False)


def _pure(expr: cst.BaseExpression) -> bool:
    return dotted_name(expr) is not None


def _loss_for(framework: str, fn: Fn) -> Optional[str]:
    return apis.WITH_LOGITS_CROSS_ENTROPY.get((framework, fn))


def _loss_spelling(ctx: FileContext, qualified: str) -> str:
    return ctx.imports.spell(qualified) or qualified.rsplit(".", 1)[-1]


def _fix(ctx: FileContext, formula: Formula, source: Optional[Source]) -> tuple[Replacement, ...]:
    if source is None or formula.across_statements:
        return ()
    if any(term.through_variable or term.weight is None for term in formula.terms):
        return ()
    if any(step.negative_scale for step in formula.steps):
        return ()
    name = _loss_for(source.activation.api.framework, source.activation.fn)
    row = knowledge.loss(name)
    if name is None or row is None:
        return ()
    # Integer one-hot labels (`F.one_hot`): the fused losses want floats, which torch's take by a cast.
    integer = ctx.flow.value(formula.terms[0].weight).integer  # type: ignore[arg-type]
    if integer and (row.framework != "torch" or len(formula.terms) == 2):
        return ()
    if len(formula.terms) == 2:
        built = _binary_loss(ctx, formula, source, name, row)
    else:
        built = _categorical_loss(ctx, formula, source, name, row)
    if built is None:
        return ()
    loss, above = built
    if integer:
        loss = dataclasses.replace(loss, labels=_as_float(loss.labels))
    new = _rebuild(ctx, loss, above, row)
    if new is None:
        return ()
    top = formula.top
    return (Replacement(top, in_place_of(ctx, top, with_parentheses_of(top, new))),)


def _as_float(labels: cst.BaseExpression) -> cst.BaseExpression:
    """`labels.float()`: torch's probability targets must be floating point."""
    if not isinstance(labels, (cst.Name, cst.Attribute, cst.Call, cst.Subscript)):
        labels = labels.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    return cst.Call(cst.Attribute(labels, cst.Name("float")))


def _binary_loss(ctx: FileContext, formula: Formula, source: Source, name: str,
                 row: Loss) -> Optional[tuple["LossCall", tuple[Step, ...]]]:
    """`-(y*log(sigmoid(z)) + (1-y)*log(1-sigmoid(z)))` is the elementwise with-logits loss."""
    positive, negative = formula.terms
    assert positive.weight is not None and negative.weight is not None
    rest = one_minus(negative.weight)
    if rest is None or ctx.code(rest).strip() != ctx.code(positive.weight).strip():
        return None
    if source.inline and ctx.code(negative.probability).strip() != ctx.code(positive.probability).strip():
        return None
    return LossCall(name, row, source.logits, positive.weight, None), formula.steps


def _categorical_loss(ctx: FileContext, formula: Formula, source: Source, name: str,
                      row: Loss) -> Optional[tuple["LossCall", tuple[Step, ...]]]:
    """`-sum(y * log(softmax(z)), axis=a)` is the per-example loss when `a` is the softmax axis;
    a sum over everything is the per-example loss summed."""
    term = formula.terms[0]
    axis = _activation_axis(source.activation)
    if term.complement or axis is None or term.weight is None:
        return None
    if not _takes_class_axis(row, axis):
        return None
    steps = formula.steps
    first = next((index for index, step in enumerate(steps) if step.reduction is not None), None)
    if first is None or any(not step.negates for step in steps[:first]):
        return None
    reduction = steps[first].reduction
    assert reduction is not None
    if reduction.op is not Reduce.SUM or _extra_arguments(reduction):
        return None
    summed = _reduced_axis(reduction)
    loss = LossCall(name, row, source.logits, term.weight, axis)
    if summed == "all":
        return loss, steps[first:]  # the sum stays, over the per-example losses
    if summed == axis:
        return loss, steps[first + 1:]
    return None


@dataclass(frozen=True)
class LossCall:
    name: str
    row: Loss
    logits: cst.BaseExpression
    labels: cst.BaseExpression
    axis: Optional[int]  # the class axis, for a categorical loss


def _activation_axis(activation: ActivationCall) -> Optional[int]:
    """The literal axis the softmax normalises over, or None (torch's implicit choice, a variable)."""
    if activation.axis is not None:
        return int_literal(activation.axis)
    default = activation.api.axis_default
    return default if isinstance(default, int) else None


def _takes_class_axis(row: Loss, axis: int) -> bool:
    """The loss can take its classes along `axis` (torch's are always along dim 1)."""
    return axis == row.axis_default or row.axis is not None


def _extra_arguments(reduction: ReductionCall) -> bool:
    """Arguments other than the tensor and the axis (keepdims, dtype, ...) or `*args`."""
    call = reduction.call
    if has_star_args(call):
        return True
    known = [arg for arg in call.args if arg is reduction.axis or arg.value is reduction.input]
    return len(known) != len(call.args)


def _reduced_axis(reduction: ReductionCall) -> object:
    """"all", a literal axis, or None when not literal (a list of one axis counts as that axis)."""
    if reduction.axis is None or is_none(reduction.axis.value):
        return "all"
    value = reduction.axis.value
    if isinstance(value, (cst.List, cst.Tuple)) and len(value.elements) == 1:
        value = value.elements[0].value
    return int_literal(value)


def _rebuild(ctx: FileContext, loss: LossCall, above: Sequence[Step], row: Loss) -> Optional[cst.BaseExpression]:
    """The loss call with the steps above it rebuilt around it; negations dropped; for torch, a
    single full mean or sum folded into `reduction=`."""
    steps = list(above)
    reduction_value = None
    if row.reduction is not None:
        reductions = [step for step in steps if step.reduction is not None]
        reduction_value = "none"
        if len(reductions) == 1 and _is_full(reductions[0].reduction):
            steps.remove(reductions[0])
            reduction_value = reductions[0].reduction.op.value  # type: ignore[union-attr]
    new: Optional[cst.BaseExpression] = _loss_call(ctx, loss, reduction_value)
    for step in steps:
        if new is None:
            return None
        new = _around(step, new)
    return new


def _is_full(reduction: Optional[ReductionCall]) -> bool:
    return reduction is not None and reduction.axis is None and not _extra_arguments(reduction)


def _around(step: Step, new: cst.BaseExpression) -> cst.BaseExpression:
    node, child = step.node, step.child
    if step.negates and _is_minus(node):
        return new
    if step.reduction is not None:
        call = step.reduction.call
        if isinstance(call.func, cst.Attribute) and call.func.value is child:
            return call.with_changes(func=call.func.with_changes(value=parenthesized(new)))
        return call.with_changes(args=[arg.with_changes(value=new) if arg.value is child else arg
                                       for arg in call.args])
    assert isinstance(node, cst.BinaryOperation)
    if step.negates:  # `-1 * x` / `x * -1`
        return new
    if node.left is child:
        return node.with_changes(left=new)
    return node.with_changes(right=parenthesized(new))



def _loss_call(ctx: FileContext, loss: LossCall, reduction: Optional[str]) -> Optional[cst.Call]:
    """`tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=z)`, `F.cross_entropy(z, y)`, ..."""
    func = spell(ctx, loss.name)
    if func is None:
        return None
    row = loss.row
    logits = loss.logits.with_changes(lpar=(), rpar=()) if isinstance(loss.logits, ATOMS) else loss.logits
    labels = loss.labels.with_changes(lpar=(), rpar=()) if isinstance(loss.labels, ATOMS) else loss.labels
    if row.keyword_only_in_tf1:
        args = [keyword_arg(row.label.keyword, labels), keyword_arg(row.prediction.keyword, logits)]
    else:
        in_order = (logits, labels) if (row.prediction.position or 0) < (row.label.position or 0) else (labels, logits)
        args = [cst.Arg(value) for value in in_order]
    if loss.axis is not None and loss.axis != row.axis_default:
        if row.axis is None:
            return None
        args.append(keyword_arg(row.axis.keyword, int_node(loss.axis)))
    if row.reduction is not None and reduction is not None and reduction != row.reduction_default:
        args.append(keyword_arg(row.reduction.keyword, cst.SimpleString(f'"{reduction}"')))
    return cst.Call(func=func, args=with_commas(args))
