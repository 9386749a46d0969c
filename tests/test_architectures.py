"""Every architecture trains with every loss, and saves and loads whole."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_vidgen import losses
from keras_vidgen.models import ARCHITECTURES, VideoGAN, build_video_gan

FRAMES, SIZE, LATENT = 4, 16, 8


def tiny(arch, seed=0, **options):
    keras.utils.set_random_seed(seed)
    return build_video_gan(arch, LATENT, FRAMES, SIZE, g_filters=32, d_filters=8, seed=seed, **options)


def clips(count=2):
    rng = np.random.default_rng(0)
    return rng.uniform(-1, 1, (count, FRAMES, SIZE, SIZE, 3)).astype("float32")


def judged(gan, videos):
    """The discriminator's inputs for `videos`: a sparse-frame one judges its first frames."""
    if not gan.sparse_frames:
        return videos
    count = gan.sparse_frames
    times = np.tile(np.arange(count, dtype="float32"), (len(videos), 1))
    return {"video": videos[:, :count], "times": times}


def kernels(model):
    return [v.numpy().copy() for v in model.trainable_variables if v.path.endswith("kernel")]


@pytest.mark.parametrize("loss", sorted(losses.LOSSES))
@pytest.mark.parametrize("arch", sorted(ARCHITECTURES))
def test_each_architecture_trains_with_each_loss(arch, loss):
    gan = tiny(arch)
    # One eager step: the graph path is exercised by the round trip below; tracing twenty
    # train steps would dominate the suite's time.
    gan.compile(g_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5),
                d_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5), loss=loss, run_eagerly=True)
    g_before, d_before = kernels(gan.generator), kernels(gan.discriminator)
    history = gan.fit(tf.data.Dataset.from_tensors(clips()), epochs=1, verbose=0).history
    assert all(np.isfinite(values[-1]) for values in history.values()), history
    assert all(not np.array_equal(a, b) for a, b in zip(g_before, kernels(gan.generator)))
    assert all(not np.array_equal(a, b) for a, b in zip(d_before, kernels(gan.discriminator)))
    videos = gan(gan.latents(2, seed=0))
    assert videos.shape == (2, FRAMES, SIZE, SIZE, 3)
    assert float(tf.reduce_max(tf.abs(videos))) <= 1.0


@pytest.mark.parametrize("arch", sorted(ARCHITECTURES))
def test_each_architecture_saves_and_loads_with_its_training_state(arch, tmp_path):
    gan = tiny(arch, spectral_norm=True, ema_decay=0.9)
    gan.compile(g_optimizer="adam", d_optimizer="adam", loss="hinge", augment="translation")
    gan.fit(tf.data.Dataset.from_tensors(clips()).repeat(), epochs=1, steps_per_epoch=2, verbose=0)
    gan.save(tmp_path / "gan.keras")
    restored = keras.models.load_model(tmp_path / "gan.keras")
    assert isinstance(restored, VideoGAN) and restored.name == f"{arch}_gan"
    assert len(restored.variables) == len(gan.variables)
    for a, b in zip(gan.variables + gan.g_optimizer.variables + gan.d_optimizer.variables,
                    restored.variables + restored.g_optimizer.variables + restored.d_optimizer.variables):
        if "seed_generator" in a.path:
            continue  # Keras's GRU keeps an unsaved dropout seed; its dropout is 0 here.
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=a.path)
    np.testing.assert_array_equal(restored.generate(2, seed=1), gan.generate(2, seed=1))
    for a, b in zip(tf.nest.flatten(gan.discriminator(judged(gan, clips()))),
                    tf.nest.flatten(restored.discriminator(judged(gan, clips())))):
        np.testing.assert_allclose(a, b, atol=1e-6)
