"""The rule contract: a rule is one class carrying its documentation, detector, fix and contract.

Defining a subclass of `Rule` registers it; `xentlint.registry` imports every rule module.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Iterator, Optional

import libcst as cst

from xentlint.contract import Contract
from xentlint.diagnostics import DOCS_URL, Applicability, FixAvailability

if TYPE_CHECKING:
    from xentlint.activation_sites import HandoffRequest
    from xentlint.context import FileContext
    from xentlint.flow import LossSite
    from xentlint.knowledge import Vocabulary

_REGISTRY: dict[str, type["Rule"]] = {}


@dataclass(frozen=True)
class Replacement:
    """Replace `old` (a node of the checked module, by identity) with `new`."""

    old: cst.CSTNode
    new: cst.CSTNode


@dataclass(frozen=True)
class FixProposal:
    title: str
    applicability: Applicability
    replacements: tuple[Replacement, ...]


@dataclass(frozen=True)
class Finding:
    """What a detector reports: the node it is about, the message, maybe a fix."""

    node: cst.CSTNode
    message: str
    fix: Optional[FixProposal] = None
    rule: Optional[type["Rule"]] = field(default=None, compare=False)
    # The finding to make in another module, on the activation this one's fix would have to edit.
    handoff: Optional["HandoffRequest"] = field(default=None, compare=False)


class Rule:
    code: ClassVar[str]
    name: ClassVar[str]  # kebab-case, naming the pattern
    summary: ClassVar[str]  # one sentence: what it flags
    why: ClassVar[str]  # Markdown: why this is bad, with numbers
    example: ClassVar[str]  # bad code
    use_instead: ClassVar[str]  # the fixed or correct code
    fix_title: ClassVar[Optional[str]] = None  # imperative, e.g. "Remove the softmax"
    fix_availability: ClassVar[FixAvailability] = FixAvailability.NONE
    fix_safety: ClassVar[str] = ""  # Markdown: when the fix is safe or unsafe, and why
    frameworks: ClassVar[tuple[str, ...]] = ()
    default_enabled: ClassVar[bool] = True
    # Families of table names the file must mention for this rule to have anything to find
    # (the pre-filter's per-rule test; empty: always run).
    requires: ClassVar[tuple["Vocabulary", ...]] = ()
    contract: ClassVar[Optional[Contract]] = None
    references: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if "code" not in cls.__dict__:
            return  # an abstract intermediate class
        if cls.code in _REGISTRY and _REGISTRY[cls.code] is not cls:
            raise ValueError(f"rule code {cls.code} defined twice")
        _REGISTRY[cls.code] = cls

    @classmethod
    def url(cls) -> str:
        return DOCS_URL.format(code=cls.code)

    def check(self, ctx: "FileContext") -> Iterator[Finding]:
        raise NotImplementedError

    def site_finding(self, site: "LossSite", message: str, *replacements: Replacement, **options: Any) -> Finding:
        """A finding at a loss site; a site reached through a loss wrapper is reported without a fix
        (its edits would land in the wrapper, which other call sites share), and so is a loss not
        spelled where it is called (a reference, a library's argument)."""
        fixable = site.wrapper is None and site.fixable
        return self.finding(site.report, message, *(replacements if fixable else ()), **options)

    def finding(
        self,
        node: cst.CSTNode,
        message: str,
        *replacements: Replacement,
        applicability: Applicability = Applicability.SAFE,
        title: Optional[str] = None,
        handoff: Optional["HandoffRequest"] = None,
    ) -> Finding:
        """A finding on `node`; with replacements it carries this rule's fix."""
        fix = None
        if replacements:
            fix = FixProposal(title or self.fix_title or "Apply the fix", applicability, replacements)
        return Finding(node, message, fix, type(self), handoff)


def registered_rules() -> dict[str, type[Rule]]:
    return dict(_REGISTRY)
