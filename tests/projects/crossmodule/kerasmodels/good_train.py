from tensorflow.keras.layers import Dense
from tensorflow.keras.losses import CategoricalCrossentropy

from models import Classifier, binary, build_logits_model, build_model, logits_loss, trunk

model = build_model()
model.compile(optimizer="adam", loss="categorical_crossentropy")
logits_model = build_logits_model()
logits_model.compile(optimizer="adam", loss=logits_loss)
binary.compile(optimizer="adam", loss="binary_crossentropy")
Classifier().compile(optimizer="adam", loss=CategoricalCrossentropy())
trunk.add(Dense(10))  # the softmax is now hidden: the model gives logits
trunk.compile(optimizer="adam", loss=CategoricalCrossentropy(from_logits=True))
