"""VideoGAN's training options: several discriminator heads, n_critic, penalties, spectral norm,
EMA, DiffAugment, and saving every piece of training state."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_vidgen.models import VideoGAN, dcgan3d, dvdgan, networks as gan_networks

FRAMES, SIZE, LATENT = 4, 16, 8


def networks(seed=1, spectral_norm=False):
    keras.utils.set_random_seed(seed)
    generator = dcgan3d.build_generator(LATENT, FRAMES, SIZE, filters=32)
    discriminator = dcgan3d.build_discriminator(FRAMES, SIZE, filters=8, spectral_norm=spectral_norm)
    return generator, discriminator


def compiled(generator, discriminator, ema_decay=None, **compile_args):
    gan = VideoGAN(generator, discriminator, seed=1, ema_decay=ema_decay)
    compile_args.setdefault("loss", "hinge")
    gan.compile(
        g_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5),
        d_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5),
        **compile_args,
    )
    return gan


def dataset():
    rng = np.random.default_rng(0)
    clips = rng.uniform(-1, 1, (2, FRAMES, SIZE, SIZE, 3)).astype("float32")
    return tf.data.Dataset.from_tensors(clips).repeat()


def fit(gan, steps):
    return gan.fit(dataset(), epochs=1, steps_per_epoch=steps, verbose=0).history


def test_losses_are_summed_over_discriminator_heads():
    single = compiled(*networks())
    generator, discriminator = networks()
    # The same head twice: every per-example loss doubles, so the first step's d_loss does too.
    twice = keras.Model(discriminator.input, [discriminator.output, discriminator.output])
    double = compiled(generator, twice)
    np.testing.assert_allclose(fit(double, 1)["d_loss"][0], 2 * fit(single, 1)["d_loss"][0], rtol=1e-5)


def test_dict_of_heads_trains():
    generator, discriminator = networks()
    heads = keras.Model(discriminator.input, {"a": discriminator.output, "b": discriminator.output})
    history = fit(compiled(generator, heads, loss="lsgan"), 2)
    assert all(np.isfinite(v[-1]) for v in history.values())


def test_n_critic_updates_the_generator_every_nth_step():
    gan = compiled(*networks(), n_critic=3)
    g_before = [v.numpy().copy() for v in gan.generator.trainable_variables]
    fit(gan, 2)
    assert int(gan.d_optimizer.iterations) == 2 and int(gan.g_optimizer.iterations) == 0
    assert all(np.array_equal(a, b.numpy()) for a, b in zip(g_before, gan.generator.trainable_variables))
    history = fit(gan, 4)
    assert int(gan.d_optimizer.iterations) == 6 and int(gan.g_optimizer.iterations) == 2
    assert np.isfinite(history["g_loss"][-1]) and history["g_loss"][-1] != 0.0


def test_wgan_gp_reports_the_gradient_penalty_and_trains():
    gan = compiled(*networks(), loss="wgan-gp", n_critic=2)
    assert gan.gp_weight == 10.0
    history = fit(gan, 2)
    assert {"gp_penalty", "d_loss", "g_loss"} <= set(history)
    assert np.isfinite(history["gp_penalty"][-1]) and history["gp_penalty"][-1] > 0


def test_lazy_r1_is_applied_on_every_kth_step_only():
    gan = compiled(*networks(), r1_gamma=1.0, r1_interval=2)
    history = fit(gan, 3)
    # Steps 0 and 2 are regularised; the metric averages those two only (never a zero).
    assert history["r1_penalty"][-1] > 0
    lazy_once = compiled(*networks(), r1_gamma=1.0, r1_interval=2)
    every = compiled(*networks(), r1_gamma=1.0, r1_interval=1)
    # On the first step both regularise; the lazy one's weight is 2x, so D's update differs.
    fit(lazy_once, 1), fit(every, 1)
    assert not np.allclose(lazy_once.discriminator.trainable_variables[0].numpy(),
                           every.discriminator.trainable_variables[0].numpy())


def test_the_mode_seeking_term_is_reported_and_moves_the_generator_alone():
    plain = compiled(*networks())
    seeking = compiled(*networks(), mode_seeking_weight=1.0)
    history = fit(seeking, 1)
    assert fit(plain, 1).keys() == history.keys() - {"mode_seeking_penalty"}
    assert np.isfinite(history["mode_seeking_penalty"][0]) and history["mode_seeking_penalty"][0] > 0
    # The same seed, data and D step: the discriminators agree, the generators do not.
    for a, b in zip(plain.discriminator.trainable_variables, seeking.discriminator.trainable_variables):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert not np.allclose(plain.generator.trainable_variables[0].numpy(),
                           seeking.generator.trainable_variables[0].numpy())
    # Compared on 2x2 blocks the same clips are nearer (the pixels' differences partly cancel).
    pooled = fit(compiled(*networks(), mode_seeking_weight=1.0, mode_seeking_pool=2), 1)
    assert pooled["mode_seeking_penalty"][0] > history["mode_seeking_penalty"][0]


def test_the_mode_seeking_term_in_the_discriminators_features():
    on_pixels = compiled(*networks(), mode_seeking_weight=1.0)
    on_features = compiled(*networks(), mode_seeking_weight=1.0, mode_seeking_space="discriminator")
    pixels, features = fit(on_pixels, 1), fit(on_features, 1)
    assert np.isfinite(features["mode_seeking_penalty"][0]) and features["mode_seeking_penalty"][0] > 0
    assert features["mode_seeking_penalty"][0] != pytest.approx(pixels["mode_seeking_penalty"][0])
    # Measured elsewhere, the same clips cost a different amount and move G differently; D's
    # update is the same (the term is the generator's alone), and so is G's adversarial loss.
    np.testing.assert_allclose(features["g_loss"][0], pixels["g_loss"][0], rtol=1e-5)
    for a, b in zip(on_pixels.discriminator.trainable_variables,
                    on_features.discriminator.trainable_variables):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert not np.allclose(on_pixels.generator.trainable_variables[0].numpy(),
                           on_features.generator.trainable_variables[0].numpy())


def test_the_mode_seeking_term_pushes_for_its_steps_then_stops():
    scheduled = compiled(*networks(), mode_seeking_weight=1.0, mode_seeking_steps=1)
    always = compiled(*networks(), mode_seeking_weight=1.0)
    # The same two steps by hand: seeking on the first, then off (the step traced again).
    by_hand = compiled(*networks(), mode_seeking_weight=1.0)
    fit(by_hand, 1)
    by_hand.mode_seeking_weight = 0.0
    by_hand.make_train_function(force=True)
    history, _, _ = fit(scheduled, 2), fit(always, 2), fit(by_hand, 1)
    for a, b in zip(scheduled.variables, by_hand.variables):
        np.testing.assert_allclose(a.numpy(), b.numpy(), atol=1e-6, err_msg=a.path)
    assert not np.allclose(scheduled.generator.trainable_variables[0].numpy(),
                           always.generator.trainable_variables[0].numpy())
    # Off, the term is still measured and logged.
    assert np.isfinite(history["mode_seeking_penalty"][0]) and history["mode_seeking_penalty"][0] > 0


@pytest.mark.parametrize("arguments, error", [
    (dict(mode_seeking_steps=0), "mode_seeking_steps must be >= 1"),
    (dict(mode_seeking_space="latents"), "mode_seeking_space must be one of"),
    (dict(mode_seeking_space="discriminator", mode_seeking_pool=2), "pools pixels"),
])
def test_compile_refuses_a_mode_seeking_space_it_cannot_measure(arguments, error):
    with pytest.raises(ValueError, match=error):
        compiled(*networks(), mode_seeking_weight=1.0, **arguments)


def test_the_discriminators_features_are_what_its_logits_are_computed_from():
    _, discriminator = networks()
    clips = np.random.default_rng(0).uniform(-1, 1, (3, FRAMES, SIZE, SIZE, 3)).astype("float32")
    outputs = gan_networks.with_features(discriminator)(clips)
    np.testing.assert_allclose(outputs["logits"], discriminator(clips), atol=1e-6)
    kernel, bias = discriminator.get_layer("logits").get_weights()
    np.testing.assert_allclose(outputs["features"] @ kernel + bias, outputs["logits"], atol=1e-5)
    # Two heads: each one's features, flattened and joined (dvdgan's per-frame spatial head
    # and its temporal head).
    two_heads = dvdgan.build_discriminator(FRAMES, SIZE, filters=8)
    outputs = gan_networks.with_features(two_heads)(clips)
    widths = [int(np.prod(two_heads.get_layer(name).input.shape[1:]))
              for name in ("spatial_logits", "temporal_logits")]
    assert outputs["features"].shape == (3, sum(widths))


def test_spectrally_normalised_discriminator_trains_with_a_gradient_penalty():
    gan = compiled(*networks(spectral_norm=True), loss="wgan-gp")
    history = fit(gan, 2)
    assert all(np.isfinite(v[-1]) for v in history.values())


def test_diff_augment_changes_what_the_discriminator_sees():
    plain = compiled(*networks())
    augmented = compiled(*networks(), augment="color,translation,cutout")
    plain_history, augmented_history = fit(plain, 1), fit(augmented, 1)
    assert np.isfinite(augmented_history["d_loss"][-1])
    assert augmented_history["d_real"][-1] != plain_history["d_real"][-1]


@pytest.mark.parametrize("decay, steps, effective", [(0.1, 1, 0.1), (0.9, 1, 2 / 11), (0.9, 3, 4 / 13)])
def test_ema_generator_is_an_average_with_warm_up(decay, steps, effective):
    gan = compiled(*networks(), ema_decay=decay)
    if steps > 1:
        fit(gan, steps - 1)
    before = [v.numpy().copy() for v in gan.ema_generator.variables]
    fit(gan, 1)
    # The n-th G step's decay is min(decay, (1 + n) / (10 + n)): 2/11 for the first, 4/13 the third.
    for shadow, start, now in zip(gan.ema_generator.variables, before, gan.generator.variables):
        expected = effective * start + (1 - effective) * now.numpy() if now.trainable else now.numpy()
        np.testing.assert_allclose(shadow.numpy(), expected, atol=1e-6, err_msg=now.path)


def test_ema_generator_samples():
    gan = compiled(*networks(), ema_decay=0.75)
    fit(gan, 1)
    assert gan.sampling_generator is gan.ema_generator
    assert not gan.ema_generator.trainable_variables
    z = gan.latents(2, seed=0)
    np.testing.assert_allclose(gan(z), gan.ema_generator(z, training=False), atol=1e-6)
    assert not np.allclose(gan(z), gan.generator(z, training=False))


@pytest.mark.parametrize("mode_seeking", [dict(mode_seeking_pool=2, mode_seeking_steps=4),
                                          dict(mode_seeking_space="discriminator")])
def test_every_piece_of_training_state_survives_save_and_load(tmp_path, mode_seeking):
    gan = compiled(
        *networks(spectral_norm=True), ema_decay=0.9, loss="wgan-gp", n_critic=2, r1_gamma=0.5,
        r1_interval=3, augment="color,translation,cutout", mode_seeking_weight=0.5,
        **mode_seeking,
    )
    fit(gan, 3)  # ends mid-way through an n_critic cycle and an R1 interval
    gan.save(tmp_path / "run.keras")
    restored = keras.models.load_model(tmp_path / "run.keras")
    assert restored.get_compile_config() == gan.get_compile_config()
    assert restored.ema_decay == 0.9 and restored.ema_generator is not None
    assert int(restored.d_optimizer.iterations) == 3 and int(restored.g_optimizer.iterations) == 1
    fit(gan, 3)
    fit(restored, 3)
    assert len(gan.variables) == len(restored.variables)
    for a, b in zip(gan.variables, restored.variables):
        np.testing.assert_allclose(a.numpy(), b.numpy(), atol=1e-5, err_msg=a.path)


def test_generate_uses_the_ema_generator():
    gan = compiled(*networks(), ema_decay=0.5)
    fit(gan, 1)
    videos = gan.generate(2, seed=3)
    z = gan.latents(2, seed=3)
    expected = keras.ops.convert_to_numpy(
        tf.round((tf.clip_by_value(gan.ema_generator(z), -1, 1) + 1) * 127.5))
    np.testing.assert_array_equal(videos, expected.astype(np.uint8))


def test_bad_options_are_refused():
    with pytest.raises(ValueError, match="n_critic"):
        compiled(*networks(), n_critic=0)
    with pytest.raises(ValueError, match="DiffAugment"):
        compiled(*networks(), augment="colour")
