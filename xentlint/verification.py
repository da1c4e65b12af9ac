"""`xentlint fix --verify`: check each proposed fix numerically before it is applied.

A fix at a loss site is checked on the whole loss computation there (`site_verification`).
Any other fix gives two expressions (`fix_texts`): what the edited code computes before and
after. Framework names are resolved through the file's own imports and spelled as the NumPy
stand-ins are (`tensorflow.keras.losses.X` -> `keras.losses.X`); the user's variables are
renamed to the inputs of the rule's contract (`z`, `y`), of the kinds and dtypes the flow knows,
and values of the user's own code (`self.fc(x)`) become inputs of their own, so the contract's
relation, and its reference, apply as declared.

Imports NumPy through `xentlint.runtime`: import this module only when verifying.
"""
from __future__ import annotations

import ast
import copy
import enum
import functools
import itertools
import dataclasses
from dataclasses import dataclass
from typing import Mapping, NamedTuple, Optional, Sequence

import libcst as cst

from xentlint import engine
from xentlint.contract import Contract, Input, Relation
from xentlint.diagnostics import Diagnostic
from xentlint.fix_texts import NotAnExpression, edited_expressions
from xentlint.knowledge.names import ImportTable
from xentlint.output.paths import position
from xentlint.registry import rule_by_code
from xentlint.runtime import ContractResult, verify_expressions
from xentlint.runtime.evaluation import SAFE_BUILTINS, CannotVerify, Expression
from xentlint.runtime.inputs import FLAT, Layout, generate_cases
from xentlint.runtime.errors import MissingStandIn
from xentlint.runtime.standins import STANDINS, namespace
from xentlint.runtime.tensor import Tensor
from xentlint import knowledge
from xentlint.flow import Kind
from xentlint.knowledge.schema import Form, Labels
from xentlint.flow.values import Value
from xentlint.stable_formula import stable
from xentlint.site_verification import SiteUnverifiable, check_at_site, flow_values

# Stand-in modules are named after their packages, except TensorFlow's: `tf`, as in the contracts.
_STANDIN_ROOTS = {"tensorflow": "tf"}
_STANDIN_PACKAGES = {name.partition(".")[0] for name in STANDINS} | {"numpy"}


class Outcome(str, enum.Enum):
    VERIFIED = "verified"
    FAILED = "NOT applied: check failed"
    UNVERIFIED = "not verified"


@dataclass(frozen=True)
class FixCheck:
    diagnostic: Diagnostic
    outcome: Outcome
    detail: str  # the figures of the check, or why there was none

    def line(self) -> str:
        return f"{position(self.diagnostic)}: {self.diagnostic.code} {self.outcome.value}: {self.detail}"


class Unverifiable(Exception):
    """The fix is outside what the NumPy models can check; the message says why."""


def fix_verified(source: str, filename: str, codes: frozenset[str], unsafe: bool
                 ) -> tuple[engine.FixResult, list[FixCheck]]:
    """`engine.fix_source` applying only the fixes whose check does not fail; and the checks."""
    verifier = FixVerifier()
    result = engine.fix_source(source, filename, codes, unsafe, allowed=verifier)
    return result, verifier.report(result)


class FixVerifier:
    """The `allowed` filter of `engine.fix_source`: refuses a fix whose check fails, keeps every check."""

    def __init__(self) -> None:
        self._checks: dict[Diagnostic, FixCheck] = {}

    def __call__(self, source: str, diagnostic: Diagnostic) -> bool:
        check = check_fix(source, diagnostic)
        self._checks[diagnostic] = check
        return check.outcome is not Outcome.FAILED

    def report(self, result: engine.FixResult) -> list[FixCheck]:
        """One check per applied fix, then one per fix refused because its check failed."""
        refused = [d for d in result.remaining if d in self._checks and self._checks[d].outcome is Outcome.FAILED]
        return [self._checks[d] for d in [*result.fixed, *refused]]


def check_fix(source: str, diagnostic: Diagnostic) -> FixCheck:
    """Whether `diagnostic`'s fix of `source` keeps the relation its rule's contract declares."""
    try:
        result = _check(source, diagnostic)
    except (Unverifiable, CannotVerify) as error:
        return unverified(diagnostic, unmodelled_reason(source, diagnostic) or str(error))
    if not result.verifiable:
        return unverified(diagnostic, result.summary.replace("cannot verify: ", "", 1))
    return FixCheck(diagnostic, Outcome.VERIFIED if result.held else Outcome.FAILED, result.summary)


def unmodelled_reason(source: str, diagnostic: Diagnostic) -> Optional[str]:
    """Why the fix cannot be checked, where its rule's contract lists the API the fix rewrites."""
    unmodelled = getattr(rule_by_code(diagnostic.code).contract, "unmodelled", {})
    try:
        original, _ = edited_expressions(source, diagnostic)
    except NotAnExpression:
        return None
    call = original.func if isinstance(original, ast.Call) else original
    dotted = _dotted(call)
    qualified = _imports(source).resolve_dotted(dotted) if dotted else None
    if qualified not in unmodelled:
        return None
    return f"`{dotted}` is not checked: {unmodelled[qualified]}"


def unverified(diagnostic: Diagnostic, reason: str) -> FixCheck:
    return FixCheck(diagnostic, Outcome.UNVERIFIED, reason)


class _Spelling(NamedTuple):
    """The fix's two expressions in stand-in spelling, over inputs of the contract's kinds."""

    original: str
    fixed: str
    bindings: dict[str, Input]


def _check(source: str, diagnostic: Diagnostic) -> ContractResult:
    contract = rule_by_code(diagnostic.code).contract
    if contract is None:
        raise Unverifiable(f"{diagnostic.code} declares no runtime contract")
    try:
        at_site = check_at_site(source, diagnostic, contract)
    except SiteUnverifiable as error:
        if contract.relation is not Relation.SAME_VALUE_AND_GRADIENT:
            raise Unverifiable(str(error)) from None
        at_site = None  # a rename keeps the call's arguments: the edited call alone can be compared
    if at_site is not None:
        return at_site
    contract = _fix_contract(diagnostic.code)
    try:
        original, fixed = edited_expressions(source, diagnostic)
    except NotAnExpression as error:
        raise Unverifiable(str(error)) from None
    original, fixed = _as_computations(original, contract), _as_computations(fixed, contract)
    imports, opaque = _imports(source), _Opaque(vectors=Input.CLASS_WEIGHTS in contract.inputs.values())
    variables = _respell(original, imports, {}, opaque)[1]
    if len(variables) > len(contract.inputs):
        # `softmax(matmul(x, W) + b)` -> `sigmoid(matmul(x, W) + b)`: what both sides apply to is one input.
        original, fixed = _common_operands(original, fixed, opaque)
        variables = _respell(original, imports, {}, opaque)[1]
    brought_in = [name for name in _respell(fixed, imports, {}, opaque)[1] if name not in variables]
    if brought_in:
        # The fix reads a value the replaced code does not, and whose definition is not in view.
        raise Unverifiable(f"the fix reads {', '.join(map(opaque.describe, brought_in))}, "
                           f"which the replaced code does not")
    constant = _same_constant(original, fixed, imports, opaque)
    if constant is not None:
        return constant
    known = {**flow_values(source, diagnostic), **_slots_of_losses(original, imports),
             **_slots_of_losses(fixed, imports)}
    module_options = _module_constructor(_respell(original, imports, {}, opaque)[0])
    all_roles = ([_option_roles(variables, contract)] if module_options
                 else _roles(variables, contract, diagnostic.code, opaque))
    spellings = []
    for roles in all_roles:
        if not all(_fits(contract, name, known.get(variable)) for variable, name in roles.items()):
            continue
        candidates = [
            _Spelling(_metric_applied(_respell(original, imports, roles, opaque)[0], contract),
                      _metric_applied(_respell(fixed, imports, roles, opaque)[0], contract),
                      {name: _kind(contract, name, known.get(variable), labels)
                       for variable, name in roles.items()})
            for labels in _label_alternatives(contract)
        ]
        # Which variable is the prediction and which the labels, and (for a rename) of what kind the labels
        # are: the assignment under which the original runs.
        working = [c for c in candidates if len(candidates) == 1 and len(all_roles) == 1
                   or not _raises(c.original, c.bindings)]
        spellings += working[:1]
    if not spellings:
        raise Unverifiable(f"the original raises however {' and '.join(map(opaque.describe, variables))} "
                           f"are assigned to the inputs")
    return _verdict(spellings, contract, diagnostic.code, [opaque.describe(v) for v in variables])


def _fix_contract(code: str) -> Contract:
    contract = rule_by_code(code).contract
    if contract is None:
        raise Unverifiable(f"{code} declares no runtime contract")
    if contract.fix_check is not None:
        return contract.fix_check
    if contract.relation is Relation.SHOWS_HARM:
        raise Unverifiable(f"the {code} contract describes the harm, not what the fix keeps")
    return contract


def _common_operands(original: ast.expr, fixed: ast.expr, opaque: "_Opaque") -> tuple[ast.expr, ast.expr]:
    """Both sides with the largest computations they share (beyond single names) as opaque values."""
    def parts(expr: ast.expr) -> dict[str, ast.expr]:
        return {ast.unparse(node): node for node in ast.walk(expr) if node is not expr
                and isinstance(node, (ast.BinOp, ast.Call, ast.Subscript))}

    shared = set(parts(original)) & set(parts(fixed))
    largest = {text for text in shared if not any(text != other and text in other for other in shared)}

    class Replace(ast.NodeTransformer):
        def visit(self, node: ast.AST) -> ast.AST:
            if isinstance(node, ast.expr) and ast.unparse(node) in largest:
                return ast.copy_location(ast.Name(opaque.name(node), ast.Load()), node)
            return super().visit(node)

    return Replace().visit(copy.deepcopy(original)), Replace().visit(copy.deepcopy(fixed))


def _as_computations(expr: ast.expr, contract: Contract) -> ast.expr:
    """A Keras activation string as that activation applied to the prediction."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str) and expr.value.isidentifier() \
            and expr.value not in contract.metric_names:
        return ast.parse(f"keras.activations.{expr.value}({contract.wrt})", mode="eval").body
    return expr


def _metric_applied(spelled: str, contract: Contract) -> str:
    """A metric's name or object (`"accuracy"`, `AUC()`) called on the contract's inputs, as the framework
    calls it; anything else unchanged."""
    if not contract.metric_arguments:
        return spelled
    expr = ast.parse(spelled, mode="eval").body
    if isinstance(expr, ast.Constant) and expr.value in contract.metric_names:
        expr = ast.parse(contract.metric_names[expr.value], mode="eval").body
    if not (isinstance(expr, ast.Call) and isinstance(STANDINS.get(_dotted(expr.func) or ""), type)):
        return spelled
    return ast.unparse(ast.Call(expr, [ast.Name(name, ast.Load()) for name in contract.metric_arguments], []))


def _fix_reference(spelling: "_Spelling", contract: Contract) -> Optional[str]:
    """The reference of this fix: its original with the inputs the contract substitutes replaced."""
    if not contract.reference_substitutes:
        return contract.reference

    class Substitute(ast.NodeTransformer):
        def visit_Name(self, node: ast.Name) -> ast.expr:
            replacement = contract.reference_substitutes.get(node.id)
            return ast.parse(replacement, mode="eval").body if replacement else node

    return ast.unparse(Substitute().visit(ast.parse(spelling.original, mode="eval")))


def _prediction_input(contract: Contract) -> str:
    return contract.wrt or next(iter(contract.reference_substitutes), "")


_LABEL_KINDS = {Input.SPARSE_LABELS, Input.ONE_HOT_LABELS, Input.BINARY_LABELS}
_OPTION = "_option"  # a variable passed to a module's constructor: class weights


def _label_alternatives(contract: Contract) -> list[Optional[Input]]:
    """A rename keeps whatever labels the code passes: the contract's kind first, then the others."""
    if contract.relation is not Relation.SAME_VALUE_AND_GRADIENT:
        return [None]
    return [None, Input.SPARSE_LABELS, Input.ONE_HOT_LABELS, Input.BINARY_LABELS]


def _module_constructor(spelled: str) -> bool:
    expr = ast.parse(spelled, mode="eval").body
    return isinstance(expr, ast.Call) and hasattr(STANDINS.get(_dotted(expr.func) or ""), "tensor_arguments")


def _option_roles(variables: Sequence[str], contract: Contract) -> dict[str, str]:
    """A module's constructor reads no tensor: it is applied to the contract's inputs; its variables are options."""
    return {**{name: name for name in contract.inputs},
            **{variable: f"{_OPTION}{index}" for index, variable in enumerate(variables)}}


def _same_constant(original: ast.expr, fixed: ast.expr, imports: ImportTable, opaque: "_Opaque"
                   ) -> Optional[ContractResult]:
    """`tf.losses.Reduction.MEAN` -> `tf.compat.v1.losses.Reduction.MEAN`: two framework constants."""
    spelled = [_respell(expr, imports, {}, opaque) for expr in (original, fixed)]
    if any(variables or not isinstance(ast.parse(text, mode="eval").body, ast.Attribute)
           for text, variables in spelled):
        return None
    values = [STANDINS.get(text) for text, _ in spelled]
    if any(value is None or callable(value) for value in values):
        return None
    same = values[0] == values[1]
    return ContractResult(Relation.SAME_VALUE_AND_GRADIENT, held=same, inputs_tried=1, worst_deviation=0.0,
                          summary=f"both name the constant {values[0]!r}" if same
                          else f"the constants differ: {values[0]!r} and {values[1]!r}")


def _kind(contract: Contract, name: str, known: Optional[Value], labels: Optional[Input] = None) -> Input:
    """The input's kind in the contract, of the dtype the flow knows (`F.one_hot` gives integers)."""
    if name.startswith(_OPTION):
        return Input.CLASS_WEIGHTS
    kind = contract.inputs.get(name, Input.SCALAR)
    if labels is not None and kind in _LABEL_KINDS:
        return labels
    if kind not in (Input.ONE_HOT_LABELS, Input.SPARSE_LABELS) or known is None:
        return kind
    if known.kind is Kind.ONE_HOT_LABELS:
        return Input.INTEGER_ONE_HOT_LABELS if known.integer else Input.ONE_HOT_LABELS
    return Input.SPARSE_LABELS if known.kind is Kind.SPARSE_LABELS else kind


def _slots_of_losses(expr: ast.expr, imports: ImportTable) -> dict[str, Value]:
    """Variables passed where a framework loss in `expr` takes its prediction, or its class indices."""
    found = {}
    for call in (node for node in ast.walk(expr) if isinstance(node, ast.Call)):
        dotted = _dotted(call.func)
        api = knowledge.loss(imports.resolve_dotted(dotted)) if dotted else None
        if api is None or api.form is not Form.FUNCTION:
            continue
        slots = [(api.prediction, Value(Kind.LOGITS))]
        if api.labels is Labels.SPARSE:
            slots.append((api.label, Value(Kind.SPARSE_LABELS, integer=True)))
        for param, value in slots:
            argument = next((k.value for k in call.keywords if k.arg == param.keyword), None)
            if argument is None and param.position is not None and param.position < len(call.args):
                argument = call.args[param.position]
            if isinstance(argument, ast.Name):
                found[argument.id] = value
    return found


def _fits(contract: Contract, name: str, known: Optional[Value]) -> bool:
    """Labels the flow knows take a labels input; a prediction it knows, a prediction input."""
    kind = contract.inputs.get(name)
    if known is None or kind is None or kind is Input.LOSS_ARGUMENTS:
        return True
    if known.kind in (Kind.SPARSE_LABELS, Kind.ONE_HOT_LABELS):
        return kind in _LABEL_KINDS
    if known.kind in (Kind.LOGITS, Kind.PROBABILITIES, Kind.LOG_PROBABILITIES):
        return kind not in _LABEL_KINDS
    return True


@functools.lru_cache(maxsize=1)  # every fix of one pass reads the same source
def _imports(source: str) -> ImportTable:
    return ImportTable.from_module(cst.parse_module(source))


class _Opaque:
    """Values of the user's code the models cannot compute (`self.fc(x)`, `batch["labels"]`): inputs
    of their own, the same on both sides of the fix."""

    PREFIX = "_value"

    def __init__(self, vectors: bool = False) -> None:
        self.texts: dict[str, str] = {}
        # Literal vectors of numbers (`[1.0, 10.0]`) as values of their own: the contract's class weights.
        self.vectors = vectors
        self.vector_names: set[str] = set()

    def vector(self, node: ast.expr) -> Optional[str]:
        """The name of a literal vector of two or more numbers, when such vectors are inputs."""
        numbers = isinstance(node, (ast.List, ast.Tuple)) and len(node.elts) >= 2 and all(
            isinstance(element, ast.Constant) and isinstance(element.value, (int, float)) for element in node.elts)
        if not (self.vectors and numbers):
            return None
        name = self.name(node)
        self.vector_names.add(name)
        return name

    def name(self, node: ast.expr) -> str:
        text = ast.unparse(node)
        if text not in self.texts:
            self.texts[text] = f"{self.PREFIX}{len(self.texts)}"
        return self.texts[text]

    def describe(self, name: str) -> str:
        return next((f"`{text}`" for text, opaque in self.texts.items() if opaque == name), name)


def _respell(expr: ast.expr, imports: ImportTable, roles: Mapping[str, str], opaque: _Opaque
             ) -> tuple[str, list[str]]:
    """`expr` spelled for the stand-ins with its variables renamed by `roles`; and its variables, in order of use."""
    respeller = _Respeller(imports, roles, opaque)
    respeller.root = expr = copy.deepcopy(expr)
    spelled = respeller.visit(expr)
    return ast.unparse(_applied_module(spelled, roles)), respeller.variables


def _applied_module(expr: ast.expr, roles: Mapping[str, str]) -> ast.expr:
    """A module or a function named, not called (`nn.Softmax(dim=1)`, `tf.losses.log_loss`): applied
    to the inputs, in order."""
    if isinstance(expr, ast.Call) and (_dotted(expr.func) or "").startswith("torch.nn."):
        tensors = getattr(STANDINS.get(_dotted(expr.func) or ""), "tensor_arguments", None)
    elif isinstance(expr, ast.Attribute) and callable(STANDINS.get(_dotted(expr) or "")):
        tensors = len(roles)
    else:
        return expr
    if tensors is None or len(roles) < tensors:
        return expr
    inputs = [ast.Name(name, ast.Load()) for name in list(roles.values())[:tensors]]
    return ast.Call(expr, inputs, [])


class _Respeller(ast.NodeTransformer):
    """Spells imported framework names as the stand-ins do; renames and collects the user's variables."""

    def __init__(self, imports: ImportTable, roles: Mapping[str, str], opaque: _Opaque) -> None:
        self.imports = imports
        self.roles = roles
        self.opaque = opaque
        self.variables: list[str] = []
        self.root: Optional[ast.expr] = None  # the whole computation: never an opaque value

    def _variable(self, name: str, node: ast.expr) -> ast.expr:
        if name not in self.variables:
            self.variables.append(name)
        return ast.copy_location(ast.Name(self.roles.get(name, name), ast.Load()), node)

    def visit_Name(self, node: ast.Name) -> ast.expr:
        framework = self._framework_name(node.id, node)
        if framework is not None or node.id in SAFE_BUILTINS:
            return framework or node
        return self._variable(node.id, node)

    def visit_Attribute(self, node: ast.Attribute) -> ast.expr:
        dotted = _dotted(node)
        if dotted is None:  # an attribute of a computed value, such as a tensor method
            return self.generic_visit(node)
        framework = self._framework_name(dotted, node)
        if framework is not None:
            return framework
        if node.attr in _TENSOR_METHODS:  # `logits.softmax`: a method of a variable
            return self.generic_visit(node)
        return self._variable(self.opaque.name(node), node)  # `self.scale`

    def visit_List(self, node: ast.List) -> ast.expr:
        name = self.opaque.vector(node)
        return self._variable(name, node) if name else self.generic_visit(node)

    visit_Tuple = visit_List

    def visit_Subscript(self, node: ast.Subscript) -> ast.expr:
        if isinstance(node.value, (ast.Name, ast.Attribute)) and self._framework_name(
                _dotted(node.value) or "", node) is None:
            return self._variable(self.opaque.name(node), node)  # `batch["labels"]`
        return self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> ast.expr:
        callee = node.func
        dotted = _dotted(callee)
        if isinstance(callee, ast.Name) and callee.id in SAFE_BUILTINS:
            return self.generic_visit(node)
        if dotted is not None and self.imports.resolve_dotted(dotted) is None and not (
                isinstance(callee, ast.Attribute) and callee.attr in _TENSOR_METHODS):
            return self._variable(self.opaque.name(node), node)  # `model(x)`, `self.fc(x)`: the user's code
        if node is not self.root and dotted is not None and self._unmodelled(dotted, node):
            return self._variable(self.opaque.name(node), node)  # `tf.matmul(x, W)` inside the computation
        return self.generic_visit(node)

    def _unmodelled(self, dotted: str, node: ast.expr) -> bool:
        """A framework function without a model: inside the computation, an input of its own."""
        framework = self._framework_name(dotted, node)
        if framework is None:
            return False
        try:
            functools.reduce(getattr, (_dotted(framework) or "").split("."), _StandinRoot())
        except (MissingStandIn, AttributeError):
            return True
        return False

    def _framework_name(self, dotted: str, node: ast.expr) -> Optional[ast.expr]:
        qualified = self.imports.resolve_dotted(dotted) if dotted else None
        if qualified is None:
            return None
        package, dot, rest = qualified.partition(".")
        standin = _STANDIN_ROOTS.get(package, package)
        if standin not in _STANDIN_PACKAGES:
            raise Unverifiable(f"`{dotted}` comes from {package}, which has no NumPy stand-in")
        return ast.copy_location(ast.parse(standin + dot + rest, mode="eval").body, node)


class _StandinRoot:
    """The stand-in modules as attributes (`tf`, `jax`, ...), for looking a dotted name up."""

    def __getattr__(self, name: str) -> object:
        return namespace()[name]


# Methods the stand-in tensors answer to (`z.softmax(1)`, `y.float()`).
_TENSOR_METHODS = {name for name in dir(Tensor) if not name.startswith("_")}


def _dotted(node: ast.expr) -> Optional[str]:
    """`a.b.c` for a Name/Attribute chain, None for anything else."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


def _roles(variables: Sequence[str], contract: Contract, code: str, opaque: _Opaque) -> list[dict[str, str]]:
    """The ways to give the user's variables the roles of the contract's inputs (variable -> input).

    Variables beyond the contract's inputs (a temperature, a weight) are held at one scalar value.
    """
    inputs = list(contract.inputs)
    if not variables:  # a module or a function named, applied to the contract's own inputs
        return [{name: name for name in inputs}]
    if len(variables) == 1 and (len(inputs) == 1 or contract.relation is not Relation.MATCHES_REFERENCE
                                or contract.reference_substitutes):
        return [{variables[0]: _prediction_input(contract)}]
    if len(variables) >= len(inputs) >= 1 and (len(variables) == len(inputs)
                                               or contract.relation is not Relation.MATCHES_REFERENCE):
        extra = {name: f"_scalar{index}" for index, name in enumerate(variables[len(inputs):])}
        assignments = [{**dict(zip(variables, permutation)), **extra} for permutation in itertools.permutations(inputs)]
        # A literal vector of numbers is the class weights, and the class weights are such a vector where there is one.
        weights = [variable for variable in variables if variable in opaque.vector_names]
        return [roles for roles in assignments
                if all((contract.inputs.get(roles[variable]) is Input.CLASS_WEIGHTS) == (variable in weights)
                       for variable in variables)] if weights else assignments
    uses = ", ".join(map(opaque.describe, variables)) or "no value of the code"
    raise Unverifiable(f"the replaced code reads {uses}, and the {code} check takes {len(inputs)} "
                       f"({', '.join(kind.value for kind in contract.inputs.values())})")


def _raises(original: str, bindings: Mapping[str, Input]) -> bool:
    """Whether the original raises on some generated input: the inputs are assigned the wrong way round."""
    expression = Expression(original, set(bindings), "original")
    return any(expression.evaluate(case, None, False).raised
               for case in generate_cases(bindings, layout=layout_of(original)))


def _judge(spelling: _Spelling, contract: Contract, code: str) -> ContractResult:
    """The contract's relation between the two expressions; raises where the check does not apply."""
    original, fixed, bindings = spelling
    layout = layout_of(original)
    result = verify_expressions(original, fixed, bindings, contract.relation, _fix_reference(spelling, contract),
                                wrt=contract.wrt, layout=layout)
    if result.held or not result.verifiable or contract.reference_substitutes:
        return result
    # The reference is the right loss for the contract's own original only: another call (another
    # reduction, labels of another kind) or the inputs assigned the wrong way round need another one.
    if (contract.relation is Relation.MATCHES_REFERENCE
            and not _same_value(original, contract.original, bindings, contract.wrt).held):
        raise Unverifiable(f"the replaced code does not compute what the {code} contract's "
                           f"`{contract.original}` does, so the contract's reference does not apply")
    if contract.relation is Relation.EQUAL_WHERE_FINITE and (reference := stable(original)) is not None:
        # The original's own rounding (`1 - sigmoid(z)`) where it is finite: compare with it computed stably.
        held = verify_expressions(original, fixed, bindings, Relation.MATCHES_REFERENCE, reference, wrt=contract.wrt,
                                  layout=layout)
        if held.held:
            return dataclasses.replace(held, summary=held.summary.replace(
                "the reference", "the formula computed stably", 1))
    # A fix that changes neither value nor gradient cannot break the code, whatever the rule expected.
    unchanged = _same_value(original, fixed, bindings, contract.wrt, layout)
    return unchanged if unchanged.held else result


def _same_value(one: str, other: str, bindings: Mapping[str, Input], wrt: str, layout: Layout = FLAT
                ) -> ContractResult:
    return verify_expressions(one, other, bindings, Relation.SAME_VALUE_AND_GRADIENT, wrt=wrt, layout=layout)


def layout_of(spelled: str) -> Layout:
    """Tensors of the rank the code uses: a softmax over `dim=2` normalises the last axis of 3-D inputs."""
    axes = [keyword.value.value for node in ast.walk(ast.parse(spelled, mode="eval")) if isinstance(node, ast.Call)
            for keyword in node.keywords if keyword.arg in ("dim", "axis") and isinstance(keyword.value, ast.Constant)
            and isinstance(keyword.value.value, int) and not isinstance(keyword.value.value, bool)]
    deepest = max(axes, default=1)
    return Layout(rank=deepest + 1, class_axis=deepest) if deepest >= 2 else FLAT


def _verdict(spellings: Sequence[_Spelling], contract: Contract, code: str, variables: Sequence[str]
             ) -> ContractResult:
    """The one verdict of the assignments of inputs that the check applies to."""
    results, inapplicable = [], []
    for spelling in spellings:
        try:
            results.append(_judge(spelling, contract, code))
        except Unverifiable as error:
            inapplicable.append(error)
    if not results:
        raise inapplicable[0]
    if len({(result.verifiable, result.held) for result in results}) > 1:
        raise Unverifiable(f"the check holds or fails depending on which of {' and '.join(variables)} "
                           f"is the prediction")
    return results[0]
