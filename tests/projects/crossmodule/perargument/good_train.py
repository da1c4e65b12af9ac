import torch.nn as nn
import torch.nn.functional as F

from helpers import passthrough, predict
from models import Net


class Logits(nn.Module):
    def forward(self, x):
        return x


def step(x, y):
    predictions = predict(Net(), x).argmax(dim=1)
    return F.cross_entropy(passthrough(x), y) + F.cross_entropy(predict(Logits(), x), y), predictions
