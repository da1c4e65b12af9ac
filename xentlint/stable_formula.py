"""A hand-written cross-entropy computed stably: the reference its fused replacement must equal.

An epsilon or clip guarding the `log` (`log(p + 1e-8)`, `log(clip(p, eps, 1 - eps))`) only caps
the terms; the formula means the log of `p` itself, so the guard is dropped.

`-(y * log(sigmoid(z)) + (1 - y) * log(1 - sigmoid(z)))` rounds `1 - sigmoid(z)` where it is
finite and gives `-inf` where it is not; the same formula with `log_sigmoid(z)` and
`log_sigmoid(-z)` (and `log_softmax` for `log(softmax)`) is what it means. Works on stand-in
spellings (`torch.log`, `tf.math.log`, `jax.numpy.log`, ...).
"""
from __future__ import annotations

import ast
import copy
from typing import Optional

_LOGS = {"torch.log", "tf.math.log", "tf.log", "np.log", "numpy.log", "jax.numpy.log", "keras.ops.log"}
_SIGMOIDS = {"torch.sigmoid", "tf.sigmoid", "tf.math.sigmoid", "tf.nn.sigmoid", "jax.nn.sigmoid",
             "scipy.special.expit", "keras.activations.sigmoid", "keras.ops.sigmoid", "torch.nn.functional.sigmoid"}
_SOFTMAXES = {"torch.softmax", "torch.nn.functional.softmax", "tf.nn.softmax", "tf.math.softmax", "jax.nn.softmax",
              "scipy.special.softmax"}
_CLIPS = {"tf.clip_by_value", "torch.clamp", "np.clip", "numpy.clip", "jax.numpy.clip", "keras.ops.clip",
          "tf.keras.backend.clip", "keras.backend.clip"}
_LOG_SIGMOID = "scipy.special.log_expit"
GUARD_LIMIT = 1e-3  # a constant added inside a log up to this size is an epsilon


def stable(spelled: str) -> Optional[str]:
    """`spelled` with every log of a softmax or (one minus) a sigmoid fused; None if there is none."""
    fuser = _Fuser()
    tree = fuser.visit(copy.deepcopy(ast.parse(spelled, mode="eval")))
    return ast.unparse(tree) if fuser.fused else None


class _Fuser(ast.NodeTransformer):
    def __init__(self) -> None:
        self.fused = False

    def visit_Call(self, node: ast.Call) -> ast.expr:
        node = self.generic_visit(node)  # type: ignore[assignment]
        if _name(node.func) not in _LOGS or len(node.args) != 1 or node.keywords:
            return node
        [inner] = node.args
        unguarded = _unguarded(inner)
        if unguarded is not inner:
            self.fused = True
            inner = node.args[0] = unguarded
        negate = False
        if isinstance(inner, ast.BinOp) and isinstance(inner.op, ast.Sub) and _is_one(inner.left):
            inner, negate = inner.right, True
        if not isinstance(inner, ast.Call) or not inner.args:
            return node
        callee = _name(inner.func)
        if callee in _SIGMOIDS and len(inner.args) == 1:
            x = inner.args[0]
            self.fused = True
            argument = ast.UnaryOp(ast.USub(), x) if negate else x
            return ast.Call(ast.parse(_LOG_SIGMOID, mode="eval").body, [argument], [])
        if callee in _SOFTMAXES and not negate:
            self.fused = True
            module, _, _ = (callee or "").rpartition(".")
            return ast.Call(ast.parse(f"{module}.log_softmax", mode="eval").body, inner.args, inner.keywords)
        return node


def _unguarded(node: ast.expr) -> ast.expr:
    """`p` for `p + 1e-8`, `1e-8 + p` and `clip(p, lo, hi)`; `node` itself otherwise."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        for guard, value in ((node.right, node.left), (node.left, node.right)):
            if isinstance(guard, ast.Constant) and isinstance(guard.value, float) and 0 < guard.value <= GUARD_LIMIT:
                return value
    if isinstance(node, ast.Call) and _name(node.func) in _CLIPS and node.args:
        return node.args[0]
    return node


def _is_one(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value in (1, 1.0)


def _name(node: ast.expr) -> Optional[str]:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _name(node.value)
        return f"{base}.{node.attr}" if base else None
    return None
