"""Recognise calls of table APIs in their function, method and layer forms."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

import libcst as cst

from xentlint import knowledge
from xentlint.cst_build import int_literal
from xentlint.knowledge.names import dotted_name
from xentlint.knowledge.schema import Activation, Fn, Form, Reduce, Reduction, argument

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
    if not is_tensor_receiver(ctx, func):
        return False
    if not call.args:
        return True
    if not takes_dim:
        return False
    first = call.args[0]
    if first.keyword is not None:
        return first.keyword.value in ("dim", "dtype")
    return int_literal(first.value) is not None


def is_tensor_receiver(ctx: "FileContext", func: cst.Attribute) -> bool:
    """`func` is a method of a value, not a function of an imported module (`np.log`) nor of `self`."""
    head = dotted_name(func.value)
    if head is None:
        return True
    return head.split(".")[0] not in _OBJECT_RECEIVERS and ctx.imports.resolve_dotted(head) is None


@dataclass(frozen=True)
class ReductionCall:
    call: cst.Call
    api: Reduction
    input: cst.BaseExpression  # the reduced tensor
    axis: Optional[cst.Arg]  # the axis argument (by keyword, alias or position); None: every axis

    @property
    def op(self) -> Reduce:
        return self.api.op


def match_reduction(ctx: "FileContext", call: cst.Call) -> Optional[ReductionCall]:
    """`tf.reduce_sum(x, axis=1)`, `torch.mean(x)`, `np.sum(x, 1)` or `x.sum(dim=1)`."""
    api = knowledge.reduction(ctx.callee(call))
    if api is not None:
        tensor = argument(call, api.input)
        return ReductionCall(call, api, tensor.value, _axis_argument(call, api)) if tensor is not None else None
    if isinstance(call.func, cst.Attribute) and ctx.callee(call) is None and is_tensor_receiver(ctx, call.func):
        method = knowledge.reduction_method(call.func.attr.value)
        if method is not None:
            return ReductionCall(call, method, call.func.value, _axis_argument(call, method))
    return None


def _axis_argument(call: cst.Call, api: Reduction) -> Optional[cst.Arg]:
    given = argument(call, api.axis)
    if given is not None:
        return given
    return next((arg for arg in call.args if arg.keyword is not None and arg.keyword.value in api.axis_aliases), None)


def clipped_tensor(ctx: "FileContext", call: cst.Call) -> Optional[cst.BaseExpression]:
    """The tensor that `tf.clip_by_value(p, lo, hi)`, `torch.clamp(p, min=eps)` or `p.clamp(eps, 1)` clips."""
    api = knowledge.clip(ctx.callee(call))
    if api is not None:
        return _value(argument(call, api.input))
    if isinstance(call.func, cst.Attribute) and ctx.callee(call) is None and is_tensor_receiver(ctx, call.func):
        if knowledge.clip_method(call.func.attr.value) is not None:
            return call.func.value
    return None


def _value(arg: Optional[cst.Arg]) -> Optional[cst.BaseExpression]:
    return arg.value if arg is not None else None
