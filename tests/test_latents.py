import numpy as np
import pytest
import tensorflow as tf

from keras_vidgen.latents import seeded_latents, slerp
from keras_vidgen.models import build_video_gan


def test_seeded_latents_are_reproducible_and_prefix_stable():
    first = seeded_latents(5, 8, seed=3).numpy()
    assert first.shape == (5, 8) and first.dtype == np.float32
    np.testing.assert_array_equal(first, seeded_latents(5, 8, seed=3).numpy())
    np.testing.assert_array_equal(first[:2], seeded_latents(2, 8, seed=3).numpy())
    assert not np.allclose(first, seeded_latents(5, 8, seed=4).numpy())


def test_seeded_latents_are_standard_normal():
    z = seeded_latents(500, 16, seed=0).numpy()
    assert abs(z.mean()) < 0.05 and abs(z.std() - 1) < 0.05


def test_seeded_latents_are_the_same_in_a_graph_with_tensor_arguments():
    graph = tf.function(lambda num, seed: seeded_latents(num, 8, seed))
    np.testing.assert_array_equal(
        graph(tf.constant(3, tf.int32), tf.constant(11, tf.int64)).numpy(),
        seeded_latents(3, 8, seed=11).numpy(),
    )


def test_video_gan_latents_are_the_seeded_latents():
    gan = build_video_gan("dcgan3d", 8, 4, 16, g_filters=16, d_filters=8, seed=0)
    np.testing.assert_array_equal(gan.latents(3, seed=7), seeded_latents(3, 8, seed=7).numpy())


def test_slerp_starts_and_ends_at_the_latents_and_keeps_their_norm():
    a, b = seeded_latents(2, 64, seed=0).numpy()
    b = b / np.linalg.norm(b) * np.linalg.norm(a)  # same norm: the walk must keep it
    walk = slerp(a, b, steps=7)
    assert walk.shape == (7, 64)
    np.testing.assert_allclose(walk[0], a, atol=1e-5)
    np.testing.assert_allclose(walk[-1], b, atol=1e-5)
    # A straight line between two near-orthogonal latents dips to ~71% of their norm midway.
    np.testing.assert_allclose(np.linalg.norm(walk, axis=1), np.linalg.norm(a), rtol=1e-4)


def test_slerp_of_parallel_latents_walks_straight():
    a = np.ones(4, np.float32)
    np.testing.assert_allclose(slerp(a, 2 * a, steps=3)[1], 1.5 * a, atol=1e-6)


def test_slerp_needs_two_steps():
    with pytest.raises(ValueError, match="at least 2 steps"):
        slerp(np.ones(2), np.zeros(2), steps=1)
