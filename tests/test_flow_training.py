"""Where training loops live: losses kept on `self` and in names, `self` through mixins, model
outputs of Hugging Face models, and training libraries as loss sites."""
from __future__ import annotations

import textwrap

import libcst as cst

from xentlint.context import FileContext
from xentlint.flow import Kind


def context(source: str) -> FileContext:
    return FileContext(cst.parse_module(textwrap.dedent(source)), "example.py")


def sites(source: str) -> list[tuple[int, str, str, str]]:
    """Each loss site: its line, the loss's short name, the prediction's kind and where it pairs."""
    ctx = context(source)
    return [(ctx.line_of(site.report), site.api.names[0].rsplit(".", 1)[-1], site.prediction.kind.value,
             site.place or "") for site in ctx.loss_sites]


TORCH = "import functools\nimport torch\nimport torch.nn.functional as F\nfrom torch import nn\n"


def test_constructor_default_unless_an_instantiation_passes_another_loss() -> None:
    source = TORCH + """
class Net(nn.Module):
    def __init__(self, loss=nn.CrossEntropyLoss()):
        super().__init__()
        self.loss = loss

    def step(self, x, y):
        return self.loss(x, y)
"""
    assert [site[1] for site in sites(source)] == ["CrossEntropyLoss"]
    assert [site[1] for site in sites(source + "net = Net(loss=nn.NLLLoss())\n")] == ["NLLLoss"]
    assert sites(source + "a = Net(loss=nn.NLLLoss())\nb = Net()\n") == []  # the instantiations disagree


def test_partial_binds_options_only() -> None:
    ctx = context(TORCH + """
smooth = functools.partial(F.cross_entropy, label_smoothing=0.1)
bound = functools.partial(F.cross_entropy, weight=None, input=None)
positional = functools.partial(F.cross_entropy, None)
""")
    values = [ctx.flow.value(statement.body[0].value).kind for statement in ctx.module.body[-3:]]
    assert values == [Kind.LOSS, Kind.UNKNOWN, Kind.UNKNOWN]


def test_hugging_face_logits_and_first_output_without_labels() -> None:
    result = sites(TORCH + """
from transformers import AutoModelForSequenceClassification

model = AutoModelForSequenceClassification.from_pretrained("x", num_labels=3)

def unlabelled(ids, y):
    return F.nll_loss(model(ids)[0], y)

def labelled(ids, y):
    return F.nll_loss(model(ids, labels=y)[0], y)

def named(batch, y):
    return F.nll_loss(model(**batch).logits, y)
""")
    assert [(line, kind) for line, _loss, kind, _place in result] == [(11, "logits"), (14, "unknown"), (17, "logits")]


def test_library_sites_name_the_argument_and_respect_adapted_losses() -> None:
    source = TORCH + """
from skorch import NeuralNetClassifier

class Module(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 3)

    def forward(self, x):
        return F.softmax(self.fc(x), dim=-1)

a = NeuralNetClassifier(Module, criterion=nn.CrossEntropyLoss)
b = NeuralNetClassifier(Module, criterion=nn.NLLLoss)
c = NeuralNetClassifier(Module)
"""
    assert sites(source) == [(16, "CrossEntropyLoss", "probabilities", "`criterion=` of `NeuralNetClassifier`")]
