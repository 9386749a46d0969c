"""`ModulatedConv2D`: StyleGAN2's style-modulated, demodulated convolution."""

import keras
import tensorflow as tf


@keras.saving.register_keras_serializable(package="keras_vidgen")
class ModulatedConv2D(keras.layers.Layer):
    """A 2D convolution whose input channels are scaled by a per-example style, then renormalised.

    StyleGAN2 (Karras et al. 2020, "Analyzing and Improving the Image Quality of StyleGAN"): an
    affine map of the style gives one scale per input channel, `s`; the convolution sees
    `x * s`, and with `demodulate` each output channel is divided by the norm its weights would
    have after the scaling, `sqrt(sum_{i,k} (w_ik * s_i)^2)`, which keeps activations at unit
    scale without BatchNorm. Without batch statistics every example (every frame, when the frames
    of clips are stacked into the batch) is computed on its own, so a frame does not depend on
    which other frames are rendered beside it, and an EMA of the weights is the whole model.

    This is StyleGAN2's non-fused form: scaling the activations instead of the weights keeps one
    shared kernel, so it runs as one ordinary convolution (fast on CPU, no grouped convolution).
    The kernel is stored at its working scale (He initialisation), not at unit variance with a
    run-time gain as in StyleGAN's equalised learning rate: with Adam that gain divides every
    relative update by `sqrt(fan_in)`, and at this package's learning rates (2e-4, ten times
    below StyleGAN's) the generator then barely moved in a 6-minute run while the discriminator
    won outright (hinge loss 0.02-0.05 from step ~300).

    Args:
        filters: output channels.
        kernel_size: square kernel size.
        demodulate: divide by the modulated weights' norm (off for the RGB output layer).
        **kwargs: passed to `keras.layers.Layer`.

    Call args:
        inputs: `[x, style]`: `x [B, H, W, C_in]`, `style [B, S]`.

    Returns:
        `[B, H, W, filters]`.

    Example:
        >>> conv = ModulatedConv2D(32, 3)
        >>> conv([keras.random.normal((4, 8, 8, 16)), keras.random.normal((4, 64))]).shape
        TensorShape([4, 8, 8, 32])
    """

    def __init__(self, filters, kernel_size=3, demodulate=True, **kwargs):
        super().__init__(**kwargs)
        self.filters = filters
        self.kernel_size = kernel_size
        self.demodulate = demodulate

    def build(self, input_shape):
        x_shape, style_shape = input_shape
        in_channels = int(x_shape[-1])
        size = self.kernel_size
        self.kernel = self.add_weight(
            name="kernel", shape=(size, size, in_channels, self.filters),
            initializer=keras.initializers.HeNormal(),
        )
        self.bias = self.add_weight(name="bias", shape=(self.filters,), initializer="zeros")
        # The style's affine map starts at scale 1 for every channel (StyleGAN2's bias init).
        self.style_affine = keras.layers.Dense(in_channels, bias_initializer="ones", name="affine")
        self.style_affine.build(style_shape)
        self.built = True

    def call(self, inputs):
        x, style = inputs
        scales = tf.cast(self.style_affine(style), x.dtype)  # [B, C_in]
        kernel = tf.cast(self.kernel, x.dtype)
        y = tf.nn.conv2d(x * scales[:, None, None, :], kernel, strides=1, padding="SAME")
        if self.demodulate:
            # ||w * s||^2 per example and output channel = s^2 @ sum over the taps of w^2.
            squared = tf.matmul(tf.square(scales), tf.reduce_sum(tf.square(kernel), axis=[0, 1]))
            y = y * tf.math.rsqrt(squared + 1e-8)[:, None, None, :]
        return y + tf.cast(self.bias, x.dtype)

    def compute_output_shape(self, input_shape):
        x_shape, _ = input_shape
        return (*x_shape[:-1], self.filters)

    def get_config(self):
        config = super().get_config()
        config.update(filters=self.filters, kernel_size=self.kernel_size, demodulate=self.demodulate)
        return config
