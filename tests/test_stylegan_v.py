"""stylegan-v: continuous time is exact, sparse frames are drawn as stated, any length renders,
motion neither loops nor freezes, save/load continues training identically, the export renders
a requested number of frames in plain TensorFlow, and a short run learns the tiny shapes."""

import json
import subprocess
import sys

import keras
import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from keras_vidgen import cli
from keras_vidgen.data import load_clip, make_moving_shapes, read_manifest
from keras_vidgen.config import TrainConfig
from keras_vidgen.errors import ConfigError
from keras_vidgen.export import export_generator
from keras_vidgen.layers import FourierFeatures, MotionCode
from keras_vidgen.models import build_video_gan, stylegan_v
from keras_vidgen.models.stylegan_v import MOTION_MIN_PERIOD
from keras_vidgen.models.time_sampling import sparse_frame_indices

FRAMES, SIZE, LATENT = 8, 16, 16


def tiny_gan(seed=0, **options):
    keras.utils.set_random_seed(seed)
    return build_video_gan("stylegan-v", LATENT, FRAMES, SIZE, g_filters=32, d_filters=8,
                           seed=seed, **options)


def compiled(gan, **options):
    gan.compile(g_optimizer=keras.optimizers.Adam(1e-3, 0.0, 0.9),
                d_optimizer=keras.optimizers.Adam(1e-3, 0.0, 0.9), **options)
    return gan


def random_clips(count=4):
    return np.random.default_rng(0).uniform(-1, 1, (count, FRAMES, SIZE, SIZE, 3)).astype("float32")


@pytest.mark.parametrize("options", [
    {},
    {"still_background": True, "sprite_foreground": True},
    # `base`'s generator: the sprite over a background drawn with output skips and plane waves.
    {"still_background": True, "sprite_foreground": True, "output_skips": True, "fourier_features": 4},
])
def test_a_frame_does_not_depend_on_the_other_times_or_videos_rendered_with_it(options):
    gan = tiny_gan(**options)
    z = gan.latents(3, seed=0)
    times = np.array([0.0, 2.5, 7.0, 40.0])
    together = gan.render(z, frames=times).numpy()
    for index, time in enumerate(times):
        alone = gan.render(z, frames=np.array([time])).numpy()[:, 0]
        np.testing.assert_allclose(together[:, index], alone, atol=1e-5)
    np.testing.assert_allclose(gan.render(z[1:2], frames=times).numpy()[0], together[1], atol=1e-5)
    # Different times are different frames (the check above is not passing on constants).
    assert np.abs(together[:, 0] - together[:, 3]).mean() > 0.1 * np.abs(together).mean() > 0


def test_with_output_skips_each_stage_adds_its_rgb_to_the_up_sampled_image_of_the_coarser_ones():
    gan = tiny_gan(output_skips=True)  # 16x16: a 4x4 base, then stages at 8x8 and 16x16
    generator = gan.generator
    inputs = {"z": gan.latents(2, seed=0), "times": np.array([[0.0, 3.0]] * 2, "float32")}
    coarser = keras.Model(generator.inputs, generator.get_layer("rgb0").output)(inputs)
    assert tuple(coarser.shape) == (4, 8, 8, 3)  # 2 videos x 2 frames, folded
    expected = keras.layers.UpSampling2D(interpolation="bilinear")(coarser).numpy().reshape(2, 2, 16, 16, 3)
    finest = generator.get_layer("to_rgb")
    assert not np.allclose(generator(inputs).numpy(), expected, atol=1e-4)
    # Without the finest stage's own RGB, the frames are the coarser image up-sampled.
    for weight in finest.trainable_weights:
        weight.assign(np.zeros(weight.shape, "float32"))
    np.testing.assert_allclose(generator(inputs).numpy(), expected, atol=1e-5)


def test_build_video_gan_names_an_option_it_does_not_have():
    with pytest.raises(TypeError, match=r"unexpected keyword arguments \['join_size'\].*'d_join_size'"):
        build_video_gan("stylegan-v", LATENT, FRAMES, SIZE, g_filters=32, d_filters=8, join_size=16)


def test_every_continuous_time_option_reaches_its_builder():
    """The routing table sends each option to the network that has it (a wrong route raises
    TypeError in the builder; a dropped option would leave the default)."""
    gan = build_video_gan("stylegan-v", LATENT, FRAMES, SIZE, g_filters=32, d_filters=8,
                          output_skips=True, mapping_layers=3, mapping_lr_multiplier=0.01,
                          motion_spacing=32.0, sparse_frames=2, d_join_size=8, fourier_features=4,
                          d_stddev_group=8, d_stddev_features=2, still_background=True,
                          background_filters=16, cover_change_weight=2.0, cover_change_from=100,
                          sparse_max_distance=4, background_gate=True)
    assert gan.sparse_max_distance == 4
    names = {layer.name for layer in gan.generator.layers}
    assert {"background_to_rgb_base", "mapping2", "fourier_features", "background_to_rgb"} <= names
    assert "mapping3" not in names
    assert type(gan.generator.get_layer("mapping0")).__name__ == "ScaledDense"
    assert gan.discriminator.input["times"].shape[-1] == 2
    assert gan.discriminator.get_layer("joined_frames").output.shape[1:3] == (8, 8)
    stddev = gan.discriminator.get_layer("minibatch_stddev")
    assert (stddev.group_size, stddev.num_features) == (8, 2)
    assert gan.generator.get_layer("background_synthesis_base").output.shape[-1] == 16
    assert gan.generator.get_layer("mask_cover_change_penalty").weight == 2.0
    assert gan.generator.get_layer("mask_cover_change_penalty").ramp == (100, 200)
    assert gan.generator.get_layer("motion").spacing == 32.0
    assert "background_gated_detail" in names


@pytest.mark.parametrize("option, value", [("output_skips", True), ("sparse_frames", 2),
                                           ("sparse_max_distance", 8),
                                           ("mapping_layers", 8), ("mapping_lr_multiplier", 0.01),
                                           ("motion_spacing", 32.0),
                                           ("d_join_size", 16), ("fourier_features", 8),
                                           ("d_stddev_group", 8), ("d_stddev_features", 2),
                                           ("still_background", True), ("background_filters", 16),
                                           ("cover_change_weight", 1.0), ("cover_change_from", 100),
                                           ("sprite_foreground", True), ("background_gate", True)])
def test_the_continuous_time_options_are_stylegan_vs_alone(option, value):
    with pytest.raises(ConfigError, match=f"model.{option}={value} is an option of the "
                       "continuous-time architectures.*model.arch='dcgan3d' is not one"):
        build_video_gan("dcgan3d", LATENT, FRAMES, SIZE, g_filters=32, d_filters=8, **{option: value})
    config = TrainConfig.from_dict({"model": {"arch": "dcgan3d", option: value}})
    with pytest.raises(ConfigError, match=f"model.{option}={value}"):
        config.check()
    config = TrainConfig.from_dict({"model": {"arch": "stylegan-v", option: value,
                                              "task": "predict", "observed": 4}})
    with pytest.raises(ConfigError, match=f"model.{option}={value} is not supported with model.task='predict'"):
        config.check()


def test_the_plane_waves_are_one_per_video_and_turn_with_its_code():
    """The waves come from the content code alone, so every frame of a video gets the same ones
    (whatever its time) and another video's turn and shift differently once the code moves them."""

    layer = FourierFeatures(4, max_cycles=3.0)
    features = np.zeros((3, 16, 16, 2), "float32")
    style = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]], "float32")
    out = keras.ops.convert_to_numpy(layer([features, style]))
    assert out.shape == (3, 16, 16, 10) and np.allclose(out[..., :2], 0)
    assert np.allclose(out[0], out[2])  # a zero-initialised transform: the fixed bank for all
    # sin^2 + cos^2 = 1: each channel pair is one plane wave.
    assert np.allclose(out[..., 2:6] ** 2 + out[..., 6:] ** 2, 1, atol=1e-5)
    kernel, bias = layer.transform.get_weights()
    layer.transform.set_weights([np.array([[0.3, 0.1, 0.0], [0.0, 0.0, 0.0]], "float32"), bias])
    moved = keras.ops.convert_to_numpy(layer([features, style]))
    assert np.allclose(moved[0], moved[1]) and not np.allclose(moved[0], moved[2], atol=1e-3)
    assert np.allclose(moved[2], out[2])  # the code that does not move them


def test_a_generator_with_plane_waves_renders_each_time_exactly_and_reloads(tmp_path):
    generator = stylegan_v.build_generator(LATENT, FRAMES, SIZE, filters=32, fourier_features=4)
    assert generator.get_layer("fourier_features").output.shape[1] == min(stylegan_v.FOURIER_SIZE, SIZE)
    z = keras.random.normal((2, LATENT), seed=1)
    together = generator({"z": z, "times": keras.ops.convert_to_tensor([[0.0, 3.0, 7.0], [1.0, 2.0, 9.0]])})
    alone = generator({"z": z, "times": keras.ops.convert_to_tensor([[7.0], [9.0]])})
    np.testing.assert_allclose(keras.ops.convert_to_numpy(together)[:, 2], keras.ops.convert_to_numpy(alone)[:, 0], atol=1e-5)
    generator.save(tmp_path / "g.keras")
    reloaded = keras.models.load_model(tmp_path / "g.keras")
    np.testing.assert_allclose(keras.ops.convert_to_numpy(reloaded({"z": z, "times": keras.ops.convert_to_tensor([[7.0], [9.0]])})),
                               keras.ops.convert_to_numpy(alone), atol=1e-6)


def test_a_still_background_is_one_image_a_video_under_a_masked_foreground(tmp_path):
    generator = tiny_gan(still_background=True, output_skips=True, fourier_features=4).generator
    parts = keras.Model(generator.inputs, [generator.get_layer("background").output,
                                           *generator.get_layer("foreground_mask").output])
    z = np.random.default_rng(1).normal(size=(2, LATENT)).astype("float32")
    early = {"z": z, "times": np.array([[0.0, 1.0, 2.0]] * 2, "float32")}
    late = {"z": z, "times": np.array([[5.0, 9.5, 40.0]] * 2, "float32")}
    (background, mask, foreground), (late_background, late_mask, _) = parts(early), parts(late)
    assert tuple(background.shape) == (2, 1, SIZE, SIZE, 3)
    np.testing.assert_allclose(late_background, background, atol=1e-6)  # the same at every time
    assert np.abs(background[0] - background[1]).mean() > 1e-3  # and its own for each video
    assert tuple(mask.shape) == (2, 3, SIZE, SIZE, 1) and np.all((mask >= 0) & (mask <= 1))
    assert np.abs(late_mask - mask).mean() > 1e-4  # the foreground's layer moves
    np.testing.assert_allclose(generator(early), mask * foreground + (1 - mask) * background,
                               atol=1e-5)
    # The mask's priors and the layers' leashes reach the generator's losses.
    np.testing.assert_allclose(sum(generator.losses), still_background_losses(mask, foreground, background),
                               rtol=1e-5)
    # Each time is rendered exactly, and a saved generator renders the same frames.
    alone = generator({"z": z, "times": np.array([[40.0]] * 2, "float32")})
    np.testing.assert_allclose(generator(late)[:, 2], alone[:, 0], atol=1e-5)
    generator.save(tmp_path / "g.keras")
    np.testing.assert_allclose(keras.models.load_model(tmp_path / "g.keras")(late), generator(late),
                               atol=1e-6)


def still_background_losses(mask, foreground, background, cover_change_weight=0.0, floor=0.0):
    """The still background's losses, computed apart from the layers that add them: VGAN's L1
    prior and the prior against undecided values on the mask, the walls on each frame's cover
    beyond half of it and (a sprite's) below `floor`, each layer's leash, and the prior on a
    clip's cover changing."""
    mask = keras.ops.convert_to_numpy(mask)
    cover = mask.mean(axis=(2, 3, 4))  # [N, K]: each frame's share under the mask
    walls = np.maximum(cover - stylegan_v.MAX_MASK_COVER, 0.0) + np.maximum(floor - cover, 0.0)
    return (stylegan_v.MASK_PENALTY * (np.abs(mask).mean() + (mask * (1.0 - mask)).mean())
            + stylegan_v.COVER_PENALTY * walls.mean()
            + beyond_range(foreground) + beyond_range(background)
            + cover_change_weight * np.abs(cover - cover.mean(axis=1, keepdims=True)).mean())


def beyond_range(pixels):
    """`RangePenalty`'s leash on pixels: the mean squared excess over [-1, 1]."""
    return np.square(np.maximum(np.abs(keras.ops.convert_to_numpy(pixels)) - 1.0, 0.0)).mean()


def test_a_sprite_foreground_is_one_drawing_a_video_moved_by_its_motion_code(tmp_path):
    generator = tiny_gan(still_background=True, sprite_foreground=True, cover_change_weight=3.0).generator
    names = {layer.name for layer in generator.layers}
    assert {"sprite_synthesis_base", "background_synthesis_base", "moved_sprite"} <= names
    assert "synthesis_base" not in names  # no foreground drawn at each time
    drawing = keras.Model(generator.inputs, [generator.get_layer("sprite_faded_mask").output,
                                             generator.get_layer("sprite_mask").output[1]])
    parts = keras.Model(generator.inputs, [generator.get_layer("moved_sprite_mask").output,
                                           generator.get_layer("moved_sprite").output,
                                           generator.get_layer("background").output])
    z = np.random.default_rng(5).normal(size=(2, LATENT)).astype("float32")
    inputs = {"z": z, "times": np.array([[0.0, 4.0, 30.0]] * 2, "float32")}
    mask, foreground, background = parts(inputs)
    # Untrained, the motion code already moves it: each frame's mask differs.
    assert np.abs(mask[:, 0] - mask[:, 1]).mean() > 1e-4
    generator(inputs)
    np.testing.assert_allclose(sum(generator.losses),
                               still_background_losses(mask, foreground, background, cover_change_weight=3.0,
                                                       floor=stylegan_v.MIN_MASK_COVER),
                               rtol=1e-5)
    # A path held at 2 pixels down and 3 left: every frame is the clip's one drawing, moved so
    # (the raw shift that the path's sine bound bends to those).
    reach = stylegan_v.PATH_REACH * SIZE
    shift = generator.get_layer("shift")
    shift.set_weights([np.zeros_like(shift.kernel.numpy()),
                       reach * np.arcsin(np.array([2.0, -3.0], "float32") / reach) / (stylegan_v.SHIFT_SCALE * SIZE)])
    sprite_mask, sprite = (keras.ops.convert_to_numpy(part) for part in drawing(inputs))
    mask, foreground, background = (keras.ops.convert_to_numpy(part) for part in parts(inputs))
    expected_mask, expected_colour = np.zeros_like(sprite_mask), np.zeros_like(sprite)
    expected_mask[:, 2:, :-3], expected_colour[:, 2:, :-3] = sprite_mask[:, :-2, 3:], sprite[:, :-2, 3:]
    # The drawing's mask fades out at its canvas's borders: its edge never shows as a line.
    assert np.abs(sprite_mask[:, 0]).max() < 0.25 * np.abs(sprite_mask).max()
    for frame in range(3):
        np.testing.assert_allclose(mask[:, frame], expected_mask, atol=1e-5)
        np.testing.assert_allclose(foreground[:, frame], expected_colour, atol=1e-5)
    np.testing.assert_allclose(generator(inputs), mask * foreground + (1 - mask) * background, atol=1e-5)
    generator.save(tmp_path / "g.keras")
    np.testing.assert_allclose(keras.models.load_model(tmp_path / "g.keras")(inputs), generator(inputs),
                               atol=1e-6)
    # However far the raw path runs, the bound keeps the shift within its reach of the centre.
    shift.set_weights([np.ones_like(shift.kernel.numpy()), np.array([40.0, -25.0], "float32")])
    shifts = keras.Model(generator.inputs, generator.get_layer("bounded_shifts").output)(inputs)
    assert np.abs(keras.ops.convert_to_numpy(shifts)).max() <= reach + 1e-4
    with pytest.raises(ConfigError, match="model.sprite_foreground=True is an option of the still "
                       "background.*model.still_background=False there is none"):
        tiny_gan(sprite_foreground=True)


def test_a_gated_background_is_flat_at_a_closed_gate_and_its_gain_must_decide():
    generator = tiny_gan(still_background=True, sprite_foreground=True, output_skips=True, fourier_features=4,
                         background_gate=True).generator
    inputs = {"z": np.random.default_rng(3).normal(size=(3, LATENT)).astype("float32"),
              "times": np.array([[0.0, 3.0]] * 3, "float32")}
    background = keras.Model(generator.inputs, generator.get_layer("background").output)
    gain = generator.get_layer("background_detail_gain")

    def spread():
        """Each clip's background: its pixels' largest distance from their mean, per channel."""
        drawn = keras.ops.convert_to_numpy(background(inputs))
        return np.abs(drawn - drawn.mean(axis=(2, 3), keepdims=True)).max(axis=(1, 2, 3, 4))

    kernel = np.zeros_like(gain.kernel.numpy())
    gain.set_weights([kernel, np.array([-30.0], "float32")])
    assert spread().max() < 1e-5
    gain.set_weights([kernel, np.array([30.0], "float32")])
    assert spread().min() > 1e-3  # open: the network's own detail (the check above is not passing on a flat network)
    # Halfway, the gain pays the undecided prior's most: 0.25 at the mask's weight.
    gain.set_weights([kernel, np.array([0.0], "float32")])
    penalty = generator.get_layer("background_gain_undecided_penalty")
    assert penalty.weight == stylegan_v.MASK_PENALTY
    np.testing.assert_allclose(float(keras.ops.convert_to_numpy(penalty.penalty(gain(np.zeros((1, LATENT)))))),
                               0.25, rtol=1e-6)
    with pytest.raises(ConfigError, match="model.background_gate=True is an option of the still background"):
        tiny_gan(background_gate=True)


def test_a_sprite_whose_mask_vanishes_pays_the_cover_floor():
    generator = tiny_gan(still_background=True, sprite_foreground=True).generator
    inputs = {"z": np.random.default_rng(6).normal(size=(2, LATENT)).astype("float32"),
              "times": np.array([[0.0, 3.0]] * 2, "float32")}
    mask = keras.Model(generator.inputs, generator.get_layer("moved_sprite_mask").output)
    generator(inputs)
    assert keras.ops.convert_to_numpy(mask(inputs)).mean() > stylegan_v.MIN_MASK_COVER  # untrained: free
    # The mask is the last channel of the sprite's RGB layer: a large negative bias empties it,
    # the L1 prior's pull taken to its end.
    to_rgb = generator.get_layer("sprite_to_rgb")
    weights = to_rgb.get_weights()
    weights[1][-1] = -30.0
    to_rgb.set_weights(weights)
    generator(inputs)
    assert keras.ops.convert_to_numpy(mask(inputs)).max() < 1e-6
    # The floor's whole share at the wall's weight, beside the layers' leashes (nothing from the
    # mask's other priors, nothing from its upper wall).
    layers = keras.Model(generator.inputs, [generator.get_layer(name).output
                                            for name in ("foreground_range", "background_range")])
    leashes = sum(beyond_range(part) for part in layers(inputs))
    np.testing.assert_allclose(float(sum(generator.losses)),
                               stylegan_v.COVER_PENALTY * stylegan_v.MIN_MASK_COVER + leashes, rtol=1e-4)


def test_a_still_backgrounds_layers_are_pixels_leashed_to_the_frames_range():
    generator = tiny_gan(still_background=True, output_skips=True).generator
    names = [layer.name for layer in generator.layers]
    # The foreground's colour comes from its finest stage alone; the background keeps its skips.
    assert "rgb0" not in names and "background_rgb0" in names
    parts = keras.Model(generator.inputs, [*generator.get_layer("foreground_mask").output,
                                           generator.get_layer("background").output])
    inputs = {"z": np.random.default_rng(2).normal(size=(2, LATENT)).astype("float32"),
              "times": np.array([[0.0, 3.0]] * 2, "float32")}
    # A foreground drawn 5x too bright costs its excess over [-1, 1], beside the mask's prior.
    to_rgb = generator.get_layer("to_rgb")
    to_rgb.set_weights([weight * 5.0 for weight in to_rgb.get_weights()])
    mask, foreground, background = parts(inputs)
    generator(inputs)
    assert beyond_range(foreground) > 1e-3
    np.testing.assert_allclose(sum(generator.losses), still_background_losses(mask, foreground, background),
                               rtol=1e-5)


def test_a_mask_whose_cover_changes_within_a_clip_pays_the_cover_change_prior():
    generator = tiny_gan(still_background=True, cover_change_weight=3.0).generator
    parts = keras.Model(generator.inputs, [*generator.get_layer("foreground_mask").output,
                                           generator.get_layer("background").output])
    inputs = {"z": np.random.default_rng(4).normal(size=(2, LATENT)).astype("float32"),
              "times": np.array([[0.0, 3.0, 9.0]] * 2, "float32")}
    mask, foreground, background = parts(inputs)
    generator(inputs)
    cover = keras.ops.convert_to_numpy(mask).mean(axis=(2, 3, 4))
    assert np.abs(np.diff(cover, axis=1)).max() > 1e-3  # the untrained mask's cover changes
    np.testing.assert_allclose(sum(generator.losses),
                               still_background_losses(mask, foreground, background, cover_change_weight=3.0),
                               rtol=1e-5)
    with pytest.raises(ConfigError, match="model.cover_change_weight=3.0 is an option of the still "
                       "background.*model.still_background=False there is none"):
        tiny_gan(cover_change_weight=3.0)


def test_a_cover_change_prior_that_starts_late_learns_the_step_from_training(tmp_path):
    """`cover_change_from`: off until that step, full at twice it; `fit` tells the layer the step,
    and a saved model goes on from the step it had reached."""
    gan = compiled(tiny_gan(still_background=True, cover_change_weight=3.0, cover_change_from=2))
    prior = gan.generator.get_layer("mask_cover_change_penalty")
    assert (prior.weight, prior.ramp) == (3.0, (2, 4))
    assert float(prior.weight_now()) == 0.0
    gan.fit(random_clips(6), batch_size=2, epochs=1, verbose=0)
    assert float(prior.step) == 3.0 and float(prior.weight_now()) == pytest.approx(1.5)
    gan.save(tmp_path / "gan.keras")
    loaded = keras.models.load_model(tmp_path / "gan.keras").generator.get_layer("mask_cover_change_penalty")
    assert (loaded.ramp, float(loaded.step)) == ((2, 4), 3.0)
    with pytest.raises(ConfigError, match="model.cover_change_from=2 says when the prior.*"
                       "model.cover_change_weight=None turns that prior off"):
        tiny_gan(still_background=True, cover_change_from=2)


def test_a_still_backgrounds_mask_over_the_whole_frame_pays_the_cover_wall():
    generator = tiny_gan(still_background=True).generator
    inputs = {"z": np.random.default_rng(3).normal(size=(2, LATENT)).astype("float32"),
              "times": np.array([[0.0, 3.0]] * 2, "float32")}
    generator(inputs)
    uncovered = float(sum(generator.losses))
    # The mask is the last channel of the foreground's RGB layer: a large bias turns it over
    # every pixel, the layers' swapped roles.
    to_rgb = generator.get_layer("to_rgb")
    weights = to_rgb.get_weights()
    weights[1][-1] = 30.0
    to_rgb.set_weights(weights)
    generator(inputs)
    # Half a frame's excess at the wall's weight, beside the L1 prior's 0.1 on a mask of ones.
    expected = stylegan_v.COVER_PENALTY * (1.0 - stylegan_v.MAX_MASK_COVER) + stylegan_v.MASK_PENALTY
    np.testing.assert_allclose(float(sum(generator.losses)), expected, rtol=1e-5)
    assert expected > 5 * uncovered


def test_a_narrower_still_background_draws_at_its_own_width_and_only_with_its_layers():
    generator = tiny_gan(still_background=True, background_filters=16).generator
    widths = {name: generator.get_layer(name).output.shape[-1]
              for name in ("synthesis_base", "background_synthesis_base", "synthesis0_0", "background_synthesis0_0")}
    # Each stage halves the width (at least 16); the foreground keeps the generator's.
    assert (widths["synthesis_base"], widths["background_synthesis_base"]) == (32, 16)
    assert (widths["synthesis0_0"], widths["background_synthesis0_0"]) == (16, 16)
    full = tiny_gan(still_background=True).generator
    assert generator.count_params() < full.count_params()
    with pytest.raises(ConfigError, match="model.background_filters=16 is an option of the still "
                       r"background \(its layers or its mask\), and with model.still_background=False "
                       "there is none"):
        tiny_gan(background_filters=16)


def test_output_skips_are_off_by_default():
    assert "rgb0" not in [layer.name for layer in tiny_gan().generator.layers]


def test_the_mapping_network_has_the_layers_and_learning_rate_asked_for(tmp_path):
    gan = compiled(tiny_gan(mapping_layers=4, mapping_lr_multiplier=0.01))
    mapping = [layer for layer in gan.generator.layers if layer.name.startswith("mapping")]
    assert [layer.name for layer in mapping] == [f"mapping{index}" for index in range(4)]
    before = [keras.ops.convert_to_numpy(layer.kernel) * 0.01 for layer in mapping]
    gan.fit(tf.data.Dataset.from_tensors(random_clips()).repeat(), steps_per_epoch=1, verbose=0)
    # Adam moves each stored weight by about its learning rate (1e-3) in a first step; the
    # layer's effective weights by a hundredth of that.
    moved = [np.abs(keras.ops.convert_to_numpy(layer.kernel) * 0.01 - old).max()
             for layer, old in zip(mapping, before)]
    assert max(moved) == pytest.approx(1e-5, rel=0.05)
    gan.save(tmp_path / "gan.keras")
    loaded = keras.models.load_model(tmp_path / "gan.keras")
    z = gan.latents(2, seed=0)
    np.testing.assert_allclose(loaded.render(z, frames=4).numpy(), gan.render(z, frames=4).numpy(),
                               atol=1e-5)


def test_the_discriminator_judges_as_many_frames_as_sparse_frames_says(tmp_path):
    assert tiny_gan().sparse_frames == 3  # StyleGAN-V's, by default
    gan = compiled(tiny_gan(sparse_frames=2))
    assert gan.sparse_frames == 2 and gan.discriminator.input["video"].shape[1] == 2
    real, times = gan._sparse_frames(tf.constant(random_clips()), 4)
    assert real.shape == (4, 2, SIZE, SIZE, 3) and times.shape == (4, 2)
    assert (times[:, 1] > times[:, 0]).numpy().all()
    history = gan.fit(tf.data.Dataset.from_tensors(random_clips()).repeat(), steps_per_epoch=2,
                      verbose=0).history
    assert all(np.isfinite(values[-1]) for values in history.values())
    gan.save(tmp_path / "gan.keras")
    assert keras.models.load_model(tmp_path / "gan.keras").sparse_frames == 2
    assert gan.generate(2, seed=0, frames=12).shape == (2, 12, SIZE, SIZE, 3)


def test_a_maximum_distance_keeps_the_judged_frames_near_and_survives_saving(tmp_path):
    gan = compiled(tiny_gan(sparse_max_distance=2))  # 3 frames within 2: always adjacent
    for step in range(3):
        gan.latent_seed.assign([step, 0])
        _, times = gan._sparse_frames(tf.constant(random_clips()), 4)
        np.testing.assert_array_equal(np.diff(times.numpy(), axis=1), np.ones((4, 2)))
    history = gan.fit(tf.data.Dataset.from_tensors(random_clips()).repeat(), steps_per_epoch=2,
                      verbose=0).history
    assert all(np.isfinite(values[-1]) for values in history.values())
    gan.save(tmp_path / "gan.keras")
    assert keras.models.load_model(tmp_path / "gan.keras").sparse_max_distance == 2
    # Without the limit the same seeds draw frames further apart.
    spans = compiled(tiny_gan())._sparse_frames(tf.constant(random_clips(64)), 64)[1].numpy()
    assert (spans[:, -1] - spans[:, 0]).max() > 2


def test_a_maximum_distance_must_hold_the_judged_frames():
    with pytest.raises(ValueError, match="sparse_max_distance=1 cannot hold the 3 distinct frames.*at least 2"):
        tiny_gan(sparse_max_distance=1)
    with pytest.raises(ConfigError, match=r"model.sparse_max_distance=2 cannot hold 4 distinct frames "
                       r"of a clip \(model.sparse_frames=4\): it must be at least 3"):
        TrainConfig.from_dict({"model": {"arch": "stylegan-v", "sparse_frames": 4,
                                         "sparse_max_distance": 2}}).check()
    TrainConfig.from_dict({"model": {"arch": "stylegan-v", "sparse_max_distance": 2}}).check()


def stage_names(model, prefix):
    return sorted({layer.name for layer in model.layers if layer.name.startswith(prefix)})


@pytest.mark.parametrize("join_size, alone, together", [(None, 2, 0), (8, 1, 1), (16, 0, 2)])
def test_the_discriminator_joins_its_frames_at_the_resolution_asked_for(join_size, alone, together):
    discriminator = tiny_gan(d_join_size=join_size).discriminator  # 16x16 frames: stages to 8, 4
    assert stage_names(discriminator, "frame_down") == [f"frame_down{index}" for index in range(alone)]
    assert stage_names(discriminator, "joined_down") == [f"joined_down{index}" for index in range(together)]
    assert stage_names(discriminator, "gap_channels") == (["gap_channels"] if together else [])


def test_a_discriminator_joined_early_reads_the_time_gaps_where_the_frames_meet(tmp_path):
    gan = compiled(tiny_gan(d_join_size=8, sparse_frames=2))
    discriminator = gan.discriminator
    # Without the gaps' own dense layer after the joined stages, the gaps still reach the logits:
    # through the channels beside the joined frames.
    for weight in discriminator.get_layer("gaps").trainable_weights:
        weight.assign(np.zeros(weight.shape, "float32"))
    video = random_clips(2)[:, :2]
    judge = lambda gaps: discriminator({"video": video, "times": np.array([[0.0, gaps]] * 2, "float32")})
    assert np.abs(judge(1.0).numpy() - judge(6.0).numpy()).max() > 1e-4
    history = gan.fit(tf.data.Dataset.from_tensors(random_clips()).repeat(), steps_per_epoch=2,
                      verbose=0).history
    assert all(np.isfinite(values[-1]) for values in history.values())
    gan.save(tmp_path / "gan.keras")
    loaded = keras.models.load_model(tmp_path / "gan.keras").discriminator
    times = np.array([[0.0, 3.0]] * 2, "float32")
    np.testing.assert_allclose(loaded({"video": video, "times": times}).numpy(),
                               discriminator({"video": video, "times": times}).numpy(), atol=1e-5)


def test_the_discriminator_joins_its_frames_only_at_one_of_its_resolutions():
    with pytest.raises(ConfigError, match=r"model.d_join_size=6 must be one of the discriminator's "
                       r"resolutions \[16, 8, 4\]"):
        tiny_gan(d_join_size=6)


def test_sparse_frames_must_fit_in_the_training_clips():
    model = {"arch": "stylegan-v", "sparse_frames": 5}
    TrainConfig.from_dict({"data": {"frames": 5}, "model": model}).check()
    with pytest.raises(ConfigError, match="trains on 5 frames of each clip: data.frames=4 must be at least 5"):
        TrainConfig.from_dict({"data": {"frames": 4}, "model": model}).check()
    with pytest.raises(ConfigError, match="trains on 3 frames of each clip: data.frames=2 must be "
                       "at least 3, or set model.sparse_frames=None to a count from 2"):
        TrainConfig.from_dict({"data": {"frames": 2}, "model": {"arch": "stylegan-v"}}).check()
    with pytest.raises(ConfigError, match="model.sparse_frames=1 must be at least 2"):
        TrainConfig.from_dict({"model": {"arch": "stylegan-v", "sparse_frames": 1}}).check()


def test_sparse_frames_are_distinct_in_order_and_within_the_distance():
    seed = tf.constant([1, 2], tf.int64)
    indices = sparse_frame_indices(4000, 16, 3, seed, max_distance=6).numpy()
    assert indices.shape == (4000, 3) and indices.dtype == np.int32
    assert (np.diff(indices, axis=1) > 0).all()
    assert indices.min() == 0 and indices.max() == 15
    spans = indices[:, -1] - indices[:, 0]
    assert spans.max() == 6 and spans.min() == 2  # every span from adjacent to the limit occurs
    assert set(np.unique(indices)) == set(range(16))
    whole = sparse_frame_indices(4000, 16, 3, seed).numpy()
    assert (whole[:, -1] - whole[:, 0]).max() == 15
    np.testing.assert_array_equal(sparse_frame_indices(4000, 16, 3, seed).numpy(), whole)
    with pytest.raises(ValueError, match="3 distinct frames from 2-frame clips"):
        sparse_frame_indices(2, 2, 3, seed)
    with pytest.raises(ValueError, match="within a distance of 1: use a distance of at least 2"):
        sparse_frame_indices(2, 16, 3, seed, max_distance=1)


def test_motion_neither_loops_nor_freezes_far_past_the_training_length():
    layer = MotionCode(spacing=8.0, max_period=32.0)
    z = np.random.default_rng(0).standard_normal((64, LATENT)).astype("float32")
    times = np.tile(np.arange(0, 512, 1.0, dtype="float32"), (64, 1))
    codes = layer([z, times]).numpy()  # [videos, time, channels]

    def change(window):  # how far the code moves over 16 frames, on average
        return np.abs(codes[:, window + 16] - codes[:, window]).mean()

    early, late = change(0), np.mean([change(t) for t in (200, 300, 480)])
    assert 0.5 < late / early < 2.0  # the same motion statistics at frame 480 as at frame 0
    for lag in (16, 32, 64, 128, 256):  # no period: the code never comes back to where it was
        assert np.abs(codes[:, lag:lag + 64] - codes[:, :64]).mean() > 0.3 * early


@pytest.mark.parametrize("spacing", [8.0, 32.0])
def test_the_motion_code_turns_only_at_its_anchors(spacing):
    # Between two anchors the code's noise part moves in a straight line at a steady rate, so a
    # video's motion can change pace only every `spacing` frames (model.motion_spacing).
    layer = MotionCode(spacing=spacing)
    z = np.random.default_rng(0).standard_normal((16, LATENT)).astype("float32")
    times = np.tile(np.arange(0, 96, 1.0, dtype="float32"), (16, 1))
    code = layer([z, times]).numpy()[..., :layer.code_dim]
    bend = np.abs(np.diff(code, n=2, axis=1)).max(axis=(0, 2))  # at frames 1 .. 94
    at_anchor = np.arange(1, 95) % spacing == 0
    assert bend[~at_anchor].max() < 1e-4
    assert bend[at_anchor].min() > 1e-2


def test_the_motion_codes_sines_start_slower_than_a_frame_to_frame_flip():
    # From a shortest period of 2 frames a sine flips sign every frame: an untrained code moved
    # 0.58 of its 8-frame change from one frame to the next. stylegan-v starts from 16 frames.
    z = np.random.default_rng(0).standard_normal((64, LATENT)).astype("float32")
    times = np.tile(np.arange(0, 64, 1.0, dtype="float32"), (64, 1))

    def next_frame_share(layer):  # the sines' change to the next frame over their change in 8
        sines = layer([z, times]).numpy()[..., layer.code_dim:]
        return np.abs(np.diff(sines, axis=1)).mean() / np.abs(sines[:, 8:] - sines[:, :-8]).mean()

    assert next_frame_share(MotionCode(min_period=2.0, max_period=64.0)) > 0.45
    assert next_frame_share(MotionCode(min_period=MOTION_MIN_PERIOD, max_period=64.0)) < 0.3
    generator = tiny_gan().generator
    assert generator.get_layer("motion").min_period == MOTION_MIN_PERIOD == 16


def test_a_model_trained_on_8_frames_renders_32_at_any_frame_rate():
    gan = compiled(tiny_gan(), loss="hinge")
    gan.fit(tf.data.Dataset.from_tensors(random_clips()).repeat(), steps_per_epoch=2, verbose=0)
    videos = gan.generate(2, seed=0, frames=32)
    assert videos.shape == (2, 32, SIZE, SIZE, 3) and videos.dtype == np.uint8
    assert gan(gan.latents(2, seed=0)).shape == (2, FRAMES, SIZE, SIZE, 3)
    # 4x the frame rate: every 4th frame is a frame of the 1x video.
    fast = gan.generate(2, seed=0, frames=np.arange(32) / 4)
    np.testing.assert_allclose(fast[:, ::4].astype(int), videos[:, :8].astype(int), atol=1)


def test_a_class_conditional_model_renders_each_class():
    keras.utils.set_random_seed(0)
    gan = compiled(build_video_gan("stylegan-v", LATENT, FRAMES, SIZE, 32, 8, seed=0, num_classes=2),
                   loss="hinge")
    labels = np.array([0, 1, 0, 1], "int32")
    history = gan.fit(tf.data.Dataset.from_tensors((random_clips(), labels)), verbose=0).history
    assert all(np.isfinite(values[-1]) for values in history.values())
    zeros, ones = gan.generate(2, seed=0, labels=0, frames=5), gan.generate(2, seed=0, labels=1, frames=5)
    assert zeros.shape == (2, 5, SIZE, SIZE, 3) and np.abs(zeros.astype(int) - ones).mean() > 0


def test_save_and_load_continue_training_identically(tmp_path):
    gan = compiled(tiny_gan(ema_decay=0.9, spectral_norm=True), loss="hinge", r1_gamma=1.0,
                   r1_interval=2, augment="translation")
    data = tf.data.Dataset.from_tensors(random_clips()).repeat()
    gan.fit(data, steps_per_epoch=2, verbose=0)
    gan.save(tmp_path / "gan.keras")
    restored = keras.models.load_model(tmp_path / "gan.keras")
    assert restored.frames == FRAMES and restored.sparse_frames == 3
    for model in (gan, restored):
        model.fit(data, steps_per_epoch=3, verbose=0)
    for a, b in zip(gan.variables + gan.d_optimizer.variables,
                    restored.variables + restored.d_optimizer.variables):
        np.testing.assert_allclose(a.numpy(), b.numpy(), atol=1e-6, err_msg=a.path)
    np.testing.assert_array_equal(restored.generate(2, seed=1, frames=12),
                                  gan.generate(2, seed=1, frames=12))


RENDER_WITHOUT_PACKAGE = r"""
import json, sys
import numpy as np
import tensorflow as tf
model = tf.saved_model.load(sys.argv[1])
seeded = model.signatures["generate_from_seed"](
    seed=tf.constant(5, tf.int64), num=tf.constant(2), frames=tf.constant(20))["video"]
times = tf.constant([[0.0, 10.0, 19.0]] * 2)
z = tf.constant(json.loads(sys.argv[2]), tf.float32)
picked = model.signatures["serving_default"](z=z, times=times)["video"]
assert not any(name.startswith("keras_vidgen") for name in sys.modules), "imported keras_vidgen"
print(json.dumps({"seeded": seeded.numpy().tolist(), "picked": picked.numpy().tolist()}))
"""


@pytest.mark.slow
def test_the_export_renders_a_requested_number_of_frames_in_plain_tensorflow(tmp_path):
    gan = tiny_gan()
    # A linear output strays past [-1, 1] (here by construction): the export clips it, and its
    # verification against the in-process generator must agree.
    rgb = gan.generator.get_layer("to_rgb")
    rgb.bias.assign(rgb.bias + 1.5)
    times = np.zeros((2, 1), "float32")
    assert float(gan.generator({"z": gan.latents(2, 0), "times": times}).numpy().max()) > 1
    path = export_generator(gan, str(tmp_path / "sv"))
    z = gan.latents(2, seed=5)
    result = subprocess.run([sys.executable, "-c", RENDER_WITHOUT_PACKAGE, path, json.dumps(z.tolist())],
                            capture_output=True, text=True, timeout=300, cwd=str(tmp_path))
    assert result.returncode == 0, result.stderr[-3000:]
    output = json.loads(result.stdout.strip().splitlines()[-1])
    seeded = np.array(output["seeded"], np.uint8)
    assert seeded.shape == (2, 20, SIZE, SIZE, 3)
    np.testing.assert_array_equal(seeded, gan.generate(2, seed=5, frames=20))
    np.testing.assert_array_equal(np.array(output["picked"], np.uint8), seeded[:, [0, 10, 19]])


@pytest.mark.slow
def test_vidgen_sample_renders_any_number_of_frames_from_a_checkpoint_or_an_export(tmp_path):
    gan = tiny_gan()
    gan.save(tmp_path / "sv.keras")
    export_generator(gan, str(tmp_path / "exports"))
    for model in (str(tmp_path / "sv.keras"), str(tmp_path / "exports")):
        for frames, expected in (([], FRAMES), (["--frames", "24"], 24)):
            out = str(tmp_path / "out.gif")
            assert cli.main(["sample", model, "--num", "1", "--out", out, *frames]) == 0
            assert Image.open(out).n_frames == expected, (model, frames)


@pytest.mark.slow
def test_a_short_run_learns_the_tiny_shapes(tmp_path):
    folder = make_moving_shapes(str(tmp_path / "shapes"), num_videos=16, frames=FRAMES, size=SIZE,
                                seed=0)
    real = np.stack([load_clip(f"{folder}/{record['file']}", FRAMES, SIZE)
                     for record in read_manifest(folder)])
    clips = real.astype("float32") / 127.5 - 1.0
    gan = compiled(tiny_gan(spectral_norm=True), loss="hinge")

    def colour_distance():
        # Colour statistics of whole frames: the backgrounds, shapes and their share of the
        # frame. Untrained, the generator draws mid-grey noise: far from the data's.
        fake = gan.generate(64, seed=0).reshape(-1, 3).astype(float)
        ours = np.concatenate([fake.mean(0), fake.std(0), np.percentile(fake, [5, 50, 95], axis=0).ravel()])
        data = real.reshape(-1, 3).astype(float)
        theirs = np.concatenate([data.mean(0), data.std(0), np.percentile(data, [5, 50, 95], axis=0).ravel()])
        return np.abs(ours - theirs).mean()

    before = colour_distance()
    data = tf.data.Dataset.from_tensor_slices(clips).shuffle(16, seed=0).repeat().batch(8)
    gan.fit(data, steps_per_epoch=300, verbose=0)
    assert colour_distance() < 0.5 * before
