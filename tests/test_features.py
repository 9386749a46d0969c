import json
import os

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_vidgen import cli, metrics
from keras_vidgen.callbacks import FVDMonitor
from keras_vidgen.data import make_moving_shapes, read_manifest
from keras_vidgen.data.shapes import BACKGROUNDS, COLOURS, SHAPES, replay_positions
from keras_vidgen.metrics.extractor import shapes_targets
from keras_vidgen.models import build_video_gan, build_video_predictor


@pytest.fixture(scope="module")
def i3d_stand_in(tmp_path_factory):
    """A SavedModel with the TF-Hub I3D model's interface: `default` signature, [N,T,224,224,3] -> [N,400]."""
    projection = tf.constant(np.random.default_rng(0).standard_normal((3 * 4, 400)), tf.float32)

    class StandIn(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([None, None, 224, 224, 3], tf.float32, name="rgb_input")])
        def default(self, videos):
            pooled = tf.image.resize(tf.reduce_mean(videos, axis=1), (2, 2))  # [N, 2, 2, 3]
            return {"default": tf.reshape(pooled, [-1, 12]) @ projection}

    module = StandIn()
    path = str(tmp_path_factory.mktemp("i3d") / "i3d")
    tf.saved_model.save(module, path, signatures={"default": module.default})
    return path


@pytest.fixture(scope="module")
def shapes_dir(tmp_path_factory):
    return make_moving_shapes(str(tmp_path_factory.mktemp("m") / "shapes"), num_videos=120, frames=8, size=16)


def test_i3d_preprocessing_is_the_reference_one():
    videos = np.random.default_rng(0).integers(0, 256, (1, 2, 8, 8, 3), dtype=np.uint8)
    got = metrics.preprocess_for_i3d(videos).numpy()
    frames = tf.image.resize(tf.cast(videos[0], tf.float32), (224, 224), method="bilinear")
    np.testing.assert_allclose(got[0], 2.0 * frames.numpy() / 255.0 - 1.0, atol=1e-6)
    assert got.min() >= -1 and got.max() <= 1


def test_i3d_extractor_gives_400_features_per_video(i3d_stand_in):
    extractor = metrics.load_extractor(f"i3d:{i3d_stand_in}")
    videos = np.random.default_rng(1).integers(0, 256, (5, 4, 16, 16, 3), dtype=np.uint8)
    features = extractor(videos)
    assert features.shape == (5, 400)
    # The same videos in a batch of 2: batch-size-dependent float32 (oneDNN, Eigen) reorders sums,
    # so values near 0 differ by ~1e-7 of the scale (2.4e-7 seen on an AMD EPYC); mixing videos
    # within a batch would differ by the scale itself.
    np.testing.assert_allclose(features[:2], extractor(videos[:2]), rtol=1e-5,
                               atol=1e-5 * np.abs(features).max())


def test_real_i3d_weights_when_available():
    path = os.environ.get("KERAS_VIDGEN_I3D_PATH")
    if not path:
        pytest.skip("Set KERAS_VIDGEN_I3D_PATH to a local copy of deepmind/i3d-kinetics-400 "
                    "to check the real weights (this machine cannot download them).")
    extractor = metrics.load_extractor(f"i3d:{path}")
    assert extractor(np.zeros((2, 16, 64, 64, 3), np.uint8)).shape == (2, 400)


def test_bad_extractor_specs_are_explained(tmp_path):
    with pytest.raises(ValueError, match="i3d:PATH"):
        metrics.load_extractor("resnet:/x")
    with pytest.raises(FileNotFoundError, match="nope"):
        metrics.load_extractor(f"indomain:{tmp_path}/nope.keras")


@pytest.mark.slow
def test_in_domain_extractor_learns_the_shapes_and_separates_real_from_noise(shapes_dir, tmp_path):
    path, scores = metrics.train_extractor(shapes_dir, str(tmp_path / "x.keras"), frames=8, size=16, epochs=30)
    # Chance is 1/3 for the shape and 1/7 for the colour; 16 px shapes are hard to tell apart.
    assert scores["shape"] > 0.45 and scores["colour"] > 0.6 and scores["background"] > 0.8
    # The path head is scored, not asserted: at 16 px (shapes 2-3 px across) it barely beats
    # answering the average path; at 64 px it does (benchmarks/bench_quality.py prints it).
    assert np.isfinite(scores["path_error_px"])
    extractor = metrics.load_extractor(f"indomain:{path}")
    real_a = metrics.real_clips(shapes_dir, 20, 8, 16, seed=1)
    real_b = metrics.real_clips(shapes_dir, 20, 8, 16, seed=2)
    noise = np.random.default_rng(0).integers(0, 256, real_a.shape, dtype=np.uint8)
    real_vs_real = metrics.evaluate(real_a, real_b, extractor)["fvd"]
    noise_vs_real = metrics.evaluate(noise, real_b, extractor)
    assert noise_vs_real["fvd"] > 3 * real_vs_real
    assert noise_vs_real["num_generated"] == 20 and noise_vs_real["frames"] == 8 and noise_vs_real["size"] == 16


def test_fvd_monitor_logs_and_keeps_the_best_checkpoint(i3d_stand_in, tmp_path):
    gan = build_video_gan("dcgan3d", 8, 4, 16, g_filters=16, d_filters=8, seed=0)
    gan.compile(g_optimizer=keras.optimizers.Adam(1e-3), d_optimizer=keras.optimizers.Adam(1e-3))
    real = np.random.default_rng(0).integers(0, 256, (6, 4, 16, 16, 3), dtype=np.uint8)
    monitor = FVDMonitor(str(tmp_path), real, metrics.load_extractor(f"i3d:{i3d_stand_in}"),
                         num_samples=6, best_checkpoint=str(tmp_path / "best.keras"))
    clips = tf.data.Dataset.from_tensors(np.zeros((2, 4, 16, 16, 3), np.float32)).repeat()
    history = gan.fit(clips, epochs=2, steps_per_epoch=1, verbose=0, callbacks=[monitor])
    assert [entry["epoch"] for entry in monitor.history] == [1, 2]
    assert all(np.isfinite(entry["fvd"]) for entry in monitor.history)
    assert (tmp_path / "best.keras").exists()
    assert "fvd" in history.history


def test_fvd_monitor_judges_a_frame_conditional_model_on_the_real_clips_it_continues(i3d_stand_in, tmp_path):
    gan = build_video_gan("dcgan3d", 8, 4, 16, g_filters=16, d_filters=8, seed=0, context_frames=2)
    gan.compile(g_optimizer=keras.optimizers.Adam(1e-3), d_optimizer=keras.optimizers.Adam(1e-3))
    real = np.random.default_rng(0).integers(0, 256, (3, 4, 16, 16, 3), dtype=np.uint8)
    monitor = FVDMonitor(str(tmp_path), real, metrics.load_extractor(f"i3d:{i3d_stand_in}"), num_samples=6)
    clips = tf.data.Dataset.from_tensors(np.zeros((2, 4, 16, 16, 3), np.float32)).repeat()
    gan.fit(clips, epochs=1, steps_per_epoch=1, verbose=0, callbacks=[monitor])
    assert np.isfinite(monitor.history[0]["fvd"]) and monitor.history[0]["num_generated"] == 6


def test_fvd_monitor_judges_a_predictor_on_the_real_clips_it_completes(i3d_stand_in, tmp_path):
    model = build_video_predictor("dcgan3d", "interpolate", observed=2, frames=4, size=16,
                                  g_filters=16, d_filters=8, latent_dim=8, adversarial=False)
    model.compile(keras.optimizers.Adam(1e-3))
    real = np.random.default_rng(0).integers(0, 256, (3, 4, 16, 16, 3), dtype=np.uint8)
    completed = model.generate(6, context=real)
    assert completed.shape == (6, 4, 16, 16, 3) and completed.dtype == np.uint8
    # The observed first and last frames are the real ones; the two between are produced.
    np.testing.assert_array_equal(completed[:, [0, 3]], real[np.arange(6) % 3][:, [0, 3]])
    monitor = FVDMonitor(str(tmp_path), real, metrics.load_extractor(f"i3d:{i3d_stand_in}"), num_samples=6)
    clips = tf.data.Dataset.from_tensors(np.zeros((2, 4, 16, 16, 3), np.float32)).repeat()
    model.fit(clips, epochs=1, steps_per_epoch=1, verbose=0, callbacks=[monitor])
    assert np.isfinite(monitor.history[0]["fvd"]) and monitor.history[0]["num_generated"] == 6


@pytest.mark.slow
def test_eval_command_prints_and_writes_json(shapes_dir, i3d_stand_in, tmp_path, capsys):
    gan = build_video_gan("dcgan3d", 8, 8, 16, g_filters=16, d_filters=8, seed=0)
    gan.compile(g_optimizer="adam", d_optimizer="adam")
    gan.save(tmp_path / "m.keras")
    out = tmp_path / "result.json"
    code = cli.main(["eval", str(tmp_path / "m.keras"), "--data", shapes_dir, "--features",
                     f"i3d:{i3d_stand_in}", "--num-samples", "8", "--out", str(out)])
    assert code == 0
    result = json.loads(out.read_text())
    assert result["num_generated"] == 8 and result["frames"] == 8 and result["extractor"] == "i3d"
    assert "fvd" in capsys.readouterr().out


def test_gray_videos_are_seen_in_all_three_channels(i3d_stand_in):
    extractor = metrics.load_extractor(f"i3d:{i3d_stand_in}")
    gray = np.random.default_rng(2).integers(0, 256, (3, 4, 16, 16, 1), dtype=np.uint8)
    np.testing.assert_allclose(extractor(gray), extractor(np.repeat(gray, 3, axis=-1)), rtol=1e-6)
    with pytest.raises(ValueError, match="1 channel"):
        extractor(np.zeros((1, 4, 16, 16, 2), np.uint8))


@pytest.mark.slow
def test_eval_of_a_grayscale_model_loads_gray_real_clips(shapes_dir, i3d_stand_in, tmp_path, capsys):
    gan = build_video_gan("dcgan3d", 8, 8, 16, g_filters=16, d_filters=8, seed=0, channels=1)
    gan.compile(g_optimizer="adam", d_optimizer="adam")
    gan.save(tmp_path / "gray.keras")
    code = cli.main(["eval", str(tmp_path / "gray.keras"), "--data", shapes_dir, "--features",
                     f"i3d:{i3d_stand_in}", "--num-samples", "4", "--out", str(tmp_path / "r.json")])
    assert code == 0, capsys.readouterr().err
    assert json.loads((tmp_path / "r.json").read_text())["num_generated"] == 4
    gray = metrics.real_clips(shapes_dir, 2, 8, 16, grayscale=True)
    assert gray.shape == (2, 8, 16, 16, 1)


def test_extractor_targets_follow_the_manifest(shapes_dir):
    record = read_manifest(shapes_dir)[0]
    targets = shapes_targets(record, start=2, frames=5, source_size=16)
    assert targets["shape"] == SHAPES.index(record["shape"])
    assert targets["colour"] == list(COLOURS).index(record["colour"])
    assert targets["background"] == BACKGROUNDS.index(record["background"])
    # The centre at the clip's frames 0, 2 and 4 (source frames 2, 4, 6), from the frame centre.
    positions = replay_positions(record, 16, 7)
    expected = np.concatenate([positions[2], positions[4], positions[6]]) / 16 - 0.5
    np.testing.assert_allclose(targets["path"], expected)
