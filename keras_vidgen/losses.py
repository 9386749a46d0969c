"""GAN losses as pure functions of discriminator logits.

Every function returns one loss per example (shape `[batch]`), averaging over all non-batch axes,
so it works for logits of any rank (a score per clip, per frame or per patch). The caller reduces
over the batch; `VideoGAN` divides by the global batch size so that the same code is right on one
device and under a `tf.distribute` strategy.
"""

import tensorflow as tf


def _per_example(values):
    values = tf.convert_to_tensor(values)
    if values.shape.rank is not None and values.shape.rank <= 1:
        return values
    return tf.reduce_mean(tf.reshape(values, [tf.shape(values)[0], -1]), axis=1)


def hinge_discriminator_loss(real_logits, fake_logits):
    """Hinge loss for D (Lim & Ye 2017, "Geometric GAN"): `relu(1 - real) + relu(1 + fake)`."""
    return _per_example(tf.nn.relu(1.0 - real_logits)) + _per_example(tf.nn.relu(1.0 + fake_logits))


def hinge_generator_loss(fake_logits):
    """Hinge loss for G: `-fake` (the generator raises D's score of its samples)."""
    return _per_example(-fake_logits)


def bce_discriminator_loss(real_logits, fake_logits):
    """Binary cross-entropy for D (Goodfellow et al. 2014): `softplus(-real) + softplus(fake)`.

    `softplus(-x)` is `-log(sigmoid(x))`, computed without overflow for large logits.
    """
    return _per_example(tf.nn.softplus(-real_logits)) + _per_example(tf.nn.softplus(fake_logits))


def bce_generator_loss(fake_logits):
    """Non-saturating G loss (Goodfellow et al. 2014): `softplus(-fake) = -log(sigmoid(fake))`."""
    return _per_example(tf.nn.softplus(-fake_logits))


LOSSES = {
    "hinge": (hinge_discriminator_loss, hinge_generator_loss),
    "bce": (bce_discriminator_loss, bce_generator_loss),
}


def get(name):
    """Returns `(discriminator_loss, generator_loss)` for a loss name.

    Args:
        name: one of `LOSSES` ("hinge", "bce").

    Raises:
        ValueError: an unknown name; the message lists the known ones.
    """
    if name not in LOSSES:
        raise ValueError(f"Unknown GAN loss {name!r}; choose one of {sorted(LOSSES)}.")
    return LOSSES[name]
