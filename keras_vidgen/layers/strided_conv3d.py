"""`StridedConv3D`: a strided `Conv3D` that stays fast on CPUs where TensorFlow has no oneDNN."""

import keras
from keras import ops

from keras_vidgen import onednn


@keras.saving.register_keras_serializable(package="keras_vidgen")
class StridedConv3D(keras.layers.Conv3D):
    """`keras.layers.Conv3D` computing its stride-2 axes as space-to-depth + a stride-1 conv.

    The same layer, weights and outputs as `Conv3D` (to float round-off); only the arithmetic's
    order differs. Without oneDNN, TensorFlow's Eigen kernels for the backward passes of a
    strided Conv3D are pathologically slow: kernel 4 / stride 2 on a 16x32x32x3 batch of 16
    takes 16 s forward + backward, against 0.08 s for the same convolution written as space-to-
    depth (every 2x2x2 block of the padded input folded into channels) and a kernel-2, stride-1
    convolution with the kernel rearranged to match (`benchmarks/bench_kernels.py`). With oneDNN
    the rewrite pays only on thin inputs (a clip's 3 colours: 2x faster), so it is used there.

    It applies on every axis whose kernel is a multiple of its stride and whose input length is a
    multiple of it, with "same" padding (the discriminators' k4/s2 and k3/s1 axes); any other
    configuration runs `Conv3D`'s own convolution.

    Args:
        Those of `keras.layers.Conv3D`.

    Example:
        >>> conv = StridedConv3D(64, 4, strides=2, padding="same")
        >>> conv(keras.random.normal((2, 8, 32, 32, 3))).shape
        (2, 4, 16, 16, 64)
    """

    # Inputs this thin gain from the rewrite even where oneDNN is on.
    THIN_INPUT_CHANNELS = 4

    def convolution_op(self, inputs, kernel):
        if not self._rewrite_applies(inputs.shape):
            return super().convolution_op(inputs, kernel)
        blocks = tuple(self.strides)
        padded = ops.pad(inputs, [(0, 0), *_same_padding(self.kernel_size, blocks), (0, 0)])
        return ops.conv(
            space_to_depth(padded, blocks), _fold_kernel(kernel, blocks), strides=1, padding="valid"
        )

    def _rewrite_applies(self, input_shape):
        if self.padding != "same" or self.data_format != "channels_last":
            return False
        if any(rate != 1 for rate in self.dilation_rate) or self.groups != 1:
            return False
        if max(self.strides) == 1:
            return False
        lengths = input_shape[1:4]
        for length, size, stride in zip(lengths, self.kernel_size, self.strides):
            if length is None or size % stride or length % stride:
                return False
        return not onednn.enabled() or input_shape[-1] <= self.THIN_INPUT_CHANNELS


def _same_padding(kernel_size, strides):
    """Per-axis (before, after) padding that makes "same" output lengths when length % stride == 0."""
    return [((size - stride) // 2, size - stride - (size - stride) // 2)
            for size, stride in zip(kernel_size, strides)]


def space_to_depth(video, blocks):
    """Folds every `blocks`-shaped block of `[N, T, H, W, C]` into channels: `[N, T/bt, H/bh, W/bw, bt*bh*bw*C]`."""
    (bt, bh, bw), (t, h, w, c) = blocks, video.shape[1:]
    x = ops.reshape(video, (-1, t // bt, bt, h // bh, bh, w // bw, bw, c))
    x = ops.transpose(x, (0, 1, 3, 5, 2, 4, 6, 7))
    return ops.reshape(x, (-1, t // bt, h // bh, w // bw, bt * bh * bw * c))


def _fold_kernel(kernel, blocks):
    # Tap k = a * stride + i reads block a, position i: the kernel's (a, i) pairs become
    # (kernel tap a, input channel block i), ordered as space_to_depth orders the channels.
    (kt, kh, kw, c_in, c_out), (bt, bh, bw) = kernel.shape, blocks
    x = ops.reshape(kernel, (kt // bt, bt, kh // bh, bh, kw // bw, bw, c_in, c_out))
    x = ops.transpose(x, (0, 2, 4, 1, 3, 5, 6, 7))
    return ops.reshape(x, (kt // bt, kh // bh, kw // bw, bt * bh * bw * c_in, c_out))
