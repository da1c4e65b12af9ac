import torch.nn as nn
import torch.nn.functional as F


class Tapped(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(784, 10)

    def forward(self, x):
        probs = F.softmax(self.fc(x), dim=1)  # not returned as it is: no finding here
        return probs


class Quiet(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(784, 10)

    def forward(self, x):
        return F.softmax(self.fc(x), dim=1)  # noqa: XL101
