"""`SpectralNorm`: divides a wrapped layer's kernel by its largest singular value in every call."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="keras_vidgen")
class SpectralNorm(keras.layers.Wrapper):
    """Spectral normalisation (Miyato et al. 2018, "Spectral Normalization for GANs").

    The wrapped layer runs with `W / sigma(W)`, where `sigma` is estimated by power iteration
    with a persistent vector `u` (updated only when `training=True`). Unlike
    `keras.layers.SpectralNormalization` (Keras 3.15), the trainable kernel itself is never
    overwritten: the normalised kernel is substituted for the call only, so the gradient flows
    through `sigma` as in the paper, repeated calls in one step (real, fake, penalty
    interpolates) all see the same weights, and the optimizer updates the raw `W`.

    Works for any layer with a `kernel` (Dense, Conv2D, Conv3D, their transposes) or
    `embeddings` (Embedding); the kernel is viewed as a matrix `[-1, out_channels]`.

    Args:
        layer: the layer to wrap.
        power_iterations: power-iteration steps per call (1 is the paper's choice).
        **kwargs: passed to `keras.layers.Wrapper`.

    Example:
        >>> conv = SpectralNorm(keras.layers.Conv3D(64, 4, strides=2, padding="same"))
    """

    def __init__(self, layer, power_iterations=1, **kwargs):
        # Named after the wrapped layer ("down0_sn"), so summaries and get_layer stay readable.
        kwargs.setdefault("name", f"{layer.name}_sn")
        super().__init__(layer, **kwargs)
        if power_iterations < 1:
            raise ValueError(f"power_iterations must be >= 1, got {power_iterations}")
        self.power_iterations = power_iterations

    def build(self, input_shape):
        if not self.layer.built:
            self.layer.build(input_shape)
        if hasattr(self.layer, "kernel"):
            self.kernel = self.layer.kernel
        elif hasattr(self.layer, "embeddings"):
            self.kernel = self.layer.embeddings
        else:
            raise ValueError(f"SpectralNorm needs a layer with a kernel; got {type(self.layer).__name__}.")
        self.vector_u = self.add_weight(
            shape=(1, self.kernel.shape[-1]),
            initializer=keras.initializers.RandomNormal(),
            trainable=False,
            name="vector_u",
            aggregation="only_first_replica",
        )
        self.built = True

    def call(self, inputs, training=False):
        normalised, vector_u = self.normalized_kernel()
        if training:
            self.vector_u.assign(vector_u)
        # Substitutes the normalised kernel for this call only (differentiably).
        with keras.StatelessScope(state_mapping=[(self.kernel, normalised)]):
            return self.layer(inputs)

    def normalized_kernel(self):
        """Returns `(W / sigma, u)`: the normalised kernel and the updated power-iteration vector."""
        matrix = ops.reshape(self.kernel.value, (-1, self.kernel.shape[-1]))
        vector_u = self.vector_u.value
        for _ in range(self.power_iterations):
            vector_v = _normalize(ops.matmul(vector_u, ops.transpose(matrix)))
            vector_u = _normalize(ops.matmul(vector_v, matrix))
        vector_u, vector_v = ops.stop_gradient(vector_u), ops.stop_gradient(vector_v)
        sigma = ops.sum(ops.matmul(vector_v, matrix) * vector_u)
        return self.kernel.value / sigma, vector_u

    def compute_output_shape(self, input_shape):
        return self.layer.compute_output_shape(input_shape)

    def get_config(self):
        return {**super().get_config(), "power_iterations": self.power_iterations}


def _normalize(vector):
    return vector / ops.sqrt(ops.sum(ops.square(vector)) + 1e-12)


def maybe_spectral_norm(layer, enabled):
    """Returns `SpectralNorm(layer)` if `enabled`, else `layer` (a builder's toggle)."""
    return SpectralNorm(layer) if enabled else layer
