import torch.nn as nn

from models import LogitsNet, Net


def step(x, y):
    accuracy = (Net()(x).argmax(dim=1) == y).float().mean()
    return nn.CrossEntropyLoss()(LogitsNet()(x), y), accuracy
