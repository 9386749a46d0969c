"""Counting the floating-point operations of a training step from the model's layers.

A multiply-add counts as 2 FLOPs. Only convolutions and dense layers are counted: they are nearly
all of the arithmetic; normalisation and activations add a few percent, so rates derived from
these counts are slight underestimates.
"""

import numpy as np
from keras import layers


def layer_forward_flops(layer, batch_size):
    """FLOPs of one forward pass of a Conv3D, Conv3DTranspose, Conv2D(Transpose) or Dense layer.

    Args:
        layer: a built Keras layer (other kinds count 0).
        batch_size: examples in the batch.

    Returns:
        An int.
    """
    if isinstance(layer, layers.SpectralNormalization):
        layer = layer.layer
    if isinstance(layer, (layers.Conv3DTranspose, layers.Conv2DTranspose)):
        # Every input element is multiplied into a kernel-sized patch of every output channel.
        input_elements = np.prod(layer.input.shape[1:-1])
        kernel = np.prod(layer.kernel_size) * layer.input.shape[-1] * layer.filters
        return int(2 * batch_size * input_elements * kernel)
    if isinstance(layer, (layers.Conv3D, layers.Conv2D)):
        output_elements = np.prod(layer.output.shape[1:-1])
        kernel = np.prod(layer.kernel_size) * layer.input.shape[-1] * layer.filters
        return int(2 * batch_size * output_elements * kernel)
    if isinstance(layer, layers.Dense):
        return int(2 * batch_size * np.prod(layer.input.shape[1:]) * layer.units)
    return 0


def model_forward_flops(model, batch_size):
    """FLOPs of one forward pass of a functional model (sum over its layers, nested models too)."""
    total = 0
    for layer in model.layers:
        if hasattr(layer, "layers"):
            total += model_forward_flops(layer, batch_size)
        else:
            total += layer_forward_flops(layer, batch_size)
    return total


def gan_step_flops(gan, batch_size):
    """FLOPs of one `VideoGAN.train_step` with one D and one G update.

    A backward pass costs about twice its forward pass (gradients for inputs and for weights).
    D update: G forward, D forward on real and fake, D backward on both = 1 G + 6 D.
    G update: G forward, D forward, D backward to its input (about 1 D), G backward = 3 G + 2 D.
    Total: 4 G + 8 D forward passes.
    """
    return 4 * model_forward_flops(gan.generator, batch_size) + 8 * model_forward_flops(
        gan.discriminator, batch_size
    )
