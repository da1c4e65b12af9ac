import torch.nn.functional as F

from helpers import passthrough, predict
from models import Net


def step(x, y):
    predictions = predict(Net(), x).argmax(dim=1)
    return F.cross_entropy(passthrough(x), y), predictions
