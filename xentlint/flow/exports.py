"""What a module gives the modules that import it: a top-level name's value as picklable data
(`xentlint.project.Exported`), computed by the module's own flow analysis from that file alone.

Models (torch and Keras, with their output), model classes, layers, loss objects, functions that
return one of those, loss wrappers (the loss and which parameters are its prediction and label),
and functions whose return is one of their parameters or its output (`predict(model, x)`). A class
deriving from a class of another project module keeps that base as a reference, followed by the
importer (`xentlint.project`)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Optional

import libcst as cst

from xentlint.flow.names import find_method, plain_params
from xentlint.flow.sites import constructed_from_logits, loss_wrapper
from xentlint.flow.values import UNKNOWN, Kind, Origin, Value
from xentlint.knowledge import apis
from xentlint.knowledge.names import dotted_name
from xentlint.knowledge.schema import Form

if TYPE_CHECKING:
    from xentlint.context import FileContext
    from xentlint.project import Exported, ImportRef, Parameter

_TENSORS = (Kind.PROBABILITIES, Kind.LOG_PROBABILITIES, Kind.LOGITS)
_OUTPUT_METHODS = tuple(dict.fromkeys(apis.MODEL_OUTPUT_METHOD.values()))


def export_name(ctx: "FileContext", name: str, imports: dict[str, "ImportRef"]) -> Optional["Exported"]:
    """A top-level name of the module, when its value carries meaning across modules."""
    value = ctx.flow._state(ctx.module).final.get(name)
    if value is None:
        return None
    if value.kind is Kind.CLASS and isinstance(value.node, cst.ClassDef):
        return _export_class(ctx, value.node, imports)
    if value.kind is Kind.FUNCTION and isinstance(value.node, cst.FunctionDef):
        return _export_function(ctx, value.node)
    return export(ctx, value) if value.kind in (Kind.MODEL, Kind.LAYER, Kind.LOSS) else None


def export(ctx: "FileContext", value: Optional[Value]) -> Optional["Exported"]:
    """`value` as picklable data, or None when it carries nothing a rule could use."""
    from xentlint.project import Exported

    if value is None:
        return None
    if value.kind in _TENSORS and value.origin is not None:
        return Exported(value.kind, fn=value.fn, classes=value.classes, **_where(ctx, value.origin))
    if value.kind is Kind.TUPLE:
        items = tuple(export(ctx, item) or Exported(Kind.UNKNOWN) for item in value.items)
        return Exported(Kind.TUPLE, items=items) if any(item.kind is not Kind.UNKNOWN for item in items) else None
    if value.kind is Kind.MODEL:
        output = export(ctx, value.output)
        return Exported(Kind.MODEL, output=output, keras=value.keras, sequential=value.sequential) \
            if output is not None else None
    if value.kind is Kind.LAYER and value.origin is not None and (value.applies or value.produces_logits):
        return Exported(Kind.LAYER, fn=value.applies, produces_logits=value.produces_logits, classes=value.classes,
                        **_where(ctx, value.origin))
    if value.kind is Kind.LOSS and value.loss is not None and value.node is not None and value.foreign is None:
        constructed = value.loss.form is Form.CLASS
        if constructed and not isinstance(value.node, cst.Call):
            return None
        from_logits = constructed_from_logits(value.node, value.loss) if constructed else None
        return Exported(Kind.LOSS, loss=value.loss.names[0], from_logits=from_logits,
                        **_where(ctx, Origin(value.node, value.loss.names[0].rsplit(".", 1)[-1])))
    return None


def _where(ctx: "FileContext", origin: Origin) -> dict[str, object]:
    return {"description": origin.description, "where": ctx.filename, "row": ctx.line_of(origin.node)}


def _export_class(ctx: "FileContext", cls: cst.ClassDef, imports: dict[str, "ImportRef"]) -> Optional["Exported"]:
    """A model class: its instances' output; a class deriving from an imported class: that base,
    with the output of its own `forward`/`call` when it defines one."""
    from xentlint.project import Exported

    flow = ctx.flow
    instance = flow._instance(cls)
    if instance.kind is Kind.MODEL:
        if instance.keras and flow.method_of(cls, apis.KERAS_TRAIN_STEP) is not None:
            return None  # its own train_step pairs the compiled loss
        model = export(ctx, instance)
        return Exported(Kind.CLASS, output=model) if model is not None else None
    base = _imported_base(cls, imports)
    if base is None or flow.method_of(cls, apis.KERAS_TRAIN_STEP) is not None:
        return None
    overridden = [name for name in _OUTPUT_METHODS if find_method(cls, name) is not None]
    if len(overridden) > 1:
        return None
    if not overridden:
        return Exported(Kind.CLASS, base=base)
    method = find_method(cls, overridden[0])
    assert method is not None
    output = export(ctx, flow._returns(method))
    if output is None:
        return None  # its own output method, which gives nothing known
    return Exported(Kind.CLASS, base=base, overrides=overridden[0], output=Exported(Kind.MODEL, output=output))


def _imported_base(cls: cst.ClassDef, imports: dict[str, "ImportRef"]) -> Optional["ImportRef"]:
    """The one base of `cls` named by an import of the module (`Base`, `models.Base`)."""
    from xentlint.project import ImportRef

    if len(cls.bases) != 1 or cls.bases[0].keyword is not None:
        return None
    dotted = dotted_name(cls.bases[0].value) or ""
    head, _dot, rest = dotted.partition(".")
    ref = imports.get(head)
    if ref is None:
        return None
    if not rest:
        return ref if ref.name is not None else None
    if ref.name is None and "." not in rest:  # `import models` then `models.Base`
        return ImportRef(ref.module, ref.level, rest)
    return None


def _export_function(ctx: "FileContext", function: cst.FunctionDef) -> Optional["Exported"]:
    """What a function returns; for a loss wrapper, its loss and the parameters it passes on; for a
    function returning a parameter (or its output), that parameter."""
    from xentlint.project import Exported

    # For unknown arguments: what the module's own calls pass says nothing of the importer's.
    unknown = tuple((param.name.value, UNKNOWN) for param in plain_params(function))
    output = export(ctx, ctx.flow._returns(function, unknown))
    if output is not None:
        return Exported(Kind.FUNCTION, output=output)
    wrapper = loss_wrapper(ctx, function)
    if wrapper is not None:
        api = wrapper.api
        from_logits = constructed_from_logits(wrapper.constructor, api) if api.form is Form.CLASS else \
            constructed_from_logits(wrapper.inner, api)
        if api.form is Form.CLASS and wrapper.constructor is None:
            return None  # a loss object whose options this module does not show
        label = _parameter(function, wrapper.label) if wrapper.label is not None else None
        return Exported(Kind.FUNCTION, loss=api.names[0], from_logits=from_logits,
                        prediction=_parameter(function, wrapper.prediction), label=label,
                        **_where(ctx, Origin(wrapper.inner, api.names[0].rsplit(".", 1)[-1])))
    return _passing(ctx, function)


def _parameter(function: cst.FunctionDef, name: str) -> "Parameter":
    from xentlint.project import Parameter

    positional = [param.name.value for param in (*function.params.posonly_params, *function.params.params)]
    return Parameter(name, positional.index(name) if name in positional else None)


def _passing(ctx: "FileContext", function: cst.FunctionDef) -> Optional["Exported"]:
    """`def predict(model, x): return model(x)`: the function returns a parameter, or what calling
    it gives. Probed by running the body with a marker in that parameter, every other unknown."""
    from xentlint.project import Exported

    params = plain_params(function)
    for param in params:
        marker = Value(Kind.LOGITS, origin=Origin(param, "parameter"))
        for passed_output, probe in ((False, marker), (True, Value(Kind.MODEL, node=param, output=marker))):
            seed = tuple((other.name.value, probe if other is param else UNKNOWN) for other in params)
            if ctx.flow._returns(function, seed) == marker:
                return Exported(Kind.FUNCTION, passes=_parameter(function, param.name.value),
                                passes_output=passed_output)
    return None
