import torch.nn as nn

from model import Classifier


def train_step(x, y):
    model = Classifier()
    return nn.CrossEntropyLoss()(model(x), y)
