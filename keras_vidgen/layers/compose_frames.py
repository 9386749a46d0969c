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
        count = observed.shape[1]
        frames, channels = self.produced, self.channels
        height, width = features.shape[1], features.shape[2]
        pixels = ops.reshape(features[..., :frames * channels], (-1, height, width, frames, channels))
        pixels = ops.transpose(pixels, (0, 3, 1, 2, 4))  # [N, F, H, W, C]
        logits = ops.reshape(features[..., frames * channels:], (-1, height, width, frames, count + 1))
        weights = ops.softmax(ops.transpose(logits, (0, 3, 1, 2, 4)), axis=-1)  # [N, F, H, W, k+1]
        copied = ops.einsum("nfhwk,nkhwc->nfhwc", weights[..., :count], observed)
        return copied + weights[..., count:] * pixels

    def compute_output_shape(self, input_shape):
        observed, features = input_shape
        return (features[0], self.produced, features[1], features[2], self.channels)

    def get_config(self):
        config = super().get_config()
        config.update(produced=self.produced, channels=self.channels)
        return config
