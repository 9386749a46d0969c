"""Generator and discriminator families, and the `VideoGAN` that trains them."""

from keras_vidgen.models import dcgan3d
from keras_vidgen.models.gan import VideoGAN

# Each architecture name maps to (generator builder, discriminator builder) with the signatures
# of `dcgan3d.build_generator(latent_dim, frames, size, filters)` and
# `dcgan3d.build_discriminator(frames, size, filters)`.
ARCHITECTURES = {
    "dcgan3d": (dcgan3d.build_generator, dcgan3d.build_discriminator),
}


def build_video_gan(arch, latent_dim, frames, size, g_filters, d_filters, seed=None, channels=3):
    """Builds an uncompiled `VideoGAN` of a named architecture.

    Args:
        arch: a name in `ARCHITECTURES`.
        latent_dim: latent vector length.
        frames: frames per clip.
        size: clip height and width.
        g_filters: the generator's widest layer.
        d_filters: the discriminator's first layer width.
        seed: seeds the latents drawn in training.
        channels: 3 for RGB videos, 1 for grayscale.

    Returns:
        A built, uncompiled `VideoGAN`.
    """
    if arch not in ARCHITECTURES:
        raise ValueError(f"Unknown architecture {arch!r}; choose one of {sorted(ARCHITECTURES)}.")
    build_generator, build_discriminator = ARCHITECTURES[arch]
    generator = build_generator(latent_dim, frames, size, filters=g_filters, channels=channels)
    discriminator = build_discriminator(frames, size, filters=d_filters, channels=channels)
    return VideoGAN(generator, discriminator, seed=seed, name=f"{arch}_gan")


__all__ = ["ARCHITECTURES", "VideoGAN", "build_video_gan", "dcgan3d"]
