"""Each rule's code, name, default and pre-filter needs, known without importing the rules.

Generated from the rule classes by `python -m xentlint.dev.docs`; do not edit (a test fails when
it is stale). The configuration, the cache and the pre-filter read this, so that a run answered
from the cache, or on files that cannot matter, never imports LibCST.
"""
from __future__ import annotations

from typing import NamedTuple


class RuleEntry(NamedTuple):
    code: str
    name: str
    default_enabled: bool
    requires: tuple[str, ...]  # `knowledge.Vocabulary` values the file must all mention


RULES: tuple[RuleEntry, ...] = (
    RuleEntry('XL101', 'softmax-into-logits-loss', True, ('losses',)),
    RuleEntry('XL102', 'sigmoid-into-logits-loss', True, ('losses',)),
    RuleEntry('XL103', 'logits-into-probability-loss', True, ('losses',)),
    RuleEntry('XL104', 'activation-outside-loss', True, ('losses',)),
    RuleEntry('XL201', 'sigmoid-with-exclusive-classes', True, ('losses',)),
    RuleEntry('XL202', 'softmax-with-binary-loss', True, ('losses',)),
    RuleEntry('XL203', 'softmax-over-one-unit', True, ('softmax',)),
    RuleEntry('XL204', 'nll-without-log-softmax', True, ('losses',)),
    RuleEntry('XL205', 'probabilities-into-log-probability-loss', True, ('losses',)),
    RuleEntry('XL301', 'log-of-softmax', True, ('softmax', 'log')),
    RuleEntry('XL302', 'log-of-sigmoid', True, ('sigmoid', 'log')),
    RuleEntry('XL303', 'hand-rolled-cross-entropy', True, ('log', 'reductions')),
    RuleEntry('XL401', 'sparse-labels-into-one-hot-loss', True, ('losses',)),
    RuleEntry('XL402', 'one-hot-labels-into-sparse-loss', True, ('losses',)),
    RuleEntry('XL403', 'swapped-loss-arguments', True, ('losses',)),
    RuleEntry('XL501', 'tf-contrib-loss', True, ('tensorflow', 'contrib')),
    RuleEntry('XL502', 'tf1-only-loss-api', True, ('tensorflow', 'tf1-only')),
    RuleEntry('XL503', 'torch-legacy-reduction', True, ('torch', 'legacy-reduction')),
    RuleEntry('XL601', 'implicit-softmax-dim', True, ('torch', 'implicit-dim')),
    RuleEntry('XL602', 'softmax-axis-mismatch', True, ('softmax', 'losses')),
    RuleEntry('XL701', 'sampled-loss-outside-training', True, ('tensorflow', 'sampled')),
    RuleEntry('XL801', 'threshold-metric-on-logits', True, ('losses',)),
    RuleEntry('XL802', 'class-weights-scale-logits', True, ('losses',)),
    RuleEntry('XL900', 'unused-noqa', False, ()),
)
