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


SOFTMAX_MODULE = """
class Module(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 3)

    def forward(self, x):
        return F.softmax(self.fc(x), dim=-1)
"""


def test_fastai_losses_under_each_spelling_and_star_exports() -> None:
    for spelling in ("from fastai.losses import CrossEntropyLossFlat\nfrom fastai.learner import Learner\n",
                     "from fastai.layers import CrossEntropyLossFlat\nfrom fastai.basics import Learner\n",
                     "from fastai.text.all import *\n"):
        source = TORCH + spelling + SOFTMAX_MODULE + "learn = Learner(dls, Module(), loss_func=CrossEntropyLossFlat())\n"
        assert [site[1:] for site in sites(source)] == [
            ("CrossEntropyLossFlat", "probabilities", "`loss_func=` of `Learner`")], spelling
    # A star import of a module not in the table binds nothing: no site from an unknown `Learner`.
    source = "from fastai.vision.learner import *\n" + SOFTMAX_MODULE + \
        "learn = Learner(dls, Module(), loss_func=CrossEntropyLossFlat())\n"
    assert sites(source) == []
    # A name the file binds again is not fastai's.
    source = "from fastai.tabular.all import *\nfrom mylib import Learner\n" + TORCH + SOFTMAX_MODULE + \
        "learn = Learner(dls, Module(), loss_func=CrossEntropyLossFlat())\n"
    assert sites(source) == []


def test_ignite_loss_metric_pairs_only_a_plain_single_loss_metric() -> None:
    source = TORCH + "from ignite.engine import create_supervised_evaluator\nfrom ignite.metrics import Loss\n" \
        + SOFTMAX_MODULE + """
criterion = nn.CrossEntropyLoss()
a = create_supervised_evaluator(Module(), metrics={"nll": Loss(criterion)})
b = create_supervised_evaluator(Module(), metrics={"nll": Loss(criterion, output_transform=lambda o: o)})
c = create_supervised_evaluator(Module(), metrics={"a": Loss(criterion), "b": Loss(F.nll_loss)})
d = create_supervised_evaluator(Module(), metrics=metrics)
e = create_supervised_evaluator(Module(), metrics={"nll": Loss(criterion)}, output_transform=lambda *a: a)
"""
    assert [site[1:] for site in sites(source)] == [
        ("CrossEntropyLoss", "probabilities", "`Loss` metric of `create_supervised_evaluator`")]


def test_lightning_steps_are_named_only_in_a_lightning_module() -> None:
    body = """
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 3)
        self.criterion = nn.CrossEntropyLoss()

    def forward(self, x):
        return self.fc(x)

    def training_step(self, batch, batch_idx):
        x, y = batch
        return self.criterion(self(x), y)

    def configure(self, x, y):
        return self.criterion(self(x), y)
"""
    for base in ("import lightning.pytorch as pl\nclass Base(pl.LightningModule): pass\n",
                 "from pytorch_lightning import LightningModule\nclass Base(LightningModule): pass\n",
                 "import lightning as L\nclass Base(L.LightningModule): pass\n"):
        places = [site[3] for site in sites(TORCH + base + "class Model(Base):" + body)]
        assert places == ["in `training_step`", ""], base
    assert [site[3] for site in sites(TORCH + "class Model(nn.Module):" + body)] == ["", ""]


def test_lightning_step_follows_a_reference_place() -> None:
    source = TORCH + """
import lightning.pytorch as pl

class Model(pl.LightningModule):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 3)
        self.loss_fn = F.cross_entropy

    def forward(self, x):
        return F.softmax(self.fc(x), dim=-1)

    def validation_step(self, batch, batch_idx):
        x, y = batch
        return self.loss_fn(self(x), y)
"""
    assert [site[3] for site in sites(source)] == ["through `self.loss_fn`, set at line 12, in `validation_step`"]
