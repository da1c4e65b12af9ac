from base import Base


class Net(Base):
    def describe(self):
        return "a softmax classifier"


class LogitsNet(Base):
    def forward(self, x):
        return self.fc(x)
