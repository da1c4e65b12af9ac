"""Training libraries in the knowledge table: calls that hand a model and a loss to a library,
methods a library calls with its model, and the names a library's star import binds."""
from __future__ import annotations

from xentlint.knowledge.schema import Param, Trainer, TrainerHook

# Calls that pair a model with a loss without calling either (signatures: skorch 1.x, Ignite
# 0.5, fastai 2.7). The libraries are never imported: their names are enough.
_SKORCH = "skorch"
TRAINERS: tuple[Trainer, ...] = (
    Trainer(("skorch.NeuralNet", "skorch.net.NeuralNet"), _SKORCH, model=Param("module", 0),
            loss=Param("criterion", 1)),
    # The classifier takes the log of the module's output when the criterion is NLLLoss (its default).
    Trainer(("skorch.NeuralNetClassifier", "skorch.classifier.NeuralNetClassifier"), _SKORCH,
            model=Param("module", 0), loss=Param("criterion"), adapted=("torch.nn.NLLLoss",)),
    Trainer(("skorch.NeuralNetBinaryClassifier", "skorch.classifier.NeuralNetBinaryClassifier"), _SKORCH,
            model=Param("module", 0), loss=Param("criterion"), loss_default="torch.nn.BCEWithLogitsLoss"),
    Trainer(("ignite.engine.create_supervised_trainer", "ignite.engine.supervised_training_step"), "ignite",
            model=Param("model", 0), loss=Param("loss_fn", 2), transforms=("model_transform", "model_fn")),
    Trainer(("fastai.learner.Learner", "fastai.basics.Learner"), "fastai", model=Param("model", 1),
            loss=Param("loss_func", 2)),
    # `create_supervised_evaluator(model, metrics={"loss": Loss(criterion)})`: Ignite's `Loss` metric
    # applies its criterion to the model's output (unless given an `output_transform`).
    Trainer(("ignite.engine.create_supervised_evaluator",), "ignite", model=Param("model", 0),
            loss=Param("metrics", 1), transforms=("model_transform", "model_fn", "output_transform"),
            loss_metric=(("ignite.metrics.Loss", "ignite.metrics.loss.Loss"), Param("loss_fn", 0))),
    # tflearn 0.5 `regression(incoming, placeholder, optimizer, loss=...)`: its objectives that take
    # logits, by name (tflearn/objectives.py; `binary_crossentropy` takes logits there). Its
    # `categorical_crossentropy` (the default) renormalises and clips its own way: no row models it.
    Trainer(("tflearn.regression", "tflearn.layers.regression", "tflearn.layers.estimator.regression"), "tflearn",
            model=Param("incoming", 0), loss=Param("loss", 3),
            loss_strings=(("softmax_categorical_crossentropy", "tensorflow.nn.softmax_cross_entropy_with_logits"),
                          ("binary_crossentropy", "tensorflow.nn.sigmoid_cross_entropy_with_logits"),
                          ("weighted_crossentropy", "tensorflow.nn.weighted_cross_entropy_with_logits"))),
)

# Methods the libraries call with their model. Hugging Face models return a `ModelOutput` whose
# `logits` are the scores before softmax/sigmoid (transformers 4.x `modeling_outputs`).
_HF_LOGITS = ("logits",)
TRAINER_HOOKS: tuple[TrainerHook, ...] = (
    TrainerHook(("transformers.Trainer", "transformers.trainer.Trainer", "transformers.Seq2SeqTrainer",
                 "transformers.trainer_seq2seq.Seq2SeqTrainer"), "compute_loss", "model", _HF_LOGITS),
)
# Hugging Face model classes (`AutoModelForSequenceClassification.from_pretrained(...)`,
# `BertForSequenceClassification(config)`) whose outputs carry classification logits.
# What a star import of a library module binds, for the names rows here know (fastai 2.7's `all`
# modules re-export its Learner and losses, and torch's `nn` and `F`, from fastai.torch_imports).
_FASTAI_ALL = {"Learner": "fastai.learner.Learner", "nn": "torch.nn", "F": "torch.nn.functional",
               **{name: f"fastai.losses.{name}" for name in (
                   "CrossEntropyLossFlat", "BCEWithLogitsLossFlat", "BCELossFlat")}}
STAR_EXPORTS: dict[str, dict[str, str]] = {
    f"fastai.{module}.all": _FASTAI_ALL for module in ("vision", "text", "tabular")}

HF_PACKAGE = "transformers"
HF_LOGITS_MODEL_SUFFIXES = ("ForSequenceClassification", "ForTokenClassification", "ForImageClassification",
                            "ForAudioClassification", "ForMultipleChoice")
HF_CONSTRUCTORS = frozenset({"from_pretrained", "from_config"})
# Given labels, a model's outputs start with the loss (`outputs[0]`); without, with the logits.
HF_LOSS_ARGUMENTS = frozenset({"labels", "label", "start_positions", "end_positions"})
