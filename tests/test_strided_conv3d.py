"""`StridedConv3D` is `Conv3D` computed another way: same outputs and gradients, any path taken."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_vidgen import onednn
from keras_vidgen.layers import SpectralNorm, StridedConv3D
from keras_vidgen.layers.strided_conv3d import space_to_depth

CASES = [
    # (input shape without batch, filters, kernel, strides): the discriminators' stages ...
    ((8, 16, 16, 3), 5, (4, 4, 4), (2, 2, 2)),
    ((4, 8, 8, 6), 7, (3, 4, 4), (1, 2, 2)),
    ((5, 8, 8, 6), 7, (1, 4, 4), (1, 2, 2)),
    # ... and ones the rewrite does not apply to (odd length, kernel not a multiple of the stride).
    ((5, 8, 8, 3), 4, (4, 4, 4), (2, 2, 2)),
    ((4, 8, 8, 3), 4, (3, 3, 3), (2, 2, 2)),
]


def pair(input_shape, filters, kernel, strides, seed=0):
    """A StridedConv3D and a Conv3D holding the same weights."""
    strided = StridedConv3D(filters, kernel, strides=strides, padding="same")
    plain = keras.layers.Conv3D(filters, kernel, strides=strides, padding="same")
    for layer in (strided, plain):
        layer.build((None, *input_shape))
    rng = np.random.default_rng(seed)
    weights = [rng.normal(size=w.shape).astype("float32") for w in plain.get_weights()]
    strided.set_weights(weights)
    plain.set_weights(weights)
    return strided, plain


def outputs_and_gradients(layer, clips):
    clips = tf.constant(clips)
    with tf.GradientTape() as tape:
        tape.watch(clips)
        out = layer(clips)
        loss = tf.reduce_sum(out * tf.cos(out))  # not linear, so the gradient depends on out
    return [out, *tape.gradient(loss, [clips, *layer.trainable_variables])]


@pytest.mark.parametrize("onednn_on", [False, True], ids=["eigen", "onednn"])
@pytest.mark.parametrize("input_shape, filters, kernel, strides", CASES)
def test_outputs_and_gradients_equal_conv3d(monkeypatch, onednn_on, input_shape, filters, kernel, strides):
    # The rewrite is chosen from the oneDNN state: check both choices on this machine.
    monkeypatch.setattr(onednn, "enabled", lambda: onednn_on)
    strided, plain = pair(input_shape, filters, kernel, strides)
    clips = np.random.default_rng(1).uniform(-1, 1, (2, *input_shape)).astype("float32")
    for got, want in zip(outputs_and_gradients(strided, clips), outputs_and_gradients(plain, clips)):
        # Sums of up to 4*4*4*6 products, reordered: float32 round-off relative to the largest
        # value (a wrong tap or channel order is off by the values themselves).
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=2e-5 * np.abs(want).max())


def test_the_rewrite_is_taken_without_onednn_and_for_thin_inputs_with_it(monkeypatch):
    strided, _ = pair((8, 16, 16, 3), 4, (4, 4, 4), (2, 2, 2))
    for state, channels, expected in [(False, 3, True), (False, 64, True), (True, 3, True),
                                      (True, 64, False)]:
        monkeypatch.setattr(onednn, "enabled", lambda state=state: state)
        assert strided._rewrite_applies((None, 8, 16, 16, channels)) is expected
    assert not strided._rewrite_applies((None, 7, 16, 16, 3))  # odd length: Conv3D's own op


def test_space_to_depth_folds_each_block_into_channels_in_order():
    video = np.arange(2 * 4 * 4 * 1, dtype="float32").reshape(1, 2, 4, 4, 1)
    folded = np.asarray(space_to_depth(video, (2, 2, 2)))
    assert folded.shape == (1, 1, 2, 2, 8)
    # The block at (h, w) = (0, 1): frames 0 and 1, rows 0-1, columns 2-3, time-major.
    np.testing.assert_array_equal(folded[0, 0, 0, 1], [2, 3, 6, 7, 18, 19, 22, 23])


def test_works_under_spectral_norm_and_survives_save_and_load(tmp_path):
    video = keras.Input((4, 8, 8, 3))
    model = keras.Model(video, SpectralNorm(StridedConv3D(4, 4, strides=2, padding="same"))(video))
    clips = np.random.default_rng(0).normal(size=(2, 4, 8, 8, 3)).astype("float32")
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    assert isinstance(loaded.layers[1].layer, StridedConv3D)
    np.testing.assert_allclose(loaded(clips), model(clips), atol=1e-5)
