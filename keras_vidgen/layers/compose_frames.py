"""`ComposeFrames`: each produced frame as a per-pixel mix of the observed frames and a new image."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="keras_vidgen")
class ComposeFrames(keras.layers.Layer):
    """Composites produced frames from the observed ones (Finn et al. 2016; SAVP, Lee et al. 2018).

    For produced frame `f` and pixel `p`, with `w = softmax(logits[f, p])` over `k + 1` sources:
    `out[f, p] = sum_j w_j * observed[j, p] + w_k * synthesised[f, p]`. What is still visible in
    an observed frame (a static background, the part of the scene nothing covers) is copied
    exactly; the network draws only what no observed frame shows at that pixel (a moved object).
    A network that outputs pixels directly must redraw the whole scene through its convolutions
    and blurs it; one that copies the last frame leaves moved objects behind.

    Args:
        produced: frames to produce, `F`.
        channels: colour channels, `C`.
        **kwargs: passed to `keras.layers.Layer`.

    Call args:
        inputs: `[observed [N, k, H, W, C], features [N, H, W, F * (C + k + 1)]]`: the features
            hold `F * C` synthesised pixels (linear), then `F * (k + 1)` mixing logits.

    Returns:
        `[N, F, H, W, C]`.
    """

    def __init__(self, produced, channels, **kwargs):
        super().__init__(**kwargs)
        self.produced, self.channels = produced, channels

    def call(self, inputs):
        observed, features = inputs
        observed = ops.cast(observed, features.dtype)
        count, frames, channels = observed.shape[1], self.produced, self.channels
        height, width = features.shape[1], features.shape[2]
        # Computed on planes, [N, F, sources, H, W], so every broadcast repeats whole H x W
        # planes, and cut with split (one concat to differentiate, not a padded copy per
        # slice): with channels last, an einsum and slices, the same arithmetic took 145 ms
        # fwd+bwd at 64x64, 8 frames, batch 8.
        planes = ops.transpose(features, (0, 3, 1, 2))
        pixels, logits = ops.split(planes, [frames * channels], axis=1)
        pixels = ops.reshape(pixels, (-1, frames, channels, height, width))
        logits = ops.reshape(logits, (-1, frames, count + 1, height, width))
        # The softmax over the k observed frames and the new pixels, written out: ops.softmax
        # on a middle axis transposes it to the end and back.
        exp = ops.exp(logits - ops.stop_gradient(ops.max(logits, axis=2, keepdims=True)))
        weights = ops.split(exp / ops.sum(exp, axis=2, keepdims=True), count + 1, axis=2)
        observed = ops.split(ops.transpose(observed, (0, 1, 4, 2, 3)), count, axis=1)
        mixed = weights[count] * pixels
        for weight, frame in zip(weights, observed):  # frame: [N, 1, C, H, W]
            mixed += weight * frame
        return ops.transpose(mixed, (0, 1, 3, 4, 2))  # [N, F, H, W, C]

    def compute_output_shape(self, input_shape):
        observed, features = input_shape
        return (features[0], self.produced, features[1], features[2], self.channels)

    def get_config(self):
        config = super().get_config()
        config.update(produced=self.produced, channels=self.channels)
        return config
