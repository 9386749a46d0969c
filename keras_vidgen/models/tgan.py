"""`tgan`: the temporal generator of TGAN (Saito, Matsumoto & Saito 2017, "Temporal Generative
Adversarial Nets with Singular Value Clipping").

A temporal generator turns the clip latent `z0` into one latent per frame `z1(t)` with 1D
transposed convolutions; an image generator renders each frame from `[z0, z1(t)]`. Frames share
the image generator, so all motion lives in the latent path. The discriminator is the 3D conv
one of `dcgan3d`, as in the paper.

Simplifications: trained with any loss here rather than WGAN with singular value clipping (use
`loss="wgan-gp"` or spectral norm for a Lipschitz critic); the per-frame image generator is a
Conv3D stack with temporal kernel 1 (exactly a shared 2D generator); clip lengths that are not a
power of two start from a longer base sequence.
"""

import keras
from keras import layers

from keras_vidgen.models import blocks, dcgan3d


def build_generator(latent_dim, frames, size, filters=256, channels=3, num_classes=None,
                    context_frames=None, name="generator"):
    """Builds TGAN's generator: `z [N, latent_dim]` -> video `[N, frames, size, size, channels]`.

    Args: as in `dcgan3d.build_generator`.

    Returns:
        A functional `keras.Model` with outputs in [-1, 1].
    """
    inputs, vector = blocks.generator_inputs(
        latent_dim, num_classes, blocks.context_shape(context_frames, size, channels)
    )
    base_frames, strides = blocks.temporal_plan(frames)
    width = max(32, filters // 2)
    x = layers.Dense(base_frames * width, use_bias=False, name="temporal_project")(vector)
    x = layers.Reshape((base_frames, width))(x)
    x = blocks.batch_norm("temporal_project_bn")(x)
    x = layers.ReLU()(x)
    for index, stride in enumerate(strides):
        x = layers.Conv1DTranspose(width, 4, strides=stride, padding="same", use_bias=False,
                                   name=f"temporal_up{index}")(x)
        x = blocks.batch_norm(f"temporal_up{index}_bn")(x)
        x = layers.ReLU()(x)
    frame_codes = layers.Conv1D(latent_dim, 3, padding="same", activation="tanh",
                                name="frame_codes")(x)
    clip_code = layers.RepeatVector(frames)(vector)
    codes = layers.Concatenate(name="codes")([clip_code, frame_codes])
    video = blocks.frame_generator(codes, frames, size, filters, channels)
    return keras.Model(inputs, video, name=name)


build_discriminator = dcgan3d.build_discriminator
