"""Counting the floating-point operations of a training step from the model's layers.

A multiply-add counts as 2 FLOPs. Only convolutions and dense layers are counted: they are nearly
all of the arithmetic; normalisation and activations add a few percent, so rates derived from
these counts are slight underestimates.
"""

import numpy as np
from keras import layers


def layer_forward_flops(layer, batch_size):
    """FLOPs of one forward pass of a Conv3D, Conv3DTranspose, Conv2D(Transpose), ModulatedConv2D
    or Dense layer.

    A wrapper (e.g. spectral normalisation) counts as the layer it wraps.

    Args:
        layer: a built Keras layer (other kinds count 0).
        batch_size: examples in the batch.

    Returns:
        An int.
    """
    from keras_vidgen.layers.modulated_conv2d import ModulatedConv2D

    outer = layer
    while isinstance(layer, layers.Wrapper):
        layer = layer.layer
    if isinstance(layer, ModulatedConv2D):
        # A convolution of the scaled input; the style's affine map and the demodulation are
        # a few percent of it.
        output_shape = outer.output.shape
        kernel = layer.kernel_size**2 * layer.kernel.shape[2] * layer.filters
        return int(2 * batch_size * np.prod(output_shape[1:-1]) * kernel)
    if not isinstance(layer, (layers.Conv3D, layers.Conv2D, layers.Conv3DTranspose,
                              layers.Conv2DTranspose, layers.Dense)):
        return 0
    # Shapes from the outermost layer: a wrapped layer is never called in the model's graph.
    input_shape, output_shape = outer.input.shape, outer.output.shape
    if isinstance(layer, (layers.Conv3DTranspose, layers.Conv2DTranspose)):
        # Every input element is multiplied into a kernel-sized patch of every output channel.
        kernel = np.prod(layer.kernel_size) * input_shape[-1] * layer.filters
        return int(2 * batch_size * np.prod(input_shape[1:-1]) * kernel)
    if isinstance(layer, (layers.Conv3D, layers.Conv2D)):
        kernel = np.prod(layer.kernel_size) * input_shape[-1] * layer.filters
        return int(2 * batch_size * np.prod(output_shape[1:-1]) * kernel)
    return int(2 * batch_size * np.prod(input_shape[1:]) * layer.units)  # Dense


def model_forward_flops(model, batch_size, per_clip_batch=None):
    """FLOPs of one forward pass of a functional model (sum over its layers, nested models too).

    With `per_clip_batch`, `batch_size` is the frames a continuous-time generator renders, and its
    layers that run once a clip (`stylegan_v.per_clip_layer`) count at `per_clip_batch`.
    """
    from keras_vidgen.models.stylegan_v import per_clip_layer

    total = 0
    for layer in model.layers:
        if hasattr(layer, "layers"):
            total += model_forward_flops(layer, batch_size, per_clip_batch)
        elif per_clip_batch is not None and per_clip_layer(layer):
            total += layer_forward_flops(layer, per_clip_batch)
        else:
            total += layer_forward_flops(layer, batch_size)
    return total


def gan_step_flops(gan, batch_size):
    """FLOPs of one `VideoGAN.train_step` with one D and one G update.

    A backward pass costs about twice its forward pass (gradients for inputs and for weights).
    D update: G forward, D forward on real and fake, D backward on both = 1 G + 6 D.
    G update: G forward, D forward, D backward to its input (about 1 D), G backward = 3 G + 2 D.
    Total: 4 G + 8 D forward passes.

    A continuous-time generator renders `sparse_frames` frames per clip with its frames stacked
    into the batch, so it is counted at `batch_size * sparse_frames`, but for its layers that run
    once a clip (the mapping network, the still background's network).
    """
    sparse_frames = getattr(gan, "sparse_frames", 0)
    g_flops = (model_forward_flops(gan.generator, batch_size * sparse_frames, batch_size)
               if sparse_frames else model_forward_flops(gan.generator, batch_size))
    return 4 * g_flops + 8 * model_forward_flops(gan.discriminator, batch_size)
