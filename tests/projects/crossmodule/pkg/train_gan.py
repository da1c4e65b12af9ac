import torch.nn as nn

from . import nets
from .nets import Discriminator

adversarial = nn.BCEWithLogitsLoss()


def step(x, valid):
    disc = Discriminator()
    other = nets.Discriminator()
    return adversarial(disc(x), valid) + adversarial(other(x), valid)
