import torch
import torch.nn as nn


class Discriminator(nn.Module):
    def __init__(self):
        super().__init__()
        self.out = nn.Linear(128, 1)

    def forward(self, x):
        return torch.sigmoid(self.out(x))
