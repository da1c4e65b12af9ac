"""A small PyTorch classifier with three classic loss mistakes (see `xentlint check examples/`)."""
import torch
import torch.nn.functional as F
from torch import nn

NUM_CLASSES = 10


class Classifier(nn.Module):
    def __init__(self, features: int = 128) -> None:
        super().__init__()
        self.hidden = nn.Linear(features, 64)
        self.out = nn.Linear(64, NUM_CLASSES)

    def forward(self, x):
        x = F.relu(self.hidden(x))
        return F.softmax(self.out(x), dim=1)  # CrossEntropyLoss below applies softmax again


def train(loader, epochs: int = 3) -> None:
    model = Classifier()
    criterion = nn.CrossEntropyLoss(size_average=False)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for _ in range(epochs):
        for x, y in loader:
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()


def entropy(logits):
    probs = F.softmax(logits, dim=1)
    return -(probs * torch.log(probs)).sum(dim=1)
