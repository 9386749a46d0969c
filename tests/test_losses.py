import numpy as np
import pytest
import tensorflow as tf

from keras_vidgen import losses

REAL = np.array([[2.0], [0.5]], np.float32)
FAKE = np.array([[-2.0], [0.0]], np.float32)


def test_hinge_matches_hand_computed_values():
    # example 0: relu(1-2) + relu(1-2) = 0; example 1: relu(1-0.5) + relu(1+0) = 1.5
    np.testing.assert_allclose(losses.hinge_discriminator_loss(REAL, FAKE), [0.0, 1.5])
    np.testing.assert_allclose(losses.hinge_generator_loss(FAKE), [2.0, 0.0])


def test_bce_matches_hand_computed_values():
    # softplus(x) = log(1 + e^x): softplus(-2) = 0.126928, softplus(-0.5) = 0.474077,
    # softplus(0) = 0.693147, softplus(2) = 2.126928.
    np.testing.assert_allclose(
        losses.bce_discriminator_loss(REAL, FAKE), [0.126928 * 2, 0.474077 + 0.693147], rtol=1e-5
    )
    np.testing.assert_allclose(losses.bce_generator_loss(FAKE), [2.126928, 0.693147], rtol=1e-5)


def test_losses_average_over_every_non_batch_axis_at_any_rank():
    real = np.array([[1.0, 3.0], [0.0, -1.0]], np.float32).reshape(2, 2, 1, 1, 1)
    fake = np.zeros((2, 2, 1, 1, 1), np.float32)
    # relu(1 - real) = [[0, 0], [1, 2]] -> means [0, 1.5]; relu(1 + 0) = 1 everywhere.
    np.testing.assert_allclose(losses.hinge_discriminator_loss(real, fake), [1.0, 2.5])
    np.testing.assert_allclose(losses.hinge_generator_loss(real), [-2.0, 0.5])


def test_bce_is_finite_for_huge_logits():
    huge = np.array([[1e4], [-1e4]], np.float32)
    assert np.all(np.isfinite(losses.bce_discriminator_loss(huge, -huge)))
    np.testing.assert_allclose(losses.bce_generator_loss(huge), [0.0, 1e4], rtol=1e-6)


def test_unknown_loss_lists_the_known_ones():
    with pytest.raises(ValueError, match="bce"):
        losses.get("wasserstein-ish")


def test_wasserstein_matches_hand_computed_values():
    # D: fake - real = [-2 - 2, 0 - 0.5]; G: -fake.
    np.testing.assert_allclose(losses.wasserstein_discriminator_loss(REAL, FAKE), [-4.0, -0.5])
    np.testing.assert_allclose(losses.wasserstein_generator_loss(FAKE), [2.0, 0.0])


def test_least_squares_matches_hand_computed_values():
    # D: (2 - 1)^2 + (-2)^2 = 5; (0.5 - 1)^2 + 0^2 = 0.25.  G: (-2 - 1)^2 = 9; (0 - 1)^2 = 1.
    np.testing.assert_allclose(losses.least_squares_discriminator_loss(REAL, FAKE), [5.0, 0.25])
    np.testing.assert_allclose(losses.least_squares_generator_loss(FAKE), [9.0, 1.0])


def test_registry_has_every_loss():
    assert set(losses.LOSSES) == {"hinge", "bce", "wgan-gp", "lsgan"}
    assert losses.get("wgan-gp") == (
        losses.wasserstein_discriminator_loss, losses.wasserstein_generator_loss
    )


def _linear_critic(weights):
    # critic(x) = sum(w * x) over every non-batch axis: its gradient is w wherever it is taken.
    return lambda x: tf.reduce_sum(tf.reshape(x * weights, [tf.shape(x)[0], -1]), axis=1)


def _half_square_critic(x):
    # critic(x) = 0.5 * sum(x^2): its gradient at x is x itself.
    return 0.5 * tf.reduce_sum(tf.reshape(tf.square(x), [tf.shape(x)[0], -1]), axis=1)


def test_gradient_penalty_takes_the_norm_over_all_non_batch_axes_of_a_video():
    # Videos [2, T=2, H=1, W=1, C=2]; the critic's gradient is w = (1, 2, 2, 4) per example, with
    # ||w|| = sqrt(1 + 4 + 4 + 16) = 5, so the penalty is (5 - 1)^2 = 16 for both examples. A norm
    # over axes [1, 2, 3] only (keras-io's image version) would give per-channel values instead.
    weights = tf.constant([1.0, 2.0, 2.0, 4.0], shape=(1, 2, 1, 1, 2))
    real = tf.ones((2, 2, 1, 1, 2))
    fake = tf.zeros((2, 2, 1, 1, 2))
    alpha = tf.constant([0.3, 0.9], shape=(2, 1, 1, 1, 1))
    np.testing.assert_allclose(
        losses.gradient_penalty(_linear_critic(weights), real, fake, alpha), [16.0, 16.0], rtol=1e-5
    )


def test_gradient_penalty_is_taken_at_the_interpolate():
    # Gradient of 0.5 * sum(x^2) is x_hat = alpha * real (fake = 0), 4 values per example:
    # example 0: x_hat = 0.5 * 1 -> ||x_hat|| = sqrt(4 * 0.25) = 1 -> (1 - 1)^2 = 0;
    # example 1: x_hat = 0.75 * 2 = 1.5 -> ||x_hat|| = sqrt(4 * 2.25) = 3 -> (3 - 1)^2 = 4.
    real = tf.constant([1.0] * 4 + [2.0] * 4, shape=(2, 2, 1, 2, 1))
    alpha = tf.constant([0.5, 0.75], shape=(2, 1, 1, 1, 1))
    penalty = losses.gradient_penalty(_half_square_critic, real, tf.zeros_like(real), alpha)
    np.testing.assert_allclose(penalty, [0.0, 4.0], atol=1e-5)


def test_gradient_penalty_is_differentiable_with_respect_to_the_critic():
    # critic(x) = v * sum(x) on 4 values: grad = v, norm = 2|v|, penalty = (2v - 1)^2 = 1 at v = 1,
    # d penalty / dv = 2 (2v - 1) * 2 = 4.
    v = tf.Variable(1.0)
    real = tf.ones((1, 2, 1, 1, 2))
    with tf.GradientTape() as tape:
        penalty = losses.gradient_penalty(
            lambda x: v * tf.reduce_sum(tf.reshape(x, [1, -1]), axis=1),
            real, tf.zeros_like(real), tf.constant(0.5, shape=(1, 1, 1, 1, 1)),
        )
    np.testing.assert_allclose(penalty, [1.0], rtol=1e-5)
    np.testing.assert_allclose(tape.gradient(penalty, v), 4.0, rtol=1e-5)


def test_r1_penalty_is_the_squared_gradient_norm_at_real_inputs():
    # Gradient of 0.5 * sum(x^2) at x is x: ||x||^2 = 4 * 1^2 = 4 and 4 * 2^2 = 16.
    real = tf.constant([1.0] * 4 + [2.0] * 4, shape=(2, 2, 1, 2, 1))
    np.testing.assert_allclose(losses.r1_penalty(_half_square_critic, real), [4.0, 16.0], rtol=1e-5)


def test_interpolation_weights_are_uniform_per_example_and_seeded():
    alpha = losses.interpolation_weights(2000, 5, seed=[3, 4])
    assert alpha.shape == (2000, 1, 1, 1, 1)
    values = alpha.numpy().ravel()
    # Uniform(0, 1): inside [0, 1), mean 1/2, variance 1/12 (a normal would leave the interval).
    assert values.min() >= 0.0 and values.max() < 1.0
    assert abs(values.mean() - 0.5) < 0.03 and abs(values.var() - 1 / 12) < 0.01
    np.testing.assert_array_equal(alpha, losses.interpolation_weights(2000, 5, seed=[3, 4]))


def test_reconstruction_losses_match_hand_computed_values():
    real = np.array([[1.0, 2.0, 3.0, 4.0], [0.0, 0.0, 0.0, 0.0]], np.float32).reshape(2, 2, 1, 2, 1)
    fake = np.array([[1.0, 0.0, 3.0, 7.0], [1.0, -1.0, 2.0, 0.0]], np.float32).reshape(2, 2, 1, 2, 1)
    # example 0: differences 0, -2, 0, 3 -> squares 0 4 0 9 (mean 3.25), abs 0 2 0 3 (mean 1.25)
    # example 1: differences 1, -1, 2, 0 -> squares 1 1 4 0 (mean 1.5), abs 1 1 2 0 (mean 1.0)
    np.testing.assert_allclose(losses.reconstruction_loss(real, fake, "mse"), [3.25, 1.5])
    np.testing.assert_allclose(losses.reconstruction_loss(real, fake, "l1"), [1.25, 1.0])
    with pytest.raises(ValueError, match="l2"):
        losses.reconstruction_loss(real, fake, "l2")


def test_gradient_difference_loss_matches_hand_computed_values():
    # One 2x3 one-channel image per example.
    real = np.array([[[0.0, 1.0, 3.0], [2.0, 2.0, 2.0]]], np.float32)[..., None]
    fake = np.array([[[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]], np.float32)[..., None]
    # real along height: |2-0|, |2-1|, |2-3| = 2, 1, 1; fake's are 0 -> mean 4/3.
    # real along width: |1-0|, |3-1|, |2-2|, |2-2| = 1, 2, 0, 0; fake's 0 -> mean 3/4.
    np.testing.assert_allclose(losses.gradient_difference_loss(real, fake), [4 / 3 + 3 / 4], rtol=1e-6)
    # Shifting every pixel by a constant keeps the gradients: no loss; the MSE would see it.
    np.testing.assert_allclose(losses.gradient_difference_loss(real, real + 5.0), [0.0])
    # alpha = 2 squares each difference: height (4 + 1 + 1) / 3, width (1 + 4) / 4.
    np.testing.assert_allclose(losses.gradient_difference_loss(real, fake, alpha=2.0),
                               [2.0 + 1.25], rtol=1e-6)


def test_gradient_difference_loss_is_per_example_at_video_rank():
    real = np.zeros((2, 3, 2, 2, 1), np.float32)
    fake = np.zeros((2, 3, 2, 2, 1), np.float32)
    fake[1, :, 0, 0, 0] = 1.0  # one bright pixel in every frame of example 1
    # Example 1, each frame: height differences |1-0|, |0-0| -> 1 of 2; width the same: 1 of 2.
    # Over 3 frames the means stay 1/2 + 1/2.
    np.testing.assert_allclose(losses.gradient_difference_loss(real, fake), [0.0, 1.0])


def test_mode_seeking_penalty_pairs_each_sample_with_the_next():
    # Samples 0 and 1 differ by 0.5 everywhere, 1 and 2 by 0, 2 and 0 by 0.5; latents by 1, 2, 1.
    samples = np.zeros((3, 2, 4, 4, 3), np.float32)
    samples[1] = 0.5
    samples[2] = 0.5
    latents = np.array([[0.0, 0.0], [1.0, 1.0], [-1.0, -1.0]], np.float32)
    penalty = losses.mode_seeking_penalty(samples, latents)
    np.testing.assert_allclose(penalty, [1 / (0.5 / 1 + 1e-5), 1 / (0 / 2 + 1e-5), 1 / (0.5 / 1 + 1e-5)],
                               rtol=1e-5)
    # Farther apart samples cost less: the generator is paid to spread its latents out.
    assert float(tf.reduce_mean(losses.mode_seeking_penalty(2 * samples, latents))) < float(
        tf.reduce_mean(penalty))


def test_average_pool_frames_averages_each_block_of_each_frame():
    frames = np.arange(2 * 3 * 4 * 4 * 2, dtype=np.float32).reshape(2, 3, 4, 4, 2)
    pooled = losses.average_pool_frames(tf.constant(frames), 2).numpy()
    assert pooled.shape == (2, 3, 2, 2, 2)
    np.testing.assert_allclose(pooled[1, 2, 0, 1], frames[1, 2, 0:2, 2:4].mean(axis=(0, 1)))
    assert losses.average_pool_frames(frames, 1) is frames
    with pytest.raises(ValueError, match=r"size 3 must .* divide .* \(4x4\)"):
        losses.average_pool_frames(tf.constant(frames), 3)


def test_pooled_mode_seeking_distance_is_not_bought_with_pixel_noise():
    # Two clips with the same drawing; then a +-0.5 checkerboard on the second (pixel noise whose
    # every 2x2 block averages to 0), or 4-pixel-wide stripes instead (a drawing).
    samples = np.zeros((2, 2, 8, 8, 1), np.float32)
    latents = np.array([[0.0], [1.0]], np.float32)
    noisy, striped = samples.copy(), samples.copy()
    noisy[1, :, :, :, 0] = 0.5 * (-1.0) ** np.add.outer(np.arange(8), np.arange(8))
    striped[1, :, :, :, 0] = np.where(np.arange(8) // 4 % 2, 0.5, -0.5)
    same = losses.mode_seeking_penalty(samples, latents, pool=2)
    # On pixels the noise pays as well as the stripes; pooled, it buys nothing and they still pay.
    np.testing.assert_allclose(losses.mode_seeking_penalty(noisy, latents),
                               losses.mode_seeking_penalty(striped, latents))
    np.testing.assert_allclose(losses.mode_seeking_penalty(noisy, latents, pool=2), same)
    np.testing.assert_allclose(losses.mode_seeking_penalty(striped, latents, pool=2),
                               1 / (0.5 / 1 + 1e-5), rtol=1e-5)


def test_scale_free_features_cost_the_same_at_any_scale_and_the_divisor_is_held():
    features = tf.constant(np.random.default_rng(0).normal(size=(4, 6)), tf.float32)
    latents = tf.constant(np.random.default_rng(1).normal(size=(4, 3)), tf.float32)
    np.testing.assert_allclose(losses.mode_seeking_penalty(losses.scale_free(10 * features), latents),
                               losses.mode_seeking_penalty(losses.scale_free(features), latents), rtol=1e-5)
    # Unscaled, ten times farther apart costs about a tenth.
    np.testing.assert_allclose(losses.mode_seeking_penalty(10 * features, latents),
                               losses.mode_seeking_penalty(features, latents) / 10, rtol=1e-3)
    with tf.GradientTape() as tape:
        tape.watch(features)
        total = tf.reduce_sum(losses.scale_free(features))
    np.testing.assert_allclose(tape.gradient(total, features),
                               np.full((4, 6), 1 / np.mean(np.abs(features))), rtol=1e-5)


def test_mode_seeking_penalty_needs_a_pair():
    with pytest.raises(tf.errors.InvalidArgumentError, match="at least 2"):
        losses.mode_seeking_penalty(np.zeros((1, 2, 2, 3), np.float32), np.zeros((1, 4), np.float32))
