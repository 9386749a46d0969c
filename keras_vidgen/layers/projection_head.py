"""`ProjectionHead`: a class-conditional discriminator output by projection."""

import keras
from keras import ops

from keras_vidgen.layers.spectral_norm import maybe_spectral_norm


@keras.saving.register_keras_serializable(package="keras_vidgen")
class ProjectionHead(keras.layers.Layer):
    """The projection discriminator's output (Miyato & Koyama 2018, "cGANs with Projection
    Discriminator"): `logits = psi(h) + <embed(y), h>`.

    `h` may carry extra axes before its features (e.g. `[N, T, F]` for per-frame heads); the
    class embedding is broadcast over them, giving one logit per position.

    Args:
        num_classes: number of classes.
        spectral_norm: wrap `psi` and the embedding in `SpectralNorm` (as the paper does).
        **kwargs: passed to `keras.layers.Layer`.

    Call args:
        inputs: `[h, labels]`: float features `[N, ..., F]` and int labels `[N]`.

    Returns:
        float logits `[N, ..., 1]`.
    """

    def __init__(self, num_classes, spectral_norm=False, **kwargs):
        super().__init__(**kwargs)
        self.num_classes = num_classes
        self.spectral_norm = spectral_norm

    def build(self, input_shape):
        features_shape, _ = input_shape
        features = features_shape[-1]
        self.linear = maybe_spectral_norm(keras.layers.Dense(1, name="psi"), self.spectral_norm)
        self.embedding = maybe_spectral_norm(
            keras.layers.Embedding(self.num_classes, features, name="class_embedding"),
            self.spectral_norm,
        )
        self.linear.build(features_shape)
        self.embedding.build((None,))
        self.built = True

    def call(self, inputs, training=False):
        features, labels = inputs
        labels = ops.cast(ops.reshape(labels, (-1,)), "int32")
        embedded = self.embedding(labels, training=training)
        # [N, F] -> [N, 1, ..., 1, F] to broadcast over the feature map's extra axes.
        for _ in range(len(features.shape) - 2):
            embedded = ops.expand_dims(embedded, 1)
        projection = ops.sum(embedded * features, axis=-1, keepdims=True)
        return self.linear(features, training=training) + projection

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[0][:-1]) + (1,)

    def get_config(self):
        return {**super().get_config(), "num_classes": self.num_classes,
                "spectral_norm": self.spectral_norm}
