"""GAN losses and penalties as pure functions.

Every loss returns one value per example (shape `[batch]`), averaging over all non-batch axes,
so it works for logits of any rank (a score per clip, per frame or per patch). The caller reduces
over the batch; `VideoGAN` divides by the global batch size so that the same code is right on one
device and under a `tf.distribute` strategy.

The penalties (`gradient_penalty`, `r1_penalty`) take a *critic*: a function from a batch of
inputs to one score per example (`VideoGAN` passes the sum of its discriminator heads' mean
logits). Their gradient norms run over all non-batch axes, so a video `[N, T, H, W, C]` is one
vector per example, not T*C separate images.
"""

import tensorflow as tf


def per_example_mean(values):
    """Mean over all non-batch axes: `[N, ...]` -> `[N]` (a `[N]` tensor is returned as it is)."""
    values = tf.convert_to_tensor(values)
    if values.shape.rank is not None and values.shape.rank <= 1:
        return values
    return tf.reduce_mean(tf.reshape(values, [tf.shape(values)[0], -1]), axis=1)


def hinge_discriminator_loss(real_logits, fake_logits):
    """Hinge loss for D (Lim & Ye 2017, "Geometric GAN"): `relu(1 - real) + relu(1 + fake)`."""
    return per_example_mean(tf.nn.relu(1.0 - real_logits)) + per_example_mean(tf.nn.relu(1.0 + fake_logits))


def hinge_generator_loss(fake_logits):
    """Hinge loss for G: `-fake` (the generator raises D's score of its samples)."""
    return per_example_mean(-fake_logits)


def bce_discriminator_loss(real_logits, fake_logits):
    """Binary cross-entropy for D (Goodfellow et al. 2014): `softplus(-real) + softplus(fake)`.

    `softplus(-x)` is `-log(sigmoid(x))`, computed without overflow for large logits.
    """
    return per_example_mean(tf.nn.softplus(-real_logits)) + per_example_mean(tf.nn.softplus(fake_logits))


def bce_generator_loss(fake_logits):
    """Non-saturating G loss (Goodfellow et al. 2014): `softplus(-fake) = -log(sigmoid(fake))`."""
    return per_example_mean(tf.nn.softplus(-fake_logits))


def wasserstein_discriminator_loss(real_logits, fake_logits):
    """Wasserstein critic loss (Arjovsky et al. 2017, "Wasserstein GAN"): `fake - real`.

    Meaningful only with a Lipschitz constraint on the critic: a gradient penalty (WGAN-GP,
    Gulrajani et al. 2017) or spectral normalisation.
    """
    return per_example_mean(fake_logits) - per_example_mean(real_logits)


def wasserstein_generator_loss(fake_logits):
    """Wasserstein generator loss: `-fake`."""
    return per_example_mean(-fake_logits)


def least_squares_discriminator_loss(real_logits, fake_logits):
    """Least-squares D loss (Mao et al. 2017, "Least Squares GANs"): `(real - 1)^2 + fake^2`.

    The paper's a-b-c coding with a=0 (fake), b=1 (real), c=1 (what G wants D to say), without
    its factor 1/2 (a constant scale that Adam ignores).
    """
    return per_example_mean(tf.square(real_logits - 1.0)) + per_example_mean(tf.square(fake_logits))


def least_squares_generator_loss(fake_logits):
    """Least-squares G loss (Mao et al. 2017): `(fake - 1)^2`."""
    return per_example_mean(tf.square(fake_logits - 1.0))


def interpolation_weights(batch_size, rank, seed):
    """Draws WGAN-GP's mixing weights: alpha ~ Uniform(0, 1), shape `[batch, 1, ..., 1]`.

    One weight per example, broadcast over all its other axes (Gulrajani et al. 2017, Alg. 1).

    Args:
        batch_size: examples in the batch.
        rank: rank of the inputs to mix (5 for videos).
        seed: a stateless seed, int `[2]`.
    """
    shape = tf.concat([[batch_size], tf.ones([rank - 1], tf.int32)], axis=0)
    return tf.random.stateless_uniform(shape, seed=seed)


def _input_gradients(critic, inputs):
    with tf.GradientTape() as tape:
        tape.watch(inputs)
        # Examples are independent (no batch statistics in D), so the gradient of the sum holds
        # each example's own gradient.
        total = tf.reduce_sum(critic(inputs))
    gradients = tape.gradient(total, inputs)
    return tf.reshape(gradients, [tf.shape(inputs)[0], -1])


def gradient_penalty(critic, real, fake, alpha):
    """WGAN-GP's penalty (Gulrajani et al. 2017): `(||grad critic(x_hat)||_2 - 1)^2` per example.

    `x_hat = alpha * real + (1 - alpha) * fake`; the norm runs over all non-batch axes. The
    caller multiplies by the weight (10 in the paper). Call it inside the tape that
    differentiates the critic's weights: it is differentiable (a gradient of a gradient).

    Args:
        critic: inputs -> one score per example, `[batch]`.
        real, fake: inputs of the same shape, any rank.
        alpha: mixing weights broadcastable to the inputs (`interpolation_weights`).

    Returns:
        float `[batch]`.

    Example:
        >>> alpha = interpolation_weights(tf.shape(real)[0], 5, seed=[0, 1])
        >>> penalty = gradient_penalty(critic, real, fake, alpha)
    """
    mixed = alpha * real + (1.0 - alpha) * fake
    gradients = _input_gradients(critic, mixed)
    # A tiny epsilon keeps the norm's own gradient finite where the gradient vanishes.
    norm = tf.sqrt(tf.reduce_sum(tf.square(gradients), axis=1) + 1e-12)
    return tf.square(norm - 1.0)


def lazy_r1_penalty(critic, real, step, interval, masked=False):
    """The per-example R1 penalty on every `interval`-th step (StyleGAN2's lazy regularisation),
    zeros on the others, and the weight of that step's value for a metric (1 or 0).

    Args:
        critic, real: as for `r1_penalty`.
        step: the number of steps taken before this one (the first, step 0, is regularised).
        interval: apply the penalty every this many steps.
        masked: compute it every step and multiply by 0 between (for several replicas, where the
            state updates inside the critic cannot sit in a `tf.cond`; no time is saved).

    Returns:
        `(float [batch], float scalar)`.
    """
    if interval == 1:
        return r1_penalty(critic, real), tf.constant(1.0)
    turn = tf.equal(step % interval, 0)
    weight = tf.cast(turn, tf.float32)
    if masked:
        return r1_penalty(critic, real) * weight, weight
    penalty = tf.cond(turn, lambda: r1_penalty(critic, real), lambda: tf.zeros([tf.shape(real)[0]]))
    return penalty, weight


def r1_penalty(critic, real):
    """The R1 penalty (Mescheder et al. 2018): `||grad critic(real)||_2^2` per example.

    The caller multiplies by gamma / 2, and by k when it applies the penalty only every k steps
    (lazy regularisation, Karras et al. 2020, StyleGAN2).

    Args:
        critic: inputs -> one score per example, `[batch]`.
        real: real inputs, any rank.

    Returns:
        float `[batch]`.
    """
    return tf.reduce_sum(tf.square(_input_gradients(critic, real)), axis=1)


def reconstruction_loss(real, fake, kind="mse"):
    """Per-example regression loss of produced frames against the real ones, any rank.

    Args:
        real, fake: float `[N, ...]` of the same shape.
        kind: "mse" (mean squared error) or "l1" (mean absolute error).

    Returns:
        float `[N]`: the mean over every non-batch axis.
    """
    difference = tf.convert_to_tensor(fake) - tf.convert_to_tensor(real)
    if kind == "mse":
        return per_example_mean(tf.square(difference))
    if kind == "l1":
        return per_example_mean(tf.abs(difference))
    raise ValueError(f"Unknown reconstruction loss {kind!r}; choose 'mse' or 'l1'.")


def gradient_difference_loss(real, fake, alpha=1.0):
    """The gradient-difference loss (Mathieu, Couprie & LeCun 2016, "Deep multi-scale video
    prediction beyond mean square error", eq. 5), per example.

    Penalises differences between the image gradients of the real and the produced frames,
    `| |y[i,j] - y[i-1,j]| - |f[i,j] - f[i-1,j]| |^alpha` plus the same along width, so a blurred
    edge costs what a misplaced one does and regression stops preferring blur. Each of the two
    terms is averaged over its own differences (the paper sums; a mean keeps the weight
    independent of the frame size).

    Args:
        real, fake: float `[N, ..., height, width, channels]` (images or videos, rank >= 4).
        alpha: the exponent (1 in the paper's experiments).

    Returns:
        float `[N]`.
    """
    real, fake = tf.convert_to_tensor(real), tf.convert_to_tensor(fake)

    def gradients(x, axis):
        size = tf.shape(x)[axis]
        ahead = tf.gather(x, tf.range(1, size), axis=axis)
        behind = tf.gather(x, tf.range(0, size - 1), axis=axis)
        return tf.abs(ahead - behind)

    rank = real.shape.rank
    total = 0.0
    for axis in (rank - 3, rank - 2):  # height, width (channels last)
        difference = tf.abs(gradients(real, axis) - gradients(fake, axis))
        total += per_example_mean(tf.pow(difference, alpha) if alpha != 1 else difference)
    return total


def mode_seeking_penalty(samples, latents, pool=1, epsilon=1e-5):
    """MSGAN's mode-seeking term (Mao et al. 2019, "Mode seeking generative adversarial networks
    for diverse image synthesis", eq. 3), per example: the generator pays
    `1 / (d(G(z_i), G(z_j)) / d(z_i, z_j) + epsilon)`, so two latents that land on nearly the
    same sample (a dropped mode's symptom) cost it most. `d` is the mean absolute difference;
    each sample `i` is paired with the next, `j = i + 1`, the last with the first.

    On full-resolution frames the cheapest distance is pixel noise; with `pool` > 1 the samples
    are first averaged over `pool x pool` blocks of each frame, which keeps what is drawn
    (shapes, stripes a few cycles wide) and averages independent pixel noise down by `pool`.

    Args:
        samples: the generator's outputs, float `[N, ..., height, width, channels]`, `N >= 2`,
            or any features of them `[N, ...]` (with `pool` 1).
        latents: the latents they were drawn from, float `[N, latent_dim]`.
        pool: the side of the blocks each frame is averaged over first (1: the pixels).
        epsilon: keeps the cost finite for identical samples (MSGAN's 1e-5).

    Returns:
        float32 `[N]`.
    """
    samples = average_pool_frames(tf.cast(samples, tf.float32), pool)
    latents = tf.cast(latents, tf.float32)
    tf.debugging.assert_greater_equal(
        tf.shape(samples)[0], 2,
        message="The mode-seeking penalty compares pairs of samples: give each replica a batch "
                "of at least 2 (data.batch_size), or set mode_seeking_weight=0.")
    sample_distance = per_example_mean(tf.abs(samples - tf.roll(samples, -1, axis=0)))
    latent_distance = per_example_mean(tf.abs(latents - tf.roll(latents, -1, axis=0)))
    return 1.0 / (sample_distance / latent_distance + epsilon)


def scale_free(features, epsilon=1e-8):
    """`features / mean|features|` over the batch, the divisor held constant: a distance in a
    discriminator's features then does not grow and shrink with the discriminator's scale (at
    `base`'s initial weights its features average 0.04 in size, and MSGAN's term on them read
    ~300 against ~6 on the pixels)."""
    features = tf.cast(features, tf.float32)
    return features / tf.stop_gradient(tf.reduce_mean(tf.abs(features)) + epsilon)


def average_pool_frames(frames, pool):
    """Averages `[..., height, width, channels]` over non-overlapping `pool x pool` blocks of
    each frame; `pool` must divide both sides."""
    if pool == 1:
        return frames
    *leading, height, width, channels = frames.shape
    if pool < 1 or height % pool or width % pool:
        raise ValueError(f"The pooling size {pool} must be at least 1 and divide the frames' "
                         f"height and width ({height}x{width}).")
    blocks = tf.reshape(frames, [-1, height // pool, pool, width // pool, pool, channels])
    pooled = tf.reduce_mean(blocks, axis=[2, 4])
    return tf.reshape(pooled, tf.concat([tf.shape(frames)[:-3], tf.shape(pooled)[1:]], axis=0))


LOSSES = {
    "hinge": (hinge_discriminator_loss, hinge_generator_loss),
    "bce": (bce_discriminator_loss, bce_generator_loss),
    "wgan-gp": (wasserstein_discriminator_loss, wasserstein_generator_loss),
    "lsgan": (least_squares_discriminator_loss, least_squares_generator_loss),
}

# The gradient-penalty weight each loss implies when none is given (WGAN-GP's lambda = 10).
DEFAULT_GP_WEIGHT = {"wgan-gp": 10.0}


def get(name):
    """Returns `(discriminator_loss, generator_loss)` for a loss name.

    Args:
        name: one of `LOSSES`: "hinge", "bce" (non-saturating), "wgan-gp" (the Wasserstein
            losses; `VideoGAN` adds the gradient penalty) or "lsgan" (least squares).

    Raises:
        ValueError: an unknown name; the message lists the known ones.
    """
    if name not in LOSSES:
        raise ValueError(f"Unknown GAN loss {name!r}; choose one of {sorted(LOSSES)}.")
    return LOSSES[name]
