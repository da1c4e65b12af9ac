import torch.nn.functional as F

from a import loss


def make():
    return F.softmax
