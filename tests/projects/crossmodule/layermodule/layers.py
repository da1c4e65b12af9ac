import torch.nn as nn

head = nn.Softmax(dim=1)
