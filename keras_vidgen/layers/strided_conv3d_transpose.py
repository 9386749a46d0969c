"""`StridedConv3DTranspose`: a `Conv3DTranspose` whose output layer stays fast without oneDNN."""

import keras
import numpy as np
from keras import ops

from keras_vidgen import onednn


@keras.saving.register_keras_serializable(package="keras_vidgen")
class StridedConv3DTranspose(keras.layers.Conv3DTranspose):
    """`keras.layers.Conv3DTranspose` computed, where that is faster, as one stride-1 convolution.

    The same layer, weights and outputs as `Conv3DTranspose` (to float round-off). A kernel-4,
    stride-2 transposed convolution writes each output position from 2 of the 4 taps on every
    strided axis, and which 2 depends only on the position's parity (its phase). So it equals a
    kernel-3, stride-1 convolution of the input padded by 1 whose output channels hold all 8
    phases (the taps a phase does not use are zero), followed by depth-to-space (the sub-pixel
    convolution of Shi et al. 2016). That costs 27/8 the multiplications, but without oneDNN
    TensorFlow's Eigen kernels for the transposed op's backward pass are pathologically slow at
    some shapes: the main job's last generator layer (batch 8, 8x16x16x64 -> 16x32x32x3) took
    7.0 s forward + backward, rewritten 0.06 s; at batch 16 Eigen's own op is fine (0.06 s, the
    rewrite 0.26 s), and on wide outputs the rewrite is 2-5x slower. So it is used only where
    the slow case was seen: oneDNN off and an output of at most 4 channels (a clip's colours).

    It applies on axes of kernel 4 / stride 2 and of odd kernel / stride 1, with "same" padding;
    any other configuration runs `Conv3DTranspose`'s own op.

    Args:
        Those of `keras.layers.Conv3DTranspose`.

    Example:
        >>> up = StridedConv3DTranspose(3, 4, strides=2, padding="same")
        >>> up(keras.random.normal((2, 4, 8, 8, 64))).shape
        (2, 8, 16, 16, 3)
    """

    # Outputs this thin are where Eigen's transposed op was seen to be slow.
    THIN_OUTPUT_CHANNELS = 4

    def call(self, inputs):
        if not self._rewrite_applies():
            return super().call(inputs)
        outputs = _subpixel_convolution(inputs, self.kernel, self.kernel_size, self.strides)
        if self.use_bias:
            outputs = ops.add(outputs, self.bias)
        return self.activation(outputs) if self.activation is not None else outputs

    def _rewrite_applies(self):
        if self.padding != "same" or self.data_format != "channels_last":
            return False
        if any(rate != 1 for rate in self.dilation_rate) or self.output_padding is not None:
            return False
        if any(_phase_taps(size, stride) is None for size, stride in zip(self.kernel_size, self.strides)):
            return False
        return self.filters <= self.THIN_OUTPUT_CHANNELS and not onednn.enabled()


def _phase_taps(size, stride):
    """`[phase, window position, tap]` 0/1 selection of one axis, or None if not supported.

    Stride 2, kernel 4, "same", input padded by 1: output `2m` reads padded positions `m, m+1`
    through taps 3 and 1, output `2m+1` reads `m+1, m+2` through taps 2 and 0. Stride 1 with an
    odd kernel: one phase, the kernel reversed.
    """
    if stride == 2 and size == 4:
        taps = np.zeros((2, 3, 4), "float32")
        taps[0, 0, 3] = taps[0, 1, 1] = taps[1, 1, 2] = taps[1, 2, 0] = 1
        return taps
    if stride == 1 and size % 2 == 1:
        return np.eye(size, dtype="float32")[::-1][None]
    return None


def _subpixel_convolution(inputs, kernel, kernel_size, strides):
    taps = [_phase_taps(size, stride) for size, stride in zip(kernel_size, strides)]
    phases = [axis.shape[0] for axis in taps]
    filters, channels = kernel.shape[3], kernel.shape[4]
    # [window t, h, w, in, phase t, h, w, out] from the transposed kernel [tap t, h, w, out, in].
    folded = ops.einsum("tak,hbl,wcm,klmoi->abcithwo", *taps, kernel)
    windows = [axis.shape[1] for axis in taps]
    folded = ops.reshape(folded, (*windows, channels, phases[0] * phases[1] * phases[2] * filters))
    padding = [((window - 1) // 2, (window - 1) // 2) for window in windows]
    out = ops.conv(ops.pad(inputs, [(0, 0), *padding, (0, 0)]), folded, padding="valid")
    t, h, w = inputs.shape[1:4]
    out = ops.reshape(out, (-1, t, h, w, *phases, filters))
    out = ops.transpose(out, (0, 1, 4, 2, 5, 3, 6, 7))  # depth to space: [N, t, pt, h, ph, w, pw, C]
    return ops.reshape(out, (-1, t * phases[0], h * phases[1], w * phases[2], filters))
