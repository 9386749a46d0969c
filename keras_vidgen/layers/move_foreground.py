"""`MoveForeground`: a foreground cut from an observed frame, moved frame by frame by predicted
shift kernels and laid over the background frames."""

import keras
import tensorflow as tf

from keras_vidgen.layers.per_example_conv import per_example_depthwise


@keras.saving.register_keras_serializable(package="keras_vidgen")
class MoveForeground(keras.layers.Layer):
    """Moves a layer cut from an observed frame by one predicted kernel per produced frame (CDNA).

    The moving part of a scene is mostly the same pixels, displaced. A network that must redraw
    an object at its future place blurs it; one that moves the object's pixels keeps it sharp.
    Following the CDNA transformations of Finn, Goodfellow & Levine 2016 (used by SAVP, Lee et al.
    2018): the layer cuts a foreground from `frame` with a soft mask (premultiplied alpha), then
    for every produced frame in turn convolves that layer with the example's next normalised
    kernel and lays it over that frame's background with the "over" operator:
    `out_f = colour_f + (1 - alpha_f) * background_f`. The mask moves with the pixels, so where
    the object will be needs no drawing: only how it moves, which the kernels say.

    Args:
        source: which observed frame the foreground is cut from (the one just before the
            produced frames: the last for "predict", the last of the first half for "interpolate").
        **kwargs: passed to `keras.layers.Layer`.

    A kernel is separable, a vertical and a horizontal softmax over `2r + 1` taps each: a shift
    of up to `r` pixels each way, or a blur between shifts (a translation is separable, and
    `2 (2r + 1)` taps cost a fraction of `(2r + 1)^2`). One kernel per example and frame moves the
    whole foreground alike: right for one moving object (or a camera pan); several independently
    moving objects, or rotation and zoom, need more than this layer gives.

    Call args:
        inputs: `[observed [N, k, H, W, C], mask_logits [N, H, W, 1], kernel_logits
            [N, F, 2K] (K vertical, then K horizontal), background [N, F, H, W, C]]`, `K = 2r + 1`.

    Returns:
        `[N, F, H, W, C]`.
    """

    def __init__(self, source, **kwargs):
        super().__init__(**kwargs)
        self.source = source

    def call(self, inputs):
        observed, mask_logits, kernel_logits, background = (tf.cast(x, tf.float32) for x in inputs)
        frame = observed[:, self.source]
        alpha = tf.sigmoid(mask_logits)
        layer = tf.concat([alpha * frame, alpha], axis=-1)  # premultiplied colour, then alpha
        taps = kernel_logits.shape[-1] // 2
        if 2 * taps != kernel_logits.shape[-1] or taps % 2 == 0:
            raise ValueError("kernel_logits must hold two odd-sized kernels (vertical, horizontal) "
                             f"per frame; got {kernel_logits.shape[-1]} logits.")
        kernels = tf.nn.softmax(tf.reshape(kernel_logits, [-1, kernel_logits.shape[1], 2, taps]))
        channels = frame.shape[-1]
        frames = []
        # unstack and split, not slicing: a slice's gradient is a padded full-size copy each.
        for kernel, behind in zip(tf.unstack(kernels, axis=1), tf.unstack(background, axis=1)):
            vertical, horizontal = tf.unstack(kernel, axis=1)
            layer = _convolve_each(layer, vertical, vertical=True)
            layer = _convolve_each(layer, horizontal, vertical=False)
            colour, coverage = tf.split(layer, [channels, 1], axis=-1)
            frames.append(colour + (1.0 - coverage) * behind)
        return tf.stack(frames, axis=1)

    def compute_output_shape(self, input_shape):
        return input_shape[3]

    def get_config(self):
        config = super().get_config()
        config.update(source=self.source)
        return config


def _convolve_each(images, kernels, vertical):
    """Convolves each example's `[H, W, D]` image with its own 1D kernel `[K]` down the columns
    (`vertical`) or along the rows, every channel alike."""
    depth = tf.shape(images)[-1]
    filters = tf.repeat(tf.transpose(kernels)[..., None], depth, axis=-1)  # [K, N, D]
    filters = filters[:, None] if vertical else filters[None]
    return per_example_depthwise(images, filters, padding="SAME")
