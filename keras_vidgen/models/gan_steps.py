"""The two halves of `VideoGAN.train_step`: one discriminator update and one generator update.

Each takes the `VideoGAN` whose compiled settings (losses, penalty weights, optimizers,
augmentation) it applies, draws its randomness from the GAN's saved random stream, and returns
the values to log. The order of the draws is part of the model's behaviour: a resumed run draws
exactly what an uninterrupted one would.
"""

import tensorflow as tf

from keras_vidgen import losses
from keras_vidgen.layers.diff_augment import diff_augment
from keras_vidgen.models import gan_parts, gan_replicas


def discriminator_step(gan, real, labels, batch_size):
    """One discriminator update on a real batch and as many fresh fakes.

    Args:
        gan: a compiled `VideoGAN`.
        real: this replica's real clips, float `[batch_size, T, H, W, C]` in [-1, 1].
        labels: int `[batch_size]` (class-conditional), else None.
        batch_size: this replica's batch size.

    Returns:
        `{metric name: (value, sample weight)}`: the loss, the active penalties and the mean
        logits of real and fake clips.
    """
    z = gan._sample_latents(batch_size)
    fake = gan.generator(_generator_inputs(gan, z, labels, real), training=True)
    one = tf.constant(1.0)
    with tf.GradientTape() as tape:
        real_heads = _discriminate(gan, real, labels)
        fake_heads = _discriminate(gan, fake, labels)
        per_example = gan_parts.sum_over_heads(gan.d_loss_fn, real_heads, fake_heads)
        loss = gan_replicas.average_over_global_batch(per_example, batch_size)
        results = {"d_loss": (tf.reduce_mean(per_example), one)}
        if gan.gp_weight > 0:
            alpha = losses.interpolation_weights(batch_size, real.shape.rank, gan._next_seed())
            gp = losses.gradient_penalty(_critic(gan, labels), real, fake, alpha)
            loss += gan.gp_weight * gan_replicas.average_over_global_batch(gp, batch_size)
            results["gp_penalty"] = (tf.reduce_mean(gp), one)
        if gan.r1_gamma > 0:
            r1, r1_weight = _lazy_r1(gan, real, labels, batch_size)
            r1_loss = gan_replicas.average_over_global_batch(r1, batch_size)
            loss += 0.5 * gan.r1_gamma * gan.r1_interval * r1_loss
            results["r1_penalty"] = (tf.reduce_mean(r1), r1_weight)
        loss += gan_replicas.network_regularisation(gan.discriminator)
        # Identity unless the optimizer is a LossScaleOptimizer (mixed_float16), whose
        # apply_gradients unscales the gradients again.
        scaled = gan.d_optimizer.scale_loss(loss)
    variables = gan.discriminator.trainable_variables
    gan.d_optimizer.apply_gradients(zip(tape.gradient(scaled, variables), variables))
    results["d_real"] = (tf.add_n([tf.reduce_mean(h) for h in real_heads]) / len(real_heads), one)
    results["d_fake"] = (tf.add_n([tf.reduce_mean(h) for h in fake_heads]) / len(fake_heads), one)
    return results


def _lazy_r1(gan, real, labels, batch_size):
    """The per-example R1 penalty on every `r1_interval`-th D step (zeros between), and its
    sample weight for the metric (1 on those steps, 0 otherwise)."""
    if gan.r1_interval == 1:
        return losses.r1_penalty(_critic(gan, labels), real), tf.constant(1.0)
    # Counted before this step's update, so the very first step is regularised.
    r1_turn = tf.equal(gan.d_optimizer.iterations % gan.r1_interval, 0)
    weight = tf.cast(r1_turn, tf.float32)
    if gan.distribute_strategy.num_replicas_in_sync > 1:
        # Across replicas, the state updates inside D (spectral norm vectors, augmentation
        # seeds) cannot sit in a tf.cond: compute every step and mask (no time saved).
        return losses.r1_penalty(_critic(gan, labels), real) * weight, weight
    r1 = tf.cond(r1_turn, lambda: losses.r1_penalty(_critic(gan, labels), real),
                 lambda: tf.zeros([batch_size]))
    return r1, weight


def generator_step(gan, labels, context, batch_size):
    """One generator update (then the EMA generator's), through the discriminator's heads.

    Args:
        gan: a compiled `VideoGAN`.
        labels: int `[batch_size]` (class-conditional), else None.
        context: the real clips' first frames `[batch_size, k, H, W, C]` (frame-conditional),
            else None.
        batch_size: this replica's batch size.

    Returns:
        `{metric name: value}`: the loss and the active generator penalties.
    """
    z = gan._sample_latents(batch_size)
    with tf.GradientTape() as tape:
        fake = gan.generator(_generator_inputs(gan, z, labels, context), training=True)
        regularisation = gan_replicas.network_regularisation(gan.generator)
        fake_heads = _discriminate(gan, fake, labels)
        per_example = gan_parts.sum_over_heads(gan.g_loss_fn, fake_heads)
        loss = gan_replicas.average_over_global_batch(per_example, batch_size) + regularisation
        results = {"g_loss": tf.reduce_mean(per_example)}
        if gan.context_frames:
            recon = gan_parts.per_example_mean(tf.abs(fake[:, : gan.context_frames] - context))
            loss += gan.recon_weight * gan_replicas.average_over_global_batch(recon, batch_size)
            results["recon_penalty"] = tf.reduce_mean(recon)
        scaled = gan.g_optimizer.scale_loss(loss)
    variables = gan.generator.trainable_variables
    gan.g_optimizer.apply_gradients(zip(tape.gradient(scaled, variables), variables))
    if gan.ema_generator is not None:
        gan_parts.update_ema(gan.ema_generator, gan.generator, _ema_decay_now(gan))
    if "g_reg_penalty" in gan._active_metrics:
        results["g_reg_penalty"] = regularisation
    return results


def _ema_decay_now(gan):
    # Warm-up as in tf.train.ExponentialMovingAverage(num_updates): min(decay, (1+n)/(10+n)),
    # so a short run's EMA is not dominated by the untrained initial weights.
    updates = tf.cast(gan.g_optimizer.iterations, tf.float32)
    return tf.minimum(gan.ema_decay, (1.0 + updates) / (10.0 + updates))


def _discriminate(gan, videos, labels):
    """The discriminator's heads on (augmented) videos."""
    if gan.augment:
        videos = diff_augment(videos, gan._next_seed(), gan.augment)
    inputs = {gan._video_input: videos, "label": labels} if gan.conditional else videos
    return gan_parts.heads(gan.discriminator(inputs, training=True))


def _critic(gan, labels):
    """One score per example, `sum_h mean(logits_h)`: what the penalties differentiate."""
    def critic(videos):
        heads = _discriminate(gan, videos, labels)
        return tf.add_n([gan_parts.per_example_mean(head) for head in heads])
    return critic


def _generator_inputs(gan, z, labels, clips):
    inputs = {"z": z}
    if gan.conditional:
        inputs["label"] = labels
    if gan.context_frames:
        inputs["context"] = clips[:, : gan.context_frames]
    return inputs if len(inputs) > 1 else z
