"""A Keras classifier with loss mistakes (see `xentlint check examples/`)."""
import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers

x_train = np.random.rand(256, 20).astype("float32")
y_train = np.random.randint(0, 5, size=(256,))

model = keras.Sequential([
    layers.Dense(64, activation="relu"),
    layers.Dense(5, activation="softmax"),
])
# The last layer already applies softmax: from_logits=True applies it a second time.
model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
model.fit(x_train, y_train, epochs=2)

binary = keras.Sequential([layers.Dense(1, activation="softmax")])  # softmax over one unit: always 1.0
binary.compile(optimizer="adam", loss="binary_crossentropy")


def log_likelihood(logits, labels):
    return tf.reduce_sum(labels * tf.math.log(tf.nn.softmax(logits)), axis=-1)
