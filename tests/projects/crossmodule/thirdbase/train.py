import torch.nn as nn

from models import Net


def step(x, y):
    return nn.CrossEntropyLoss()(Net()(x), y)
