"""`vgan`: the two-stream generator of VGAN (Vondrick, Pirsiavash & Torralba 2016, "Generating
Videos with Scene Dynamics").

The generator untangles a static background from a moving foreground: a 2D stream draws one
background image `b`, a 3D (space-time) stream draws the foreground `f` and a mask `m` in [0, 1],
and the video is `m * f + (1 - m) * b`. An L1 penalty on the mask (the paper's lambda = 0.1)
keeps the foreground sparse; it is added with `add_loss`, which `VideoGAN` adds to the
generator's loss and reports as `g_reg_penalty`. The discriminator is the 3D conv one of
`dcgan3d` (the paper's five spatio-temporal conv layers).

Simplifications: the streams' depth follows the clip size (`blocks.stage_plan`) instead of the
paper's fixed 32 frames at 64x64; BatchNorm throughout as in the paper.
"""

import keras
from keras import layers

from keras_vidgen.layers.mask_blend import MASK_PENALTY, MaskBlend
from keras_vidgen.layers.mean_abs_penalty import MeanAbsPenalty
from keras_vidgen.layers.strided_conv3d_transpose import StridedConv3DTranspose
from keras_vidgen.models import blocks, dcgan3d


def build_generator(latent_dim, frames, size, filters=256, channels=3, num_classes=None,
                    context_frames=None, mask_penalty=MASK_PENALTY, name="generator"):
    """Builds VGAN's two-stream generator: `z [N, latent_dim]` -> video `[N, frames, size, size, C]`.

    Args:
        latent_dim, frames, size, filters, channels, num_classes, context_frames, name: as in
            `dcgan3d.build_generator`.
        mask_penalty: weight of the mean absolute mask (its sparsity prior).

    Returns:
        A functional `keras.Model` with outputs in [-1, 1].
    """
    base_frames, base_size, temporal_strides = blocks.stage_plan(frames, size)
    inputs, vector = blocks.generator_inputs(
        latent_dim, num_classes, blocks.context_shape(context_frames, size, channels)
    )
    x = blocks.project(vector, (base_frames, base_size, base_size, filters), name="fg_project")
    x = blocks.upsample_stack(x, temporal_strides[:-1], filters, name="fg_up")
    last_time_stride = temporal_strides[-1]

    def final(units, activation, label):
        kernel = (4 if last_time_stride == 2 else 3, 4, 4)
        conv = StridedConv3DTranspose(units, kernel, strides=(last_time_stride, 2, 2),
                                      padding="same", name=f"{label}_out")(x)
        return layers.Activation(activation, dtype="float32", name=label)(conv)

    foreground, mask = final(channels, "tanh", "foreground"), final(1, "sigmoid", "mask")
    mask = MeanAbsPenalty(mask_penalty, name="mask_penalty")(mask)

    b = blocks.project(vector, (1, base_size, base_size, filters), name="bg_project")
    b = blocks.upsample_stack(b, [1] * len(temporal_strides), filters, channels, name="bg_up",
                              temporal_kernel=False)
    background = layers.Activation("tanh", dtype="float32", name="background")(b)
    video = MaskBlend(dtype="float32", name="video")([mask, foreground, background])
    return keras.Model(inputs, video, name=name)


build_discriminator = dcgan3d.build_discriminator
