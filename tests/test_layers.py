import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_vidgen.layers import (
    AddCoordinates, BorderBounce, ComposeFrames, CoverChangePenalty, CoverPenalty, DetailGate, FadeEdges, MeanAbsPenalty,
    MeasuredVelocity, MotionEvidence, MinibatchStdDev, MoveForeground, MovingExtent, ProjectionHead,
    RandomFrames, RangePenalty, ScaledDense, ShiftPrior, SineBound, SpectralNorm, TranslateFrames, UndecidedPenalty,
    diff_augment,
)
from keras_vidgen.layers.diff_augment import parse_policy


def round_trip(model, tmp_path, inputs):
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    np.testing.assert_allclose(loaded(inputs), model(inputs), atol=1e-6)
    return loaded


def largest_singular_value(kernel):
    return np.linalg.svd(np.reshape(kernel, (-1, kernel.shape[-1])), compute_uv=False)[0]


def test_spectral_norm_makes_a_conv3d_kernel_1_lipschitz_and_survives_save_and_load(tmp_path):
    layer = SpectralNorm(keras.layers.Conv3D(4, (2, 3, 3), padding="same"))
    video = keras.Input((4, 8, 8, 3))
    model = keras.Model(video, layer(video))
    clips = np.random.default_rng(0).normal(size=(2, 4, 8, 8, 3)).astype("float32")
    # A kernel with singular values (5, 2, 1, 0.5): one power step per call converges quickly.
    columns, _ = np.linalg.qr(np.random.default_rng(2).normal(size=(2 * 3 * 3 * 3, 4)))
    layer.layer.kernel.assign((columns * [5.0, 2.0, 1.0, 0.5]).reshape(2, 3, 3, 3, 4))
    for _ in range(30):  # power iteration converges across training calls
        model(clips, training=True)
    normalised, _ = layer.normalized_kernel()
    assert largest_singular_value(layer.layer.kernel.numpy()) > 4.0  # the raw kernel is untouched
    np.testing.assert_allclose(largest_singular_value(normalised.numpy()), 1.0, rtol=1e-3)
    round_trip(model, tmp_path, clips)


def test_spectral_norm_gradient_flows_through_sigma():
    dense = SpectralNorm(keras.layers.Dense(1, use_bias=False))
    dense.build((None, 2))
    dense.layer.kernel.assign([[3.0], [4.0]])  # sigma = 5, W / sigma = (0.6, 0.8)
    dense(np.ones((1, 2), "float32"), training=True)
    with tf.GradientTape() as tape:
        out = dense(tf.constant([[1.0, 0.0]]))
    # d(w1 / ||w||) / dw = (1/||w||) (e1 - w1 w / ||w||^2) = (1/5) ((1, 0) - 0.6 (0.6, 0.8))
    gradient = tape.gradient(out, dense.layer.kernel).numpy().ravel()
    np.testing.assert_allclose(out.numpy(), [[0.6]], rtol=1e-5)
    np.testing.assert_allclose(gradient, [0.128, -0.096], atol=1e-5)


def test_projection_head_adds_the_class_embedding_inner_product(tmp_path):
    features = keras.Input((3, 4))
    label = keras.Input((), dtype="int32")
    head = ProjectionHead(2)
    model = keras.Model([features, label], head([features, label]))
    h = np.random.default_rng(1).normal(size=(2, 3, 4)).astype("float32")
    y = np.array([0, 1], "int32")
    psi = head.linear(h).numpy()
    embedding = head.embedding.embeddings.numpy()
    expected = psi + np.einsum("ntf,nf->nt", h, embedding[y])[..., None]
    np.testing.assert_allclose(model([h, y]), expected, atol=1e-5)
    round_trip(model, tmp_path, [h, y])


def test_random_frames_keeps_ordered_distinct_frames_and_its_seed_state(tmp_path):
    clips = np.arange(2 * 8, dtype="float32").reshape(2, 8, 1, 1, 1)
    layer = RandomFrames(3, seed=4)
    inputs = keras.Input((8, 1, 1, 1))
    model = keras.Model(inputs, layer(inputs))
    picked = model(clips, training=True).numpy().reshape(2, 3)
    assert all(np.all(np.diff(row) > 0) for row in picked)
    assert picked.shape == (2, 3) and np.all(picked[1] >= 8)
    np.testing.assert_array_equal(model(clips).numpy().reshape(2, 3)[0], [0, 3, 7])
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    # The reloaded stream continues where the original stands.
    np.testing.assert_array_equal(loaded(clips, training=True), model(clips, training=True))


def test_mean_abs_penalty_adds_a_weighted_mean():
    inputs = keras.Input((2,))
    model = keras.Model(inputs, MeanAbsPenalty(0.5)(inputs))
    model(np.array([[1.0, -3.0]], "float32"))
    np.testing.assert_allclose(float(model.losses[0]), 0.5 * 2.0)


def test_range_penalty_is_free_inside_and_quadratic_outside_each_channels_bound():
    inputs = keras.Input((3,))
    model = keras.Model(inputs, RangePenalty([1.0, 1.0, 10.0], weight=0.5)(inputs))
    values = np.array([[0.5, -3.0, 12.0], [-1.0, 1.5, -9.0]], "float32")
    np.testing.assert_array_equal(model(values), values)
    # Excesses 0, 2, 2 and 0, 0.5, 0: 0.5 * (4 + 4 + 0.25) / 6.
    np.testing.assert_allclose(float(model.losses[0]), 0.5 * 8.25 / 6, rtol=1e-6)


def test_undecided_penalty_is_free_at_either_end_and_largest_halfway():
    inputs = keras.Input((4,))
    model = keras.Model(inputs, UndecidedPenalty(0.5)(inputs))
    values = np.array([[0.0, 1.0, 0.5, 0.9]], "float32")
    np.testing.assert_array_equal(model(values), values)
    # m * (1 - m): 0, 0, 0.25, 0.09.
    np.testing.assert_allclose(float(model.losses[0]), 0.5 * 0.34 / 4, rtol=1e-6)


def test_cover_penalty_charges_each_frames_share_beyond_the_limit():
    inputs = keras.Input((3, 2, 2, 1))
    model = keras.Model(inputs, CoverPenalty(0.5, weight=2.0)(inputs))
    # Three frames covering 1/4 (free), 3/4 (0.25 beyond the limit) and 1/2 of themselves in one
    # full row (free: the share is the frame's, not a row's).
    values = np.array([[[[1, 0], [0, 0]], [[1, 1], [1, 0]], [[1, 1], [0, 0]]]], "float32")[..., np.newaxis]
    np.testing.assert_array_equal(model(values), values)
    np.testing.assert_allclose(float(model.losses[0]), 2.0 * (0.0 + 0.25 + 0.0) / 3, rtol=1e-6)


def test_cover_penalty_with_a_floor_charges_each_frames_share_below_it_too():
    inputs = keras.Input((3, 2, 2, 1))
    model = keras.Model(inputs, CoverPenalty(0.5, weight=2.0, floor=0.3)(inputs))
    # Three frames covering 0 (0.3 below the floor), 0.1 in one pixel's 0.4 (0.2 below) and 1/4
    # of themselves (0.05 below); none beyond the limit.
    values = np.array([[[[0, 0], [0, 0]], [[0.4, 0], [0, 0]], [[1, 0], [0, 0]]]], "float32")[..., np.newaxis]
    np.testing.assert_array_equal(model(values), values)
    np.testing.assert_allclose(float(model.losses[0]), 2.0 * (0.3 + 0.2 + 0.05) / 3, rtol=1e-5)
    # An empty frame's gradient raises every pixel of its mask alike.
    values = keras.ops.convert_to_tensor(values)
    with tf.GradientTape() as tape:
        tape.watch(values)
        model(values)
        loss = model.losses[0]
    gradient = np.asarray(tape.gradient(loss, values))[0, 0, ..., 0]
    np.testing.assert_allclose(gradient, np.full((2, 2), -2.0 / 3 / 4), rtol=1e-5)


def test_cover_change_penalty_charges_each_frames_cover_apart_from_its_clips_mean():
    inputs = keras.Input((2, 2, 2, 1))
    model = keras.Model(inputs, CoverChangePenalty(2.0)(inputs))
    # Clip 0's mask grows from 1/4 to 3/4 of its frame (each 1/4 from the clip's mean 1/2); clip
    # 1's moves from the top row to the bottom one, covering half of each frame (free).
    values = np.array([[[[1, 0], [0, 0]], [[1, 1], [1, 0]]],
                       [[[1, 1], [0, 0]], [[0, 0], [1, 1]]]], "float32")[..., np.newaxis]
    np.testing.assert_array_equal(model(values), values)
    np.testing.assert_allclose(float(model.losses[0]), 2.0 * (0.25 + 0.25 + 0.0 + 0.0) / 4, rtol=1e-6)


def test_translate_frames_moves_an_image_by_each_frames_shift_with_zeros_moving_in(tmp_path):
    image = np.random.default_rng(0).uniform(0.1, 1.0, (2, 6, 7, 3)).astype("float32")
    # Clip 0: still, then 2 down and 1 left; clip 1: 1 up, then a half pixel right.
    shifts = np.array([[[0.0, 0.0], [2.0, -1.0]], [[-1.0, 0.0], [0.0, 0.5]]], "float32")
    moved = keras.ops.convert_to_numpy(TranslateFrames()([image, shifts]))
    assert moved.shape == (2, 2, 6, 7, 3)
    np.testing.assert_allclose(moved[0, 0], image[0], atol=1e-6)
    expected = np.zeros_like(image[0])
    expected[2:, :-1] = image[0, :-2, 1:]
    np.testing.assert_allclose(moved[0, 1], expected, atol=1e-6)
    expected = np.zeros_like(image[1])
    expected[:-1] = image[1, 1:]
    np.testing.assert_allclose(moved[1, 0], expected, atol=1e-6)
    # Half a pixel: each pixel the mean of itself and its left neighbour (half of it at the edge).
    expected = 0.5 * image[1]
    expected[:, 1:] += 0.5 * image[1, :, :-1]
    np.testing.assert_allclose(moved[1, 1], expected, atol=1e-6)
    inputs = [keras.Input((6, 7, 3)), keras.Input((None, 2))]
    round_trip(keras.Model(inputs, TranslateFrames()(inputs)), tmp_path, [image, shifts])


def test_fade_edges_ramps_an_image_to_zero_at_its_borders(tmp_path):
    inputs = keras.Input((8, 16, 2))
    model = keras.Model(inputs, FadeEdges(0.25)(inputs))
    faded = keras.ops.convert_to_numpy(model(np.ones((1, 8, 16, 2), "float32")))
    # Rows ramp over 2 pixels (a quarter of 8), columns over 4: pixel centres 0.5 and 1.5 from the border.
    np.testing.assert_allclose(faded[0, :, 8, 0], [0.25, 0.75, 1, 1, 1, 1, 0.75, 0.25], atol=1e-6)
    np.testing.assert_allclose(faded[0, 4, :5, 1], [0.125, 0.375, 0.625, 0.875, 1.0], atol=1e-6)
    np.testing.assert_allclose(faded[0, 0, 0, 0], 0.25 * 0.125, atol=1e-6)
    assert faded.shape == (1, 8, 16, 2) and faded[0, 2:6, 4:12].min() == 1.0
    round_trip(model, tmp_path, np.random.default_rng(0).normal(size=(2, 8, 16, 2)).astype("float32"))


def test_detail_gate_keeps_each_images_mean_colour_and_scales_the_rest_by_its_gain(tmp_path):
    images = np.random.default_rng(1).normal(size=(3, 5, 6, 2)).astype("float32")
    gains = np.array([[0.0], [0.25], [1.0]], "float32")
    inputs = [keras.Input((5, 6, 2)), keras.Input((1,))]
    model = keras.Model(inputs, DetailGate()(inputs))
    gated = keras.ops.convert_to_numpy(model([images, gains]))
    means = images.mean(axis=(1, 2), keepdims=True)
    np.testing.assert_allclose(gated.mean(axis=(1, 2), keepdims=True), means, atol=1e-5)
    np.testing.assert_allclose(gated[0], np.broadcast_to(means[0], (5, 6, 2)), atol=1e-6)  # flat
    np.testing.assert_allclose(gated[1] - means[1], 0.25 * (images[1] - means[1]), atol=1e-5)
    np.testing.assert_allclose(gated[2], images[2], atol=1e-5)
    round_trip(model, tmp_path, [images, gains])


def test_translate_frames_passes_the_gradient_to_the_shifts():
    """A bright pixel at column 4, read at column 5: moving it right brightens that pixel, so the
    gradient of that pixel's value with respect to the horizontal shift is positive (+1 from a
    half-pixel shift), and with respect to the vertical one zero."""
    image = np.zeros((1, 8, 8, 1), "float32")
    image[0, 3, 4, 0] = 1.0
    shifts = tf.Variable([[[0.0, 0.5]]])
    with tf.GradientTape() as tape:
        value = TranslateFrames()([image, shifts])[0, 0, 3, 5, 0]
    np.testing.assert_allclose(float(value), 0.5, atol=1e-6)
    np.testing.assert_allclose(tape.gradient(value, shifts).numpy(), [[[0.0, 1.0]]], atol=1e-6)


def test_a_penalty_with_a_ramp_is_off_before_it_and_rises_in_a_straight_line_to_its_weight():
    from keras_vidgen.models import networks

    inputs = keras.Input((2, 2, 2, 1))
    model = keras.Model(inputs, CoverChangePenalty(2.0, ramp=(10, 20))(inputs))
    values = np.array([[[[1, 0], [0, 0]], [[1, 1], [1, 0]]]], "float32")[..., np.newaxis]
    full = 2.0 * 0.25  # each frame's cover 1/4 from the clip's mean
    assert [layer.name for layer in networks.ramped_penalties(model)] == [model.layers[-1].name]
    for step, share in [(0, 0.0), (10, 0.0), (15, 0.5), (20, 1.0), (500, 1.0)]:
        networks.set_penalty_step(model, step)
        model(values)
        np.testing.assert_allclose(float(model.losses[0]), share * full, rtol=1e-6, atol=1e-9)
    with pytest.raises(ValueError, match=r"ramp=\(20, 10\) must be \(start, end\) steps"):
        CoverChangePenalty(2.0, ramp=(20, 10))


@pytest.mark.parametrize("penalty", [MeanAbsPenalty(0.5), RangePenalty([1.0, 2.0], weight=0.5),
                                     UndecidedPenalty(0.5), CoverPenalty(-10.0, weight=0.5, floor=20.0),
                                     CoverChangePenalty(0.5), CoverChangePenalty(0.5, ramp=(0, 4))])
def test_a_network_with_any_penalty_layer_adds_losses_and_keeps_it_when_reloaded(penalty, tmp_path):
    from keras_vidgen.models import networks

    inputs = keras.Input((2, 1, 1, 2))  # a mask's rank, for CoverPenalty and CoverChangePenalty
    plain = keras.Model(inputs, keras.layers.Dense(2)(inputs))
    penalised = keras.Model(inputs, penalty(keras.layers.Dense(2)(inputs)))
    assert not networks.adds_losses(plain)
    assert networks.adds_losses(penalised)
    penalised.save(tmp_path / "penalised.keras")
    loaded = keras.models.load_model(tmp_path / "penalised.keras")
    values = np.array([[[[[3.0, -4.0]]], [[[1.0, 2.0]]]]], "float32")
    penalised(values), loaded(values)
    assert networks.adds_losses(loaded)
    np.testing.assert_allclose(float(loaded.losses[0]), float(penalised.losses[0]), rtol=1e-6)


def test_minibatch_stddev_appends_each_groups_spread_across_samples(tmp_path):
    # Six samples of [1, 1, 2], groups of 3 (the largest divisor of 6 not above 4): samples 0-2
    # and 3-5, consecutive, so two replicas given 3 each group them as one device does.
    values = np.zeros((6, 1, 1, 2), "float32")
    values[[0, 1, 2], 0, 0, 0] = [0.0, 3.0, 6.0]  # std sqrt(6); the other channel 0
    values[[3, 4, 5], 0, 0, 1] = [1.0, 1.0, 1.0]  # no spread at all
    inputs = keras.Input((1, 1, 2))
    model = keras.Model(inputs, MinibatchStdDev(group_size=4)(inputs))
    out = np.asarray(round_trip(model, tmp_path, values)(values))
    np.testing.assert_array_equal(out[..., :2], values)
    expected = np.array([np.sqrt(6.0) / 2] * 3 + [0.0] * 3)  # the mean over the 2 channels
    np.testing.assert_allclose(out[:, 0, 0, 2], expected, atol=1e-4)
    # Identical samples give 0 spread: a generator drawing one sample is plain to see.
    same = np.repeat(values[:1], 4, axis=0)
    np.testing.assert_allclose(model(same)[..., 2], 0.0, atol=1e-3)


def test_minibatch_stddev_gives_each_run_of_channels_its_own_statistic(tmp_path):
    # Four samples of [1, 1, 4]: only channel 3 spreads (std 1.5 over the group), so with two
    # statistics the first run (channels 0-1) reads 0 and the second (2-3) 0.75; one reads 0.375.
    values = np.zeros((4, 1, 1, 4), "float32")
    values[:, 0, 0, 3] = [0.0, 3.0, 0.0, 3.0]
    inputs = keras.Input((1, 1, 4))
    model = keras.Model(inputs, MinibatchStdDev(group_size=4, num_features=2)(inputs))
    out = np.asarray(round_trip(model, tmp_path, values)(values))
    assert out.shape == (4, 1, 1, 6)
    np.testing.assert_allclose(out[:, 0, 0, 4:], [[0.0, 0.75]] * 4, atol=1e-3)
    np.testing.assert_allclose(MinibatchStdDev(group_size=4)(values)[:, 0, 0, 4], 0.375, atol=1e-3)
    with pytest.raises(ValueError, match="num_features=3 must divide the input's 4 channels"):
        MinibatchStdDev(num_features=3)(values)


def video_batch(seed=0):
    return tf.random.stateless_uniform((3, 4, 16, 16, 3), seed=[seed, 0], minval=-1, maxval=1)


def test_diff_augment_is_seeded_and_keeps_shape():
    videos = video_batch()
    first = diff_augment(videos, seed=[1, 2])
    assert first.shape == videos.shape
    np.testing.assert_array_equal(first, diff_augment(videos, seed=[1, 2]))
    assert not np.allclose(first, diff_augment(videos, seed=[1, 3]))


@pytest.mark.parametrize("policy", ["color", "translation", "cutout", "color,translation,cutout"])
def test_diff_augment_treats_every_frame_of_a_clip_alike(policy):
    # A clip of identical frames stays a clip of identical frames: nothing is drawn per frame.
    frame = tf.random.stateless_uniform((3, 1, 16, 16, 3), seed=[5, 0], minval=-1, maxval=1)
    augmented = diff_augment(tf.tile(frame, [1, 4, 1, 1, 1]), seed=[7, 7], policy=policy).numpy()
    for t in range(1, 4):
        np.testing.assert_allclose(augmented[:, t], augmented[:, 0], atol=1e-6)


def test_translation_moves_a_pixel_by_whole_pixels_within_an_eighth():
    videos = np.zeros((8, 2, 16, 16, 1), "float32")
    videos[:, :, 8, 8] = 1.0
    moved = diff_augment(tf.constant(videos), seed=[0, 9], policy="translation").numpy()
    for clip in moved:
        rows, cols = np.nonzero(clip[0, ..., 0])
        assert len(rows) == 1 and abs(rows[0] - 8) <= 2 and abs(cols[0] - 8) <= 2


def test_cutout_zeroes_at_most_a_half_size_square():
    videos = np.ones((8, 2, 16, 16, 1), "float32")
    cut = diff_augment(tf.constant(videos), seed=[3, 1], policy="cutout").numpy()
    zeros = (cut[:, 0, ..., 0] == 0).sum(axis=(1, 2))
    assert np.all(zeros > 0) and np.all(zeros <= 64) and np.any(zeros == 64)


def test_diff_augment_is_differentiable_with_respect_to_the_videos():
    videos = tf.Variable(video_batch())
    with tf.GradientTape() as tape:
        total = tf.reduce_sum(diff_augment(videos, seed=[2, 2]))
    gradient = tape.gradient(total, videos)
    assert gradient is not None and float(tf.reduce_sum(tf.abs(gradient))) > 0


def test_unknown_policies_are_refused():
    assert parse_policy(None) == ()
    with pytest.raises(ValueError, match="cutout"):
        parse_policy("color,blur")


def test_add_coordinates_appends_x_then_y_in_minus_one_to_one_and_reloads(tmp_path):
    videos = np.zeros((2, 3, 4, 5, 3), np.float32)
    out = AddCoordinates()(videos).numpy()
    assert out.shape == (2, 3, 4, 5, 5)
    np.testing.assert_allclose(out[1, 2, 0, :, 3], np.linspace(-1, 1, 5), atol=1e-6)  # x along the width
    np.testing.assert_allclose(out[1, 2, :, 0, 4], np.linspace(-1, 1, 4), atol=1e-6)  # y along the height
    model = keras.Sequential([keras.Input((3, 4, 5, 3)), AddCoordinates()])
    model.save(tmp_path / "m.keras")
    np.testing.assert_allclose(keras.models.load_model(tmp_path / "m.keras")(videos), out)


def test_compose_frames_copies_the_observed_frame_or_the_pixels_its_logits_pick():
    rng = np.random.default_rng(0)
    observed = rng.uniform(-1, 1, (2, 3, 4, 4, 3)).astype("float32")  # k = 3
    pixels = rng.uniform(-1, 1, (2, 4, 4, 2, 3)).astype("float32")  # F = 2 frames
    # Frame 0 picks observed frame 1 everywhere, frame 1 the synthesised pixels.
    logits = np.full((2, 4, 4, 2, 4), -30.0, "float32")
    logits[..., 0, 1] = 30.0
    logits[..., 1, 3] = 30.0
    features = np.concatenate([pixels.reshape(2, 4, 4, 6), logits.reshape(2, 4, 4, 8)], axis=-1)
    layer = ComposeFrames(produced=2, channels=3)
    out = keras.ops.convert_to_numpy(layer([observed, features]))
    assert out.shape == (2, 2, 4, 4, 3)
    np.testing.assert_allclose(out[:, 0], observed[:, 1], atol=1e-6)
    np.testing.assert_allclose(out[:, 1], pixels[..., 1, :], atol=1e-6)
    # Equal logits: the plain mean of the k + 1 sources.
    features[..., 6:] = 0.0
    out = keras.ops.convert_to_numpy(layer([observed, features]))
    expected = (observed.sum(axis=1) + pixels[..., 0, :]) / 4
    np.testing.assert_allclose(out[:, 0], expected, atol=1e-6)
    restored = ComposeFrames.from_config(layer.get_config())
    assert (restored.produced, restored.channels) == (2, 3)


def one_hot_shift_logits(frames, reach, dy, dx):
    """Kernel logits that move content by (dy, dx) pixels each frame (cross-correlation: the
    tap at `reach - d` reads the pixel that lands here)."""
    width = 2 * reach + 1
    logits = np.full((1, frames, 2, width), -50.0, "float32")
    logits[:, :, 0, reach - dy] = 50.0
    logits[:, :, 1, reach - dx] = 50.0
    return logits.reshape(1, frames, 2 * width)


def test_move_foreground_carries_a_masked_square_over_the_background_by_whole_pixels():
    observed = np.full((1, 2, 12, 12, 3), -1.0, "float32")
    observed[0, 1, 2:5, 2:5] = 0.5  # a square in the source frame (index 1)
    mask_logits = np.full((1, 12, 12, 1), -50.0, "float32")
    mask_logits[0, 2:5, 2:5] = 50.0
    background = np.full((1, 3, 12, 12, 3), -0.25, "float32")
    layer = MoveForeground(source=1)
    out = keras.ops.convert_to_numpy(layer(
        [observed, mask_logits, one_hot_shift_logits(3, 2, dy=1, dx=2), background]))
    assert out.shape == (1, 3, 12, 12, 3)
    for frame in range(3):
        top, left = 2 + (frame + 1), 2 + 2 * (frame + 1)
        expected = np.full((12, 12, 3), -0.25, "float32")
        expected[top:top + 3, left:left + 3] = 0.5
        np.testing.assert_allclose(out[0, frame], expected, atol=1e-5, err_msg=f"frame {frame}")
    assert MoveForeground.from_config(layer.get_config()).source == 1


def test_move_foreground_moves_each_example_by_its_own_kernel():
    observed = np.zeros((2, 1, 9, 9, 1), "float32")
    observed[:, 0, 4, 4] = 1.0
    mask_logits = np.full((2, 9, 9, 1), 50.0, "float32")
    logits = np.concatenate([one_hot_shift_logits(1, 1, 1, 0), one_hot_shift_logits(1, 1, 0, -1)])
    out = keras.ops.convert_to_numpy(MoveForeground(source=0)(
        [observed, mask_logits, logits, np.zeros((2, 1, 9, 9, 1), "float32")]))
    assert out[0, 0, 5, 4, 0] == pytest.approx(1.0) and out[0, 0].sum() == pytest.approx(1.0)
    assert out[1, 0, 4, 3, 0] == pytest.approx(1.0) and out[1, 0].sum() == pytest.approx(1.0)


@pytest.mark.parametrize("down, right", [(2, -1), (0, 3), (-3, -3)])
def test_motion_evidence_peaks_at_the_velocity_over_a_textured_background(down, right):
    # A square moving (down, right) pixels a frame over fixed stripes: the static background
    # cancels in the frame differences, and the map's peak (value 1) is at the velocity.
    rng = np.random.default_rng(0)
    frames = np.tile(np.sin(np.arange(24) / 2.0)[None, :, None], (24, 1, 3)).astype("float32") * 0.5
    frames = np.repeat(frames[None], 4, axis=0)
    for t in range(4):
        top, left = 8 + down * t, 8 + right * t
        frames[t, top:top + 4, left:left + 4] = rng.uniform(0.6, 1.0, 3)
    reach = 3
    layer = MotionEvidence(source=3, reach=reach)
    evidence = keras.ops.convert_to_numpy(layer(frames[None]))
    assert evidence.shape == (1, (2 * reach + 1) ** 2)
    peak = np.unravel_index(evidence[0].argmax(), (2 * reach + 1,) * 2)
    assert (peak[0] - reach, peak[1] - reach) == (down, right)
    assert evidence.max() == pytest.approx(1.0)
    restored = MotionEvidence.from_config(layer.get_config())
    assert (restored.source, restored.reach) == (3, 3)


def test_motion_evidence_reads_each_example_and_the_frames_up_to_its_source():
    clips = np.zeros((2, 5, 12, 12, 1), "float32")
    for t in range(3):  # example 0 moves down 1, example 1 right 2; frames 3-4 are noise
        clips[0, t, 2 + t:4 + t, 5:7] = 1.0
        clips[1, t, 5:7, 1 + 2 * t:3 + 2 * t] = 1.0
    clips[:, 3:] = np.random.default_rng(1).uniform(size=(2, 2, 12, 12, 1))
    evidence = keras.ops.convert_to_numpy(MotionEvidence(source=2, reach=2)(clips)).reshape(2, 5, 5)
    assert np.unravel_index(evidence[0].argmax(), (5, 5)) == (3, 2)
    assert np.unravel_index(evidence[1].argmax(), (5, 5)) == (2, 4)
    with pytest.raises(ValueError, match="three frames"):
        MotionEvidence(source=1, reach=2)


def square_clip(velocity, frames, size=24, start=(8, 8), side=4, background=None):
    """`[1, frames, size, size, 3]`: a square moving `velocity` (down, right) pixels a frame,
    its corner rounded to whole pixels every frame as the moving shapes draw it."""
    clip = np.zeros((1, frames, size, size, 3), "float32") if background is None else (
        np.repeat(background[None, None], frames, axis=1).copy())
    for t in range(frames):
        top, left = np.floor(np.array(start) + t * np.array(velocity) + 0.5).astype(int)
        clip[0, t, top:top + side, left:left + side] = (0.9, 0.5, -0.3)
    return clip


@pytest.mark.parametrize("velocity", [(1.5, -2.5), (2.0, 1.0), (-1.0, 0.5)])
def test_measured_velocity_is_exact_between_pixels_where_the_last_change_alone_is_not(velocity):
    # Positions rounded every frame: at 1.5 px a frame the square moves 2, 1, 2 pixels, so the
    # last change alone (MotionEvidence's peak) says 2 or 1; the first and last changes, two
    # frames apart, say 3 over 2 frames. Over stripes, which cancel in the changes.
    stripes = np.tile(np.sin(np.arange(24) / 2.0)[None, :, None], (24, 1, 3)).astype("float32")
    clip = square_clip(velocity, 4, start=(10, 12), background=0.4 * stripes)
    layer = MeasuredVelocity(source=3, reach=3)
    measured = keras.ops.convert_to_numpy(layer(clip))
    np.testing.assert_allclose(measured, [velocity], atol=0.15)  # the stripes differ under it
    restored = MeasuredVelocity.from_config(layer.get_config())
    assert (restored.source, restored.reach, restored.baseline) == (3, 3, 2)


def test_measured_velocity_places_the_peak_between_pixels():
    # A soft blob drawn at fractional positions: 2 frames of (0.7, -1.3) is (1.4, -2.6) pixels;
    # the best whole shift alone would say (0.5 or 1.0, -1.0 or -1.5) a frame, 0.2 or more off.
    # The parabola is within 0.12 (the peak of a blob's changes is not quite a parabola).
    rows, cols = np.mgrid[0:24, 0:24]
    clip = np.stack([np.exp(-((rows - 10 - 0.7 * t) ** 2 + (cols - 14 + 1.3 * t) ** 2) / 4.5)
                     for t in range(4)])[None, ..., None].astype("float32")
    measured = keras.ops.convert_to_numpy(MeasuredVelocity(source=3, reach=3)(clip))
    np.testing.assert_allclose(measured, [[0.7, -1.3]], atol=0.15)


def test_measured_velocity_is_zero_where_nothing_moves_and_needs_three_frames():
    still = np.repeat(np.random.default_rng(0).uniform(-1, 1, (1, 1, 12, 12, 3)), 4, axis=1)
    moving = square_clip((1.0, 1.0), 4, size=12, start=(2, 2))
    measured = keras.ops.convert_to_numpy(
        MeasuredVelocity(source=3, reach=2)(np.concatenate([still, moving]).astype("float32")))
    np.testing.assert_allclose(measured, [[0.0, 0.0], [1.0, 1.0]], atol=0.05)
    with pytest.raises(ValueError, match="three frames"):
        MeasuredVelocity(source=1, reach=2)


def bouncing_square_clip(velocity, frames, size=20, start=(6, 2), side=4):
    """Like `square_clip`, the square bouncing off the borders as the moving shapes do."""
    clip = np.zeros((1, frames, size, size, 3), "float32")
    room = size - side
    for t in range(frames):
        corner = np.array(start) + t * np.array(velocity)
        top, left = np.abs((corner + room) % (2 * room) - room).astype(int)  # folded into [0, room]
        clip[0, t, top:top + side, left:left + side] = (0.9, 0.5, -0.3)
    return clip


def test_moving_extent_finds_the_box_in_the_source_frame():
    stripes = np.tile(np.sin(np.arange(24) / 2.0)[None, :, None], (24, 1, 3)).astype("float32")
    moving = square_clip((2.0, -1.0), 4, start=(4, 15), background=0.4 * stripes)  # at (10, 12)
    still = np.repeat(0.4 * stripes[None, None], 4, axis=1)
    clips = np.concatenate([moving, still])
    velocity = np.array([[2.0, -1.0], [0.0, 0.0]], "float32")
    layer = MovingExtent(source=3)
    box = keras.ops.convert_to_numpy(layer([clips, velocity]))
    np.testing.assert_allclose(box, [[10, 12, 14, 16], [0, 0, 24, 24]])
    assert MovingExtent.from_config(layer.get_config()).source == 3
    with pytest.raises(ValueError, match="frame before"):
        MovingExtent(source=0)


def test_border_bounce_folds_the_path_off_the_borders_by_a_learned_amount(tmp_path):
    # A 4-pixel box at rows 10-14 of 20 has 16 rows of room: at 3 a frame it moves 3, 3, then
    # back 3; at 4 a frame it reaches the border midway through the 2nd frame: 4, 0, -4. A box
    # as wide as the frame (a pan) moves straight on.
    velocity = np.array([[3.0, 1.0], [4.0, 0.0], [0.0, 2.0]], "float32")
    box = np.array([[10, 0, 14, 4], [10, 0, 14, 4], [0, 0, 20, 20]], "float32")
    inputs = [keras.Input((2,)), keras.Input((4,))]
    model = keras.Model(inputs, BorderBounce(produced=3, size=(20, 20))(inputs))
    model.layers[-1].reflect_logit.assign(50.0)
    moves = keras.ops.convert_to_numpy(model([velocity, box]))
    np.testing.assert_allclose(moves[:, :, 0], [[3, 3, -3], [4, 0, -4], [0, 0, 0]], atol=1e-5)
    np.testing.assert_allclose(moves[:, :, 1], [[1, 1, 1], [0, 0, 0], [2, 2, 2]], atol=1e-5)
    model.layers[-1].reflect_logit.assign(-50.0)  # learned not to bounce: straight on
    np.testing.assert_allclose(keras.ops.convert_to_numpy(model([velocity, box]))[:, :, 0],
                               [[3, 3, 3], [4, 4, 4], [0, 0, 0]], atol=1e-5)
    model.layers[-1].reflect_logit.assign(1.0)
    round_trip(model, tmp_path, [velocity, box])


def test_measured_moves_carry_a_square_on_and_off_a_border_as_the_moving_shapes_do():
    # Observed frames 0-3; the square then reaches the bottom border and comes back: the
    # measured velocity, box and bounce, made into kernels, move it to every produced frame.
    clip = bouncing_square_clip((2.0, 1.0), 8)
    observed = clip[:, :4]
    velocity = MeasuredVelocity(source=3, reach=3)(observed)
    box = MovingExtent(source=3)([observed, velocity])
    bounce = BorderBounce(produced=4, size=(20, 20))
    bounce.build(None)
    bounce.reflect_logit.assign(50.0)  # initially 0.99 of the bounce: here all of it
    moves = bounce([velocity, box])
    kernel_logits = ShiftPrior(reach=3)(moves)
    assert kernel_logits.shape == (1, 4, 14)
    mask_logits = np.where(np.abs(observed[:, 3]).sum(-1, keepdims=True) > 0, 20.0, -20.0)
    moved = MoveForeground(source=3)([observed, mask_logits.astype("float32"), kernel_logits,
                                      np.zeros((1, 4, 20, 20, 3), "float32")])
    np.testing.assert_allclose(keras.ops.convert_to_numpy(moved), clip[:, 4:], atol=3e-3)


def test_shift_prior_moves_the_centre_by_fractional_moves_without_rounding():
    # Between pixels, the kernels interpolate: the mass centre lands where the moves add up to.
    moves = np.array([[[0.5, -1.25], [0.5, -1.25], [-0.75, 0.25], [2.0, 0.0]]], "float32")
    image = np.zeros((1, 1, 32, 32, 1), "float32")
    image[0, 0, 16, 16] = 1.0
    logits = ShiftPrior(reach=2)(moves)
    moved = keras.ops.convert_to_numpy(MoveForeground(source=0)(
        [image, np.full((1, 32, 32, 1), 30.0, "float32"), logits,
         np.zeros((1, 4, 32, 32, 1), "float32")]))[0, ..., 0]
    rows, cols = np.mgrid[0:32, 0:32]
    for f, expected in enumerate(np.cumsum(moves[0], axis=0)):
        mass = moved[f].sum()
        centre = [(moved[f] * rows).sum() / mass - 16, (moved[f] * cols).sum() / mass - 16]
        np.testing.assert_allclose(centre, expected, atol=0.01)


def test_shift_prior_survives_save_and_load(tmp_path):
    moves = keras.Input((2, 2))
    model = keras.Model(moves, ShiftPrior(reach=3)(moves))
    round_trip(model, tmp_path,
               np.random.default_rng(0).uniform(-4, 4, (3, 2, 2)).astype("float32"))
    with pytest.raises(ValueError, match="moves"):
        ShiftPrior(reach=3)(np.zeros((1, 49), "float32"))


def test_scaled_dense_computes_as_a_he_dense_and_learns_at_its_fraction_of_the_rate(tmp_path):
    keras.utils.set_random_seed(0)
    layer = ScaledDense(256, lr_multiplier=0.01)
    x = np.random.default_rng(0).normal(size=(64, 512)).astype("float32")
    y = keras.ops.convert_to_numpy(layer(x))
    # He initialisation: effective weights of variance 2 / fan_in, so outputs of variance 2.
    assert y.var() == pytest.approx(2.0, rel=0.1)
    kernel = keras.ops.convert_to_numpy(layer.kernel).copy()
    optimizer = keras.optimizers.Adam(1e-3)
    with tf.GradientTape() as tape:
        loss = keras.ops.sum(layer(x))
    optimizer.apply(tape.gradient(loss, layer.trainable_variables), layer.trainable_variables)
    # Adam's first step moves every stored weight by its learning rate against the gradient's
    # sign (here x's column sums), so the effective weights (0.01 * stored) move by 1e-5.
    effective_move = (keras.ops.convert_to_numpy(layer.kernel) - kernel) * 0.01
    expected = -1e-5 * np.sign(x.sum(0))[:, None] * np.ones((1, 256))
    np.testing.assert_allclose(effective_move, expected, rtol=1e-2, atol=1e-8)
    model = keras.Sequential([keras.Input((512,)), layer])
    model.save(tmp_path / "model.keras")
    np.testing.assert_allclose(keras.models.load_model(tmp_path / "model.keras")(x), model(x), atol=1e-5)


def test_sine_bound_keeps_values_within_its_reach_and_small_ones_as_they_are(tmp_path):
    inputs = keras.Input((4,))
    model = keras.Model(inputs, SineBound(2.0)(inputs))
    values = np.array([[0.01, -0.02, 1e3, -57.0]], "float32")
    bounded = keras.ops.convert_to_numpy(model(values))
    np.testing.assert_allclose(bounded[0, :2], values[0, :2], rtol=1e-3)  # slope 1 near 0
    np.testing.assert_allclose(bounded, 2.0 * np.sin(values / 2.0), rtol=1e-5)
    assert np.abs(bounded).max() <= 2.0
    # Past a quarter turn (pi of it) the value turns back instead of running on.
    turning = keras.ops.convert_to_numpy(model(np.array([[2.5, 3.1, 3.5, 4.0]], "float32")))[0]
    assert turning[1] > turning[2] > turning[3]
    round_trip(model, tmp_path, values)
    with pytest.raises(ValueError, match=r"reach=0 must be a positive number"):
        SineBound(0)
