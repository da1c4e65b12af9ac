"""XL205: a loss that takes log-probabilities (KL divergence, CTC) given probabilities or logits.

The figures quoted in messages: torch's `kl_div(input, target)` computes
`target * (log(target) - input)` per element, reading `input` as log-probabilities. Given
probabilities `p` instead, for two identical distributions over C classes (where the divergence
is 0) it sums to `-log(C) - 1/C` per example (-2.40 for 10 classes): the value is negative and
its gradient pulls every class by the same `-target`, whatever the student predicts. With the
default `reduction="mean"` torch divides that sum by C as well. The swapped form reads the
student's log-probabilities (all <= 0) as the target distribution and takes their log: NaN.
"""
from __future__ import annotations

import math
from typing import Iterator, Optional

import libcst as cst

from xentlint.context import FileContext
from xentlint.cst_build import bool_literal, keyword_arg, string_literal
from xentlint.contract import Contract, Input, Relation
from xentlint.diagnostics import Applicability, FixAvailability
from xentlint.fixes import fused_log_call, spell_first
from xentlint.flow import Kind, LossSite, Value
from xentlint.flow.calls import match_activation
from xentlint.knowledge import Vocabulary, apis
from xentlint.knowledge.schema import Fn, Form, Labels, argument, has_star_args
from xentlint.rule import Finding, Replacement, Rule
from xentlint.rules._site_messages import describe_activated, describe_loss, origin_place
from xentlint.rules._sites import feeds_only_the_loss, local_activation, loss_node
from xentlint.rules.xl4_labels import swap_arguments

_UNSAFE = Applicability.UNSAFE
_LOG_PROBABILITY_LOSSES = frozenset({Labels.DISTRIBUTION, Labels.SEQUENCE})
_NORMALISED = frozenset({Fn.SOFTMAX, Fn.SIGMOID})
# How a CTC input on logits gets its log_softmax: over the class axis, the last of (T, N, C).
# How torch spells log_softmax as a function, by preference: the table's log forms of its softmax functions.
_TORCH_LOG_SOFTMAX = tuple(dict.fromkeys(
    row.log_form for row in sorted(apis.ACTIVATIONS, key=lambda row: "functional" not in row.names[0])
    if row.framework == "torch" and row.fn is Fn.SOFTMAX and row.form is Form.FUNCTION and row.log_form))
_EXAMPLE_CLASSES = 10  # the class count quoted when the code does not show one


def _probabilities(value: Value) -> bool:
    """A softmax or sigmoid output the analysis can point to, not passed through a log."""
    return value.kind is Kind.PROBABILITIES and value.fn in _NORMALISED and value.origin is not None


def _log_target(site: LossSite) -> Optional[bool]:
    """torch's `log_target=` as a literal (False when absent or when the loss has none); None: not a literal."""
    node = loss_node(site)
    given = argument(node, site.api.log_target) if node is not None and site.api.log_target else None
    return False if given is None else bool_literal(given.value)


def _reduction(site: LossSite) -> Optional[str]:
    node = loss_node(site)
    given = argument(node, site.api.reduction) if node is not None and site.api.reduction else None
    return site.api.reduction_default if given is None else string_literal(given.value)


def kl_of_identical_distributions(classes: int, reduction: Optional[str]) -> float:
    """What `kl_div(p, p)` (probabilities as the input) returns for one uniform example, where KL is 0."""
    per_example = -math.log(classes) - 1 / classes
    return per_example / classes if reduction in ("mean", "none") else per_example


def _kl_figure(site: LossSite) -> str:
    """How far the call's value is off, quoted for two identical distributions."""
    known = site.prediction.classes if site.prediction.fn is Fn.SOFTMAX else None
    classes = known if known is not None and known > 1 else _EXAMPLE_CLASSES
    reduction = _reduction(site) if site.api.reduction is not None else "sum"
    value = kl_of_identical_distributions(classes, reduction)
    unit = " per element" if reduction in ("mean", "none") else " per example"
    over = f"{classes} classes" if classes == known else f"{classes} classes, for example"
    return f"for two identical distributions over {over}, where the divergence is 0, it gives {value:.2f}{unit}"


class ProbabilitiesIntoLogProbabilityLoss(Rule):
    code = "XL205"
    requires = (Vocabulary.LOSSES,)
    name = "probabilities-into-log-probability-loss"
    summary = ("A loss that takes log-probabilities (`kl_div`, `KLDivLoss`, `CTCLoss`, `optax.kl_divergence`) "
               "given probabilities or raw logits")
    why = (
        "PyTorch's `kl_div(input, target)` computes `target * (log(target) - input)`: it reads `input` as "
        "log-probabilities and takes no log itself. Knowledge-distillation code often passes "
        "`F.softmax(student)` instead. The value is then not a divergence at all: for two identical "
        "distributions over 10 classes, where KL is 0, it gives -2.40 per example, it is negative for "
        "most inputs, and its gradient with respect to the probabilities is the constant `-target`, so "
        "the student is pushed towards the teacher's classes by the same amount however close it already "
        "is. Swapping the arguments (`kl_div(teacher_probs, F.log_softmax(student))`) reads "
        "log-probabilities, which are negative, as the target and takes their log: the loss is NaN. "
        "`nn.CTCLoss` / `F.ctc_loss` and `optax.kl_divergence` (log-predictions first) follow the same "
        "convention; CTC on softmax outputs or raw logits reads unnormalised numbers as log-probabilities, "
        "so the loss is not the sequence's negative log-likelihood and can fall below 0 or without bound."
    )
    example = (
        "import torch.nn.functional as F\n\n"
        "loss = F.kl_div(F.softmax(student / T, dim=1), F.softmax(teacher / T, dim=1),\n"
        "                reduction=\"batchmean\")\n"
    )
    use_instead = (
        "import torch.nn.functional as F\n\n"
        "loss = F.kl_div(F.log_softmax(student / T, dim=1), F.softmax(teacher / T, dim=1),\n"
        "                reduction=\"batchmean\")\n"
    )
    fix_title = "Pass log-probabilities as the input"
    fix_availability = FixAvailability.SOMETIMES
    fix_safety = (
        "Safe for probabilities: `softmax` becomes `log_softmax` on the same dim (`F.log_softmax`, "
        "`torch.log_softmax`, `x.log_softmax`, `jax.nn.log_softmax`; `sigmoid` becomes `logsigmoid`) where "
        "the activation is applied inline or in a variable that only this loss reads. A softmax inside a "
        "model or layer gets no fix (other code may read the model's output as probabilities). Unsafe: "
        "the swapped form gets its two arguments swapped (KL divergence is not symmetric: check which "
        "distribution is the reference), and CTC on raw logits gets `F.log_softmax(..., dim=-1)` around "
        "its input (the class axis must be the last, as in `(T, N, C)`)."
    )
    frameworks = ("torch", "jax")
    contract = Contract(
        relation=Relation.MATCHES_REFERENCE,
        original="F.kl_div(F.softmax(z, dim=1), F.softmax(t, dim=1), reduction='batchmean')",
        fixed="F.kl_div(F.log_softmax(z, dim=1), F.softmax(t, dim=1), reduction='batchmean')",
        reference="torch.sum(F.softmax(t, dim=1) * (F.log_softmax(t, dim=1) - F.log_softmax(z, dim=1))) / z.shape[0]",
        inputs={"z": Input.LOGITS, "t": Input.LOGITS},
        note="The reference is KL(teacher || student) written out from the log-probabilities.",
        counterexample="F.kl_div(F.log_softmax(z, dim=1), F.softmax(t, dim=1))",
    )

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        for site in ctx.loss_sites:
            node = loss_node(site)
            if site.api.labels not in _LOG_PROBABILITY_LOSSES or site.call is None or has_star_args(site.call) \
                    or (node is not None and has_star_args(node)):
                continue
            if _probabilities(site.prediction) and site.label.kind is Kind.LOG_PROBABILITIES \
                    and site.api.labels is Labels.DISTRIBUTION and _log_target(site) is False:
                yield self._swapped(ctx, site)
            elif _probabilities(site.prediction):
                yield self._probabilities_input(ctx, site)
            elif site.api.labels is Labels.SEQUENCE and site.prediction.kind is Kind.LOGITS \
                    and site.prediction.origin is not None:
                yield self._logits_input(ctx, site)

    def _probabilities_input(self, ctx: FileContext, site: LossSite) -> Finding:
        fn = site.prediction.fn
        assert fn is not None
        if site.api.labels is Labels.SEQUENCE:
            harm = ("it reads probabilities in [0, 1] as log-probabilities, i.e. per-frame 'probabilities' "
                    "between 1 and e that sum to more than 1, so the value is not the sequence's negative "
                    "log-likelihood and can be negative")
        else:
            formula = "exp(target) * (target - p)" if _log_target(site) else "target * (log(target) - p)"
            harm = f"it computes {formula} on the probabilities p, not the divergence: {_kl_figure(site)}"
        advice = "use log_softmax on the same dim" if fn is Fn.SOFTMAX else "use logsigmoid"
        message = (f"{describe_activated(ctx, site, fn.value)} reaches {describe_loss(site)}, which expects "
                   f"log-probabilities as its input: {harm}; {advice}")
        return self.finding(site.report, message, *self._to_log_form(ctx, site))

    def _to_log_form(self, ctx: FileContext, site: LossSite) -> tuple[Replacement, ...]:
        origin = site.prediction.origin
        call = origin.activation_call if origin is not None else None
        if call is None or local_activation(ctx, site) is not call or "#" in ctx.code(call) \
                or not feeds_only_the_loss(ctx, site, call):
            return ()
        activation = match_activation(ctx, call)
        fused = fused_log_call(ctx, activation) if activation is not None else None
        return (Replacement(call, fused),) if fused is not None else ()

    def _swapped(self, ctx: FileContext, site: LossSite) -> Finding:
        assert site.prediction_arg is not None and site.label_arg is not None and site.call is not None
        message = (f"{describe_activated(ctx, site, 'softmax' if site.prediction.fn is Fn.SOFTMAX else 'sigmoid')} "
                   f"is the input of {describe_loss(site)} and log-probabilities are its target: the arguments are "
                   f"swapped (the input takes log-probabilities, the target probabilities), so it takes the log of "
                   f"negative numbers and the loss is NaN; swap them")
        swapped = swap_arguments(site.call, site.prediction_arg, site.label_arg)
        return self.finding(site.report, message, Replacement(site.call, swapped), applicability=_UNSAFE,
                            title="Swap the input and the target")

    def _logits_input(self, ctx: FileContext, site: LossSite) -> Finding:
        origin = site.prediction.origin
        arg = site.prediction_arg
        assert origin is not None and arg is not None
        message = (f"`{ctx.short_code(arg.value) or 'the input'}` holds raw logits ({origin.description}, "
                   f"{origin_place(ctx, origin)}) and reaches {describe_loss(site)}, which expects log-probabilities: "
                   f"unnormalised scores are read as log-probabilities, so the loss is not the sequence's negative "
                   f"log-likelihood and falls without bound as the logits grow; apply log_softmax over the class "
                   f"axis")
        func = spell_first(ctx, _TORCH_LOG_SOFTMAX)
        if func is None or "#" in ctx.code(arg.value):
            return self.finding(site.report, message)
        wrapped = cst.Call(func=func, args=(
            cst.Arg(arg.value, comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))),
            keyword_arg("dim", cst.UnaryOperation(cst.Minus(), cst.Integer("1"))),
        ))
        return self.finding(site.report, message, Replacement(arg.value, wrapped), applicability=_UNSAFE,
                            title="Apply log_softmax over the class axis")
