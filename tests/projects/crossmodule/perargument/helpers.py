import torch.nn as nn
import torch.nn.functional as F


def predict(model, x):
    return model(x)


def passthrough(x):
    return x


class Scorer(nn.Module):
    def forward(self, x):
        return F.softmax(x, dim=1)


def scores(x):
    return predict(Scorer(), x)  # this module's one call: not what importers pass
