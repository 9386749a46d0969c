"""`StridedConv3DTranspose` is `Conv3DTranspose` computed another way: same outputs and gradients."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_vidgen import onednn
from keras_vidgen.layers import StridedConv3DTranspose
from test_strided_conv3d import outputs_and_gradients

CASES = [
    # (input shape without batch, filters, kernel, strides): the generators' last stages ...
    ((4, 8, 8, 6), 3, (4, 4, 4), (2, 2, 2)),
    ((3, 8, 8, 6), 1, (3, 4, 4), (1, 2, 2)),
    ((5, 4, 4, 6), 3, (1, 4, 4), (1, 2, 2)),
    # ... and a hidden stage, which keeps Conv3DTranspose's own op.
    ((4, 8, 8, 6), 16, (4, 4, 4), (2, 2, 2)),
]


def pair(input_shape, filters, kernel, strides):
    rewritten = StridedConv3DTranspose(filters, kernel, strides=strides, padding="same")
    plain = keras.layers.Conv3DTranspose(filters, kernel, strides=strides, padding="same")
    for layer in (rewritten, plain):
        layer.build((None, *input_shape))
    rng = np.random.default_rng(0)
    weights = [rng.normal(size=w.shape).astype("float32") for w in plain.get_weights()]
    rewritten.set_weights(weights)
    plain.set_weights(weights)
    return rewritten, plain


@pytest.mark.parametrize("onednn_on", [False, True], ids=["eigen", "onednn"])
@pytest.mark.parametrize("input_shape, filters, kernel, strides", CASES)
def test_outputs_and_gradients_equal_conv3d_transpose(monkeypatch, onednn_on, input_shape, filters,
                                                       kernel, strides):
    monkeypatch.setattr(onednn, "enabled", lambda: onednn_on)
    rewritten, plain = pair(input_shape, filters, kernel, strides)
    assert rewritten._rewrite_applies() == (not onednn_on and filters <= 4)
    clips = np.random.default_rng(1).uniform(-1, 1, (2, *input_shape)).astype("float32")
    for got, want in zip(outputs_and_gradients(rewritten, clips), outputs_and_gradients(plain, clips)):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=2e-5 * np.abs(want).max())


def test_survives_save_and_load(tmp_path):
    codes = keras.Input((2, 4, 4, 8))
    model = keras.Model(codes, StridedConv3DTranspose(3, 4, strides=2, padding="same")(codes))
    inputs = np.random.default_rng(0).normal(size=(2, 2, 4, 4, 8)).astype("float32")
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    assert isinstance(loaded.layers[1], StridedConv3DTranspose)
    np.testing.assert_allclose(loaded(inputs), model(inputs), atol=1e-5)


def test_exports_as_core_tensorflow_ops(tmp_path, monkeypatch):
    # A SavedModel for TF Serving holds only core ops; the rewrite is pad, einsum, conv, reshape.
    monkeypatch.setattr(onednn, "enabled", lambda: False)
    codes = keras.Input((2, 4, 4, 8))
    model = keras.Model(codes, StridedConv3DTranspose(3, 4, strides=2, padding="same")(codes))
    model.export(str(tmp_path / "saved"), verbose=False)
    inputs = np.ones((1, 2, 4, 4, 8), "float32")
    loaded = tf.saved_model.load(str(tmp_path / "saved"))  # kept: its variables live with it
    np.testing.assert_allclose(loaded.serve(inputs), model(inputs), atol=1e-5)
