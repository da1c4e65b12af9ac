import torch.nn as nn

from model import Quiet, Tapped


def step(x, y):
    return nn.CrossEntropyLoss()(Tapped()(x), y) + nn.CrossEntropyLoss()(Quiet()(x), y)
