"""`dvdgan`: DVD-GAN's dual discriminator (Clark, Donahue & Simonyan 2019, "Adversarial Video
Generation on Complex Datasets").

DVD-GAN splits the discriminator in two to make video affordable: a spatial discriminator sees
k randomly sampled full-resolution frames (k = 8 in the paper) and scores each, and a temporal
discriminator sees the whole clip at half resolution (2x2 average pooling) and judges motion.
`build_discriminator` returns both as one model with logits `{"spatial": [N, k, 1],
"temporal": [N, 1]}`, which `VideoGAN` sums.

Simplifications: the generator is the Conv3D DCGAN generator of `dcgan3d` rather than the paper's
ConvGRU + residual BigGAN blocks with class-conditional BatchNorm; the discriminators are plain
strided conv stacks (spectral norm on request, as in the paper: `spectral_norm=True`) rather than
residual blocks. Needs `size` >= 16 (the temporal branch works at `size / 2`).
"""

import keras
from keras import layers

from keras_vidgen.layers.random_frames import RandomFrames
from keras_vidgen.models import blocks, dcgan3d

build_generator = dcgan3d.build_generator


def build_discriminator(frames, size, filters=64, channels=3, num_classes=None,
                        spectral_norm=False, sampled_frames=8, seed=0, name="discriminator"):
    """Builds DVD-GAN's spatial and temporal discriminators as one model.

    Args:
        frames, size, filters, channels, num_classes, spectral_norm, name: as in
            `dcgan3d.build_discriminator`.
        sampled_frames: frames the spatial discriminator sees per clip (k).
        seed: seeds the frame sampling (its state is saved with the model).

    Returns:
        A functional `keras.Model`: video -> `{"spatial": [N, min(k, frames), 1],
        "temporal": [N, 1]}`.
    """
    if size < 16:
        raise ValueError(f"dvdgan's temporal discriminator halves the size: size >= 16, got {size}.")
    inputs, video, label = blocks.discriminator_inputs(frames, size, channels, num_classes)
    sampled = RandomFrames(sampled_frames, seed=seed, name="sample_frames")(video)
    spatial_features = blocks.frame_features(sampled, size, filters, spectral_norm,
                                             name="spatial_down")
    spatial = blocks.logits_head(spatial_features, label, num_classes, spectral_norm,
                                 name="spatial_logits")
    small = layers.AveragePooling3D((1, 2, 2), name="half_resolution")(video)
    _, _, temporal_strides = blocks.stage_plan(frames, size // 2)
    x = blocks.downsample_stack(small, list(reversed(temporal_strides)), filters, spectral_norm,
                                name="temporal_down")
    temporal = blocks.logits_head(layers.Flatten()(x), label, num_classes, spectral_norm,
                                  name="temporal_logits")
    return keras.Model(inputs, {"spatial": spatial, "temporal": temporal}, name=name)
