import torch.nn as nn

from pkg import Discriminator


def step(x, valid):
    return nn.BCEWithLogitsLoss()(Discriminator()(x), valid)
