"""`xentlint fix --verify`: check each proposed fix numerically before it is applied.

A fix with one edit gives two expressions: the source text the edit replaces (the original)
and the edit's content (the fixed one). Framework names are resolved through the file's own
imports and spelled as the NumPy stand-ins are (`tensorflow.keras.losses.X` -> `keras.losses.X`);
the user's variables are renamed to the inputs of the rule's contract (`z`, `y`), so the
contract's relation, and its reference, apply as declared.

Imports NumPy through `xentlint.runtime`: import this module only when verifying.
"""
from __future__ import annotations

import ast
import enum
import functools
import itertools
from dataclasses import dataclass
from typing import Mapping, NamedTuple, Optional, Sequence

import libcst as cst

from xentlint import engine
from xentlint.contract import Contract, Input, Relation
from xentlint.diagnostics import Diagnostic
from xentlint.knowledge.names import ImportTable
from xentlint.output.paths import position
from xentlint.registry import rule_by_code
from xentlint.runtime import ContractResult, verify_expressions
from xentlint.runtime.evaluation import SAFE_BUILTINS, CannotVerify, Expression
from xentlint.runtime.inputs import generate_cases
from xentlint.runtime.standins import STANDINS
from xentlint.site_verification import SiteUnverifiable, check_at_site

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
        return unverified(diagnostic, str(error))
    if not result.verifiable:
        return unverified(diagnostic, result.summary.replace("cannot verify: ", "", 1))
    return FixCheck(diagnostic, Outcome.VERIFIED if result.held else Outcome.FAILED, result.summary)


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
        raise Unverifiable(str(error)) from None
    if at_site is not None:
        return at_site
    contract = _fix_contract(diagnostic.code)
    original, fixed = _edited_texts(source, diagnostic)
    imports = _imports(source)
    variables = _respell(original, "replaced code", imports, {})[1]
    brought_in = [name for name in _respell(fixed, "fix", imports, {})[1] if name not in variables]
    if brought_in:
        # `probs` -> `logits`: the fix reads a value computed elsewhere, so the two are not comparable.
        raise Unverifiable(f"the fix brings in {', '.join(brought_in)}, which the replaced code does not use")
    spellings = [
        _Spelling(_respell(original, "replaced code", imports, roles)[0], _respell(fixed, "fix", imports, roles)[0],
                  {name: contract.inputs[name] for name in roles.values()})
        for roles in _roles(variables, contract, diagnostic.code)
    ]
    if len(spellings) > 1:
        # Which variable is the prediction and which the labels: the assignment under which the original runs.
        spellings = [spelling for spelling in spellings if not _raises(spelling.original, spelling.bindings)]
    if not spellings:
        raise Unverifiable(f"the original raises however {' and '.join(variables)} are assigned to the inputs")
    return _verdict(spellings, contract, diagnostic.code, variables)


def _fix_contract(code: str) -> Contract:
    contract = rule_by_code(code).contract
    if contract is None:
        raise Unverifiable(f"{code} declares no runtime contract")
    if contract.relation is Relation.SHOWS_HARM:
        raise Unverifiable(f"the {code} contract describes the harm, not what the fix keeps")
    return contract


def _edited_texts(source: str, diagnostic: Diagnostic) -> tuple[str, str]:
    """The source text the fix replaces, and what replaces it."""
    assert diagnostic.fix is not None, "only fixes are checked"
    edits = diagnostic.fix.edits
    if len(edits) != 1:
        raise Unverifiable(f"the fix makes {len(edits)} edits; only fixes of one expression are checked")
    [edit] = edits
    offset = engine.location_offsets(source)
    return source[offset(edit.location):offset(edit.end_location)], edit.content


@functools.lru_cache(maxsize=1)  # every fix of one pass reads the same source
def _imports(source: str) -> ImportTable:
    return ImportTable.from_module(cst.parse_module(source))


def _respell(text: str, what: str, imports: ImportTable, roles: Mapping[str, str]) -> tuple[str, list[str]]:
    """`text` spelled for the stand-ins with its variables renamed by `roles`; and its variables, in order of use."""
    respeller = _Respeller(imports, roles)
    return ast.unparse(respeller.visit(_parse(text, what))), respeller.variables


def _parse(text: str, what: str) -> ast.expr:
    if not text.strip():
        raise Unverifiable(f"the {what} is empty")
    try:
        # In parentheses: a replaced node may span lines that only its enclosing brackets joined.
        return ast.parse(f"(\n{text}\n)", mode="eval").body
    except SyntaxError as error:
        raise Unverifiable(f"the {what} is not one Python expression") from error


class _Respeller(ast.NodeTransformer):
    """Spells imported framework names as the stand-ins do; renames and collects the user's variables."""

    def __init__(self, imports: ImportTable, roles: Mapping[str, str]) -> None:
        self.imports = imports
        self.roles = roles
        self.variables: list[str] = []

    def visit_Name(self, node: ast.Name) -> ast.expr:
        framework = self._framework_name(node.id, node)
        if framework is not None or node.id in SAFE_BUILTINS:
            return framework or node
        if node.id not in self.variables:
            self.variables.append(node.id)
        return ast.copy_location(ast.Name(self.roles.get(node.id, node.id), node.ctx), node)

    def visit_Attribute(self, node: ast.Attribute) -> ast.expr:
        dotted = _dotted(node)
        if dotted is None:  # an attribute of a computed value, such as a tensor method
            return self.generic_visit(node)
        framework = self._framework_name(dotted, node)
        if framework is None:
            raise Unverifiable(f"`{dotted}` is an attribute of a variable, not a framework name")
        return framework

    def visit_Call(self, node: ast.Call) -> ast.expr:
        callee = node.func
        if (isinstance(callee, ast.Name) and callee.id not in SAFE_BUILTINS
                and self.imports.resolve_dotted(callee.id) is None):
            raise Unverifiable(f"`{callee.id}(...)` calls the user's code")
        return self.generic_visit(node)

    def _framework_name(self, dotted: str, node: ast.expr) -> Optional[ast.expr]:
        qualified = self.imports.resolve_dotted(dotted)
        if qualified is None:
            return None
        package, dot, rest = qualified.partition(".")
        standin = _STANDIN_ROOTS.get(package, package)
        if standin not in _STANDIN_PACKAGES:
            raise Unverifiable(f"`{dotted}` comes from {package}, which has no NumPy stand-in")
        return ast.copy_location(ast.parse(standin + dot + rest, mode="eval").body, node)


def _dotted(node: ast.expr) -> Optional[str]:
    """`a.b.c` for a Name/Attribute chain, None for anything else."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


def _roles(variables: Sequence[str], contract: Contract, code: str) -> list[dict[str, str]]:
    """The ways to give the user's variables the roles of the contract's inputs (variable -> input)."""
    if len(variables) == 1 and (len(contract.inputs) == 1 or contract.relation is not Relation.MATCHES_REFERENCE):
        return [{variables[0]: contract.wrt}]
    if len(variables) == 2 and len(contract.inputs) == 2:
        return [dict(zip(variables, inputs)) for inputs in itertools.permutations(contract.inputs)]
    uses = ", ".join(variables) or "no variable"
    raise Unverifiable(f"the replaced code uses {uses}; the {code} contract has {len(contract.inputs)} inputs")


def _raises(original: str, bindings: Mapping[str, Input]) -> bool:
    """Whether the original raises on some generated input: the inputs are assigned the wrong way round."""
    expression = Expression(original, set(bindings), "original")
    return any(expression.evaluate(case, None, False).raised for case in generate_cases(bindings))


def _judge(spelling: _Spelling, contract: Contract, code: str) -> ContractResult:
    """The contract's relation between the two expressions; raises where the check does not apply."""
    original, fixed, bindings = spelling
    result = verify_expressions(original, fixed, bindings, contract.relation, contract.reference, wrt=contract.wrt)
    if result.held or not result.verifiable:
        return result
    # The reference is the right loss for the contract's own original only: another call (another
    # reduction, labels of another kind) or the inputs assigned the wrong way round need another one.
    if (contract.relation is Relation.MATCHES_REFERENCE
            and not _same_value(original, contract.original, bindings, contract.wrt).held):
        raise Unverifiable(f"the replaced code does not compute what the {code} contract's "
                           f"`{contract.original}` does, so the contract's reference does not apply")
    # A fix that changes neither value nor gradient cannot break the code, whatever the rule expected.
    unchanged = _same_value(original, fixed, bindings, contract.wrt)
    return unchanged if unchanged.held else result


def _same_value(one: str, other: str, bindings: Mapping[str, Input], wrt: str) -> ContractResult:
    return verify_expressions(one, other, bindings, Relation.SAME_VALUE_AND_GRADIENT, wrt=wrt)


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
