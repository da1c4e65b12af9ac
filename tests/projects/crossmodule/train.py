import torch.nn as nn

import models
from models import Net

criterion = nn.CrossEntropyLoss()


def train_step(x, y):
    net = Net()
    return criterion(net(x), y)


def train_built(x, y):
    model = models.build()
    return nn.CrossEntropyLoss()(model(x), y)
