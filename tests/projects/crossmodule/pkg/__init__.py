from .nets import Discriminator
