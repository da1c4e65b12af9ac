import torch.nn as nn

from base import Base


class Net(Base):
    def describe(self):
        return "a softmax classifier"


class LogitsNet(Base):
    def forward(self, x):
        return self.fc(x)


def step(x, y):
    criterion = nn.CrossEntropyLoss()
    return criterion(Net()(x), y) + criterion(LogitsNet()(x), y)
