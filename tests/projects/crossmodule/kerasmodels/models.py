from tensorflow import keras
from tensorflow.keras.layers import Dense
from tensorflow.keras.losses import CategoricalCrossentropy
from tensorflow.keras.models import Sequential


def build_model():
    inputs = keras.Input(shape=(784,))
    hidden = Dense(64, activation="relu")(inputs)
    outputs = Dense(10, activation="softmax")(hidden)
    return keras.Model(inputs, outputs)


def build_logits_model():
    inputs = keras.Input(shape=(784,))
    return keras.Model(inputs, Dense(10)(inputs))


binary = Sequential([Dense(64, activation="relu"), Dense(1, activation="sigmoid")])
trunk = Sequential([Dense(64, activation="softmax")])


class Classifier(keras.Model):
    def __init__(self):
        super().__init__()
        self.out = Dense(10, activation="softmax")

    def call(self, x):
        return self.out(x)


logits_loss = CategoricalCrossentropy(from_logits=True)
