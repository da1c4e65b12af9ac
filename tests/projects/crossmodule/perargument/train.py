import torch.nn.functional as F

from helpers import passthrough, predict
from models import Net


def step(x, y):
    first = F.cross_entropy(predict(Net(), x), y)
    second = F.cross_entropy(passthrough(F.softmax(x, dim=1)), y)
    return first + second
