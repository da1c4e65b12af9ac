"""The flow's summaries of functions, tuples and names, and where it must stay unknown."""
from __future__ import annotations

import textwrap

import libcst as cst

from xentlint import walk
from xentlint.context import FileContext
from xentlint.flow import Kind


def context(source: str) -> FileContext:
    return FileContext(cst.parse_module(textwrap.dedent(source)), "example.py")


def returned(ctx: FileContext, function: str) -> cst.BaseExpression:
    """The expression of the last `return` of `function`."""
    definition = next(node for node in walk.walk(ctx.module)
                      if isinstance(node, cst.FunctionDef) and node.name.value == function)
    returns = [node for node in walk.walk(definition) if isinstance(node, cst.Return)]
    value = returns[-1].value
    assert value is not None
    return value


def kind_of_call(ctx: FileContext, code: str) -> Kind:
    call = next(call for call in ctx.calls if ctx.code(call) == code)
    return ctx.flow.value(call).kind


TORCH = "import torch\nimport torch.nn.functional as F\n"


def test_return_value_follows_the_kinds_of_the_arguments() -> None:
    ctx = context(TORCH + """
def activate(x, fn):
    return fn(x)

def probs(z):
    return F.softmax(z, dim=1)

def use(z):
    return probs(z), activate(z, probs), activate(z, torch.relu)
""")
    assert kind_of_call(ctx, "probs(z)") is Kind.PROBABILITIES
    assert kind_of_call(ctx, "activate(z, probs)") is Kind.PROBABILITIES
    assert kind_of_call(ctx, "activate(z, torch.relu)") is Kind.UNKNOWN


def test_recursion_and_mutual_recursion_end_in_unknown() -> None:
    ctx = context(TORCH + """
def rec(x, n):
    if n == 0:
        return F.softmax(x, dim=1)
    return rec(x, n - 1)

def ping(x):
    return pong(x)

def pong(x):
    return ping(x)

def use(x):
    return rec(x, 3), ping(x)
""")
    assert kind_of_call(ctx, "rec(x, 3)") is Kind.UNKNOWN  # one branch is unknown: merged, unknown
    assert kind_of_call(ctx, "ping(x)") is Kind.UNKNOWN


def test_a_deep_chain_of_calls_ends_in_unknown() -> None:
    chain = "\n".join(f"def f{i}(x):\n    return f{i + 1}(x)\n" for i in range(60))
    ctx = context(TORCH + chain + "\ndef f60(x):\n    return F.softmax(x, dim=1)\n")
    assert kind_of_call(ctx, "f59(x)") is Kind.PROBABILITIES
    assert kind_of_call(ctx, "f1(x)") is Kind.UNKNOWN


def test_parameters_take_what_every_call_site_agrees_on() -> None:
    ctx = context(TORCH + """
def agreed(p):
    return p

def disputed(p):
    return p

def callback(p):
    return p

probs = F.softmax(z, dim=1)
a = agreed(probs)
b = agreed(probs)
c = disputed(F.softmax(z, dim=1))
d = disputed(z)
e = callback(F.softmax(z, dim=1))
handlers = [callback]
""")
    assert ctx.flow.value(returned(ctx, "agreed")).kind is Kind.PROBABILITIES
    assert ctx.flow.value(returned(ctx, "disputed")).kind is Kind.UNKNOWN
    assert ctx.flow.value(returned(ctx, "callback")).kind is Kind.UNKNOWN  # also used as a value


def test_tuples_at_literal_positions_and_around_a_star() -> None:
    ctx = context(TORCH + """
def pair(z):
    return z, F.softmax(z, dim=1), torch.sigmoid(z)

def use(z):
    first, *middle, last = pair(z)
    whole = pair(z)
    return first, last, whole[1], whole[-1], middle
""")
    first, last, indexed, from_end, middle = (element.value for element in returned(ctx, "use").elements)
    assert ctx.flow.value(first).kind is Kind.UNKNOWN
    assert ctx.flow.value(last).kind is Kind.PROBABILITIES and ctx.flow.value(last).fn.value == "sigmoid"
    assert ctx.flow.value(indexed).fn.value == "softmax"
    assert ctx.flow.value(from_end).fn.value == "sigmoid"
    assert ctx.flow.value(middle).kind is Kind.UNKNOWN


def test_a_global_is_read_unless_the_function_rebinds_it() -> None:
    ctx = context(TORCH + """
probs = F.softmax(z, dim=1)

def reads():
    return probs

def rebinds():
    probs = z
    return probs
""")
    assert ctx.flow.value(returned(ctx, "reads")).kind is Kind.PROBABILITIES
    assert ctx.flow.value(returned(ctx, "rebinds")).kind is Kind.UNKNOWN


def test_snippet_names_resolve_only_without_framework_imports() -> None:
    snippet = context("model = Sequential([Dense(10)])\n")
    assert snippet.qualify(snippet.calls[0].func) == "keras.Sequential"
    imported = context("import torch\nmodel = Sequential([Dense(10)])\n")
    assert imported.qualify(imported.calls[0].func) is None
    defined = context("def Dense(n):\n    return n\n\nmodel = Sequential([Dense(10)])\n")
    assert defined.qualify(next(c for c in defined.calls if ctx_code(defined, c) == "Dense(10)").func) is None
    package = context("from .layers import Block\nmodel = Sequential([Dense(10)])\n")
    assert package.qualify(package.calls[0].func) is None


def ctx_code(ctx: FileContext, node: cst.CSTNode) -> str:
    return ctx.code(node)


def test_reads_include_subscript_stores_but_not_attribute_names_or_keywords() -> None:
    ctx = context("p = f()\np[0] = 1\ng(p=2, q=x.p)\nh(p)\n")
    reads = ctx.flow.reads(ctx.module, "p")
    assert len(reads) == 2  # `p[0] = 1` and `h(p)`


def test_bound_value_of_a_module_constant_read_in_a_function() -> None:
    ctx = context("EPS = 1e-7\n\ndef f(p):\n    return p + EPS\n")
    read = next(node for node in walk.walk(returned(ctx, "f")) if isinstance(node, cst.Name) and node.value == "EPS")
    bound = ctx.flow.bound_value(read)
    assert isinstance(bound, cst.Float) and bound.value == "1e-7"


def test_methods_through_self_bound_static_and_property() -> None:
    ctx = context(TORCH + """
class Head(torch.nn.Module):
    def probs(self, z):
        return F.softmax(z, dim=1)

    @staticmethod
    def squash(z):
        return torch.sigmoid(z)

    @property
    def scores(self):
        return F.softmax(self.z, dim=1)

    def forward(self, z, *, scale=None):
        return self.probs(z), self.squash(z), self.scores(z)
""")
    probs, squash, scores = (element.value for element in returned(ctx, "forward").elements)
    assert ctx.flow.value(probs).fn.value == "softmax"
    assert ctx.flow.value(squash).fn.value == "sigmoid"
    assert ctx.flow.value(scores).kind is Kind.UNKNOWN
