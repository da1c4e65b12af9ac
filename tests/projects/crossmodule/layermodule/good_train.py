import torch.nn.functional as F

from layers import head


def step(z, y):
    predictions = head(z).argmax(dim=1)
    return F.cross_entropy(z, y), predictions
