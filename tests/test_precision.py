import dataclasses

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_vidgen.config import preset
from keras_vidgen.train import build_model


def tiny(**overrides):
    return dataclasses.replace(preset("tiny"), **overrides)


def fit_once(model):
    clips = tf.data.Dataset.from_tensors(np.zeros((2, 4, 16, 16, 3), np.float32)).repeat()
    return model.fit(clips, epochs=1, steps_per_epoch=2, verbose=0).history


@pytest.mark.parametrize("policy", ["mixed_bfloat16", "mixed_float16"])
def test_mixed_precision_computes_in_16_bits_and_trains(policy):
    model = build_model(tiny(mixed_precision=policy))
    assert keras.mixed_precision.global_policy().name == "float32"  # not leaked
    conv = model.discriminator.get_layer("down0_sn")
    assert conv.compute_dtype == policy.split("_")[1] and conv.variable_dtype == "float32"
    assert model.generator.output.dtype == "float32"  # outputs and losses stay float32
    scaled = isinstance(model.g_optimizer, keras.optimizers.LossScaleOptimizer)
    assert scaled == (policy == "mixed_float16")
    history = fit_once(model)
    assert all(np.isfinite(values[-1]) for values in history.values())


@pytest.mark.parametrize("policy", ["mixed_bfloat16", "mixed_float16"])
def test_stylegan_v_trains_in_16_bits_with_its_phases_in_float32(policy):
    # Phases of several radians lose their fractions in 16 bits (a step of 2^-8 at 2 pi in
    # float16): the motion code and the plane waves compute in float32, the rest in 16 bits.
    config = tiny(mixed_precision=policy).updated(
        {"model.arch": "stylegan-v", "model.fourier_features": 2}).check()
    model = build_model(config)
    assert model.generator.get_layer("synthesis0_0").compute_dtype == policy.split("_")[1]
    for name in ("motion", "fourier_features"):
        layer = model.generator.get_layer(name)
        assert layer.compute_dtype == "float32" and layer.output.dtype == "float32", name
    history = fit_once(model)
    assert all(np.isfinite(values[-1]) for values in history.values())


@pytest.mark.parametrize("policy", ["mixed_bfloat16", "mixed_float16"])
def test_a_sprite_moves_in_float32_under_16_bit_training(policy):
    # A sprite's place is a fraction of a pixel: in float16 a shift near 64 moves in 1/32 steps.
    config = tiny(mixed_precision=policy).updated(
        {"model.arch": "stylegan-v", "model.still_background": True,
         "model.sprite_foreground": True}).check()
    model = build_model(config)
    for name in ("moved_sprite", "moved_sprite_mask"):
        layer = model.generator.get_layer(name)
        assert layer.compute_dtype == "float32" and layer.output.dtype == "float32", name
    history = fit_once(model)
    assert all(np.isfinite(values[-1]) for values in history.values())


def test_jit_compile_is_passed_through_and_defaults_to_auto():
    assert build_model(tiny()).jit_compile is False  # "auto" resolves to off on CPU
    assert build_model(tiny(jit_compile=True)).jit_compile is True
