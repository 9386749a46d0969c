import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_vidgen.models import VideoGAN, build_video_gan, dcgan3d

FRAMES, SIZE, LATENT = 4, 16, 8


def tiny_gan(loss="hinge", seed=1):
    keras.utils.set_random_seed(seed)
    gan = build_video_gan("dcgan3d", LATENT, FRAMES, SIZE, g_filters=32, d_filters=8, seed=seed)
    gan.compile(
        g_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5),
        d_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5),
        loss=loss,
    )
    return gan


def clips(count=4, seed=0):
    rng = np.random.default_rng(seed)
    return rng.uniform(-1, 1, (count, FRAMES, SIZE, SIZE, 3)).astype("float32")


def weights(model):
    return [variable.numpy().copy() for variable in model.trainable_variables]


def kernels(model):
    # Biases are left out: under the hinge loss the last bias's gradient is exactly
    # -1 (real) + 1 (fake) = 0 while all logits lie inside the margin.
    return [v.numpy().copy() for v in model.trainable_variables if v.path.endswith("kernel")]


@pytest.mark.parametrize("loss", ["hinge", "bce"])
def test_one_fit_step_updates_both_networks_and_reports_finite_metrics(loss):
    gan = tiny_gan(loss)
    g_before, d_before = kernels(gan.generator), kernels(gan.discriminator)
    history = gan.fit(tf.data.Dataset.from_tensor_slices(clips()).batch(2), epochs=1, steps_per_epoch=1, verbose=0)
    assert set(history.history) == {"d_loss", "g_loss", "d_real", "d_fake"}
    assert all(np.isfinite(values[-1]) for values in history.history.values())
    assert all(not np.array_equal(a, b) for a, b in zip(g_before, kernels(gan.generator)))
    assert all(not np.array_equal(a, b) for a, b in zip(d_before, kernels(gan.discriminator)))
    assert int(gan.g_optimizer.iterations) == int(gan.d_optimizer.iterations) == 1


def test_fit_accepts_clip_label_pairs():
    gan = tiny_gan()
    dataset = tf.data.Dataset.from_tensor_slices((clips(), np.arange(4))).batch(2)
    history = gan.fit(dataset, epochs=1, verbose=0)
    assert np.isfinite(history.history["d_loss"][-1])


def test_save_and_load_continues_training_exactly(tmp_path):
    batch = clips(2)
    dataset = tf.data.Dataset.from_tensors(batch).repeat()
    gan = tiny_gan()
    gan.fit(dataset, epochs=1, steps_per_epoch=2, verbose=0)
    gan.save(tmp_path / "run.keras")
    restored = keras.models.load_model(tmp_path / "run.keras")

    assert isinstance(restored, VideoGAN)
    assert int(restored.g_optimizer.iterations) == 2
    for a, b in zip(gan.g_optimizer.variables + gan.d_optimizer.variables,
                    restored.g_optimizer.variables + restored.d_optimizer.variables):
        np.testing.assert_array_equal(a.numpy(), b.numpy())

    gan.fit(dataset, epochs=1, steps_per_epoch=1, verbose=0)
    restored.fit(dataset, epochs=1, steps_per_epoch=1, verbose=0)
    for a, b in zip(gan.variables, restored.variables):
        np.testing.assert_allclose(a.numpy(), b.numpy(), atol=1e-5, err_msg=a.path)
    # The step really moved the weights, so the equality above is not trivial.
    assert not np.allclose(weights(gan.generator)[0], keras.models.load_model(tmp_path / "run.keras").generator.trainable_variables[0].numpy())


def test_generate_returns_uint8_videos_reproducibly():
    gan = tiny_gan()
    videos = gan.generate(3, seed=5)
    assert videos.dtype == np.uint8 and videos.shape == (3, FRAMES, SIZE, SIZE, 3)
    np.testing.assert_array_equal(videos, gan.generate(3, seed=5))
    assert not np.array_equal(videos, gan.generate(3, seed=6))


def test_calling_the_model_runs_the_generator():
    gan = tiny_gan()
    z = gan.latents(2, seed=0)
    np.testing.assert_allclose(gan(z), gan.generator(z, training=False), atol=1e-6)


def test_mismatched_networks_are_refused():
    generator = dcgan3d.build_generator(LATENT, FRAMES, SIZE, filters=16)
    discriminator = dcgan3d.build_discriminator(FRAMES * 2, SIZE, filters=8)
    with pytest.raises(ValueError, match="discriminator expects"):
        VideoGAN(generator, discriminator)


def test_compile_does_not_leave_a_placeholder_optimizer():
    gan = tiny_gan()
    assert gan.optimizer is None


def test_an_uncompiled_gan_saves_and_loads_its_networks(tmp_path):
    gan = build_video_gan("dcgan3d", LATENT, FRAMES, SIZE, g_filters=16, d_filters=8, seed=0)
    gan.save(tmp_path / "raw.keras")
    restored = keras.models.load_model(tmp_path / "raw.keras")
    np.testing.assert_array_equal(restored.generate(2, seed=1), gan.generate(2, seed=1))
