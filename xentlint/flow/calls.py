"""Recognise calls of table APIs in their function, method and layer forms."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

import libcst as cst

from xentlint import knowledge
from xentlint.context import argument
from xentlint.knowledge.names import dotted_name
from xentlint.knowledge.schema import Activation, Fn, Form

if TYPE_CHECKING:
    from xentlint.context import FileContext

# Receivers that are objects, not tensors: `self.softmax(x)` calls a module attribute.
_OBJECT_RECEIVERS = frozenset({"self", "cls", "super"})


@dataclass(frozen=True)
class ActivationCall:
    call: cst.Call
    api: Activation
    input: Optional[cst.BaseExpression]  # the tensor the function is applied to
    axis: Optional[cst.BaseExpression]  # the axis argument, if given

    @property
    def fn(self) -> Fn:
        return self.api.fn


def match_activation(ctx: "FileContext", call: cst.Call) -> Optional[ActivationCall]:
    """`tf.nn.softmax(z, axis)`, `z.softmax(1)` or `nn.Softmax(dim=1)(z)`."""
    api = knowledge.activation(ctx.callee(call))
    if api is not None and api.form is Form.FUNCTION:
        return ActivationCall(call, api, _value(argument(call, api.input)), _value(argument(call, api.axis)))
    if isinstance(call.func, cst.Call):
        constructor = knowledge.activation(ctx.callee(call.func))
        if constructor is not None and constructor.form is Form.CLASS and len(call.args) == 1:
            return ActivationCall(call, constructor, call.args[0].value, _value(argument(call.func, constructor.axis)))
        return None
    if isinstance(call.func, cst.Attribute) and api is None:
        method = knowledge.activation_method(call.func.attr.value)
        if method is not None and is_tensor_method_call(ctx, call, takes_dim=method.axis is not None):
            return ActivationCall(call, method, call.func.value, _value(argument(call, method.axis)))
    return None


def is_tensor_method_call(ctx: "FileContext", call: cst.Call, takes_dim: bool) -> bool:
    """A method call on a tensor rather than on a module or object.

    The receiver must not be an imported module (`np.log` is a function) nor `self`, and the
    arguments must look like a tensor method's: nothing, or a dimension.
    """
    func = call.func
    assert isinstance(func, cst.Attribute)
    head = dotted_name(func.value)
    if head is not None:
        if head.split(".")[0] in _OBJECT_RECEIVERS or ctx.imports.resolve_dotted(head) is not None:
            return False
    if not call.args:
        return True
    if not takes_dim:
        return False
    first = call.args[0]
    if first.keyword is not None:
        return first.keyword.value in ("dim", "dtype")
    return int_literal(first.value) is not None


def int_literal(node: Optional[cst.BaseExpression]) -> Optional[int]:
    if isinstance(node, cst.Integer):
        return int(node.value)
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
        inner = int_literal(node.expression)
        return -inner if inner is not None else None
    return None


def string_literal(node: Optional[cst.BaseExpression]) -> Optional[str]:
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def bool_literal(node: Optional[cst.BaseExpression]) -> Optional[bool]:
    if isinstance(node, cst.Name) and node.value in ("True", "False"):
        return node.value == "True"
    return None


def _value(arg: Optional[cst.Arg]) -> Optional[cst.BaseExpression]:
    return arg.value if arg is not None else None
