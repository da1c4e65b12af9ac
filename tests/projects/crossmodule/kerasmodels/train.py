from tensorflow.keras.losses import CategoricalCrossentropy

from models import Classifier, binary, build_model, logits_loss

model = build_model()
model.compile(optimizer="adam", loss=CategoricalCrossentropy(from_logits=True))
binary.compile(optimizer="adam", loss="categorical_crossentropy")
classifier = Classifier()
classifier.compile(optimizer="adam", loss=CategoricalCrossentropy(from_logits=True))
build_model().compile(optimizer="adam", loss=logits_loss)
