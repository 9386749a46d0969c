"""`dcgan3d`: a DCGAN-style Conv3D generator and discriminator for any clip length and size.

The generator follows DCGAN (Radford et al. 2016, "Unsupervised Representation Learning with Deep
Convolutional Generative Adversarial Networks") lifted to space-time as in VGAN's single-stream
baseline (Vondrick et al. 2016): latent -> Dense -> a small `[t0, 4..7, 4..7, C]` block -> strided
Conv3DTranspose stages that double height and width (and time, while frames remain to grow) ->
tanh. The discriminator mirrors it with strided Conv3D and LeakyReLU, without batch
normalisation, so it also suits gradient penalties; spectral normalisation (Miyato et al. 2018)
is an option, on by default in `ModelConfig`.
"""

import keras
from keras import layers

from keras_vidgen.models import blocks
from keras_vidgen.models.blocks import stage_plan  # noqa: F401  (part of this module's API)


def build_generator(latent_dim, frames, size, filters=256, channels=3, num_classes=None,
                    context_frames=None, name="generator"):
    """Builds the Conv3D generator: `z [N, latent_dim]` -> video `[N, frames, size, size, channels]`.

    Args:
        latent_dim: length of the latent vector.
        frames: frames per generated clip.
        size: height and width of the generated clip.
        filters: channels of the smallest block; each stage halves them (at least 16).
        channels: output channels (3 for RGB).
        num_classes: adds an int `label` input (class-conditional; see `blocks.generator_inputs`).
        context_frames: adds a `context` input of that many first frames (frame-conditional).
        name: the model's name.

    Returns:
        A functional `keras.Model` with outputs in [-1, 1].

    Example:
        >>> generator = build_generator(latent_dim=128, frames=16, size=64)
        >>> generator(keras.random.normal((2, 128))).shape
        (2, 16, 64, 64, 3)
    """
    base_frames, base_size, temporal_strides = stage_plan(frames, size)
    inputs, vector = blocks.generator_inputs(
        latent_dim, num_classes, blocks.context_shape(context_frames, size, channels)
    )
    x = blocks.project(vector, (base_frames, base_size, base_size, filters))
    x = blocks.upsample_stack(x, temporal_strides, filters, channels)
    video = layers.Activation("tanh", dtype="float32", name="video")(x)
    return keras.Model(inputs, video, name=name)


def build_discriminator(frames, size, filters=64, channels=3, num_classes=None,
                        spectral_norm=False, name="discriminator"):
    """Builds the Conv3D discriminator: video `[N, frames, size, size, channels]` -> logits `[N, 1]`.

    Args:
        frames: frames per clip.
        size: height and width.
        filters: channels of the first stage; each stage doubles them (at most 512).
        channels: input channels.
        num_classes: adds an int `label` input and a projection head (Miyato & Koyama 2018).
        spectral_norm: wrap every conv and dense layer in `SpectralNorm`.
        name: the model's name.

    Returns:
        A functional `keras.Model` returning one unbounded realness score per clip.
    """
    _, _, temporal_strides = stage_plan(frames, size)
    inputs, video, label = blocks.discriminator_inputs(frames, size, channels, num_classes)
    x = blocks.downsample_stack(video, list(reversed(temporal_strides)), filters, spectral_norm)
    x = layers.Flatten()(x)
    logits = blocks.logits_head(x, label, num_classes, spectral_norm)
    return keras.Model(inputs, logits, name=name)

