"""Predict and interpolate (issue #17): which frames go where, training through fit(), save,
resume, export, the metrics and `vidgen predict`, at tiny shapes."""

import json
import os
import subprocess
import sys

import keras
import numpy as np
import pytest
import tensorflow as tf
from conftest import write_video
from PIL import Image

from keras_vidgen import cli, resume
from keras_vidgen.config import preset
from keras_vidgen.data import load_clip, list_video_files, make_moving_shapes
from keras_vidgen.errors import InputVideoError, ModelError
from keras_vidgen.layers import RangePenalty
from keras_vidgen.metrics.prediction import frame_scores, summarize
from keras_vidgen.models import tasks
from keras_vidgen.predict import load_predictor, predict_video, read_video
from keras_vidgen.prediction_export import export_predictor
from keras_vidgen.train import build_model


def tiny_config(task="predict", observed=2, frames=6, **settings):
    """Batch 2, 16 px, 6 frames, narrow networks (8 filters at 16x16)."""
    return preset("tiny").updated({
        "data.frames": frames, "data.size": 16, "data.batch_size": 2, "model.task": task,
        "model.observed": observed, "model.g_filters": 32, "model.d_filters": 8,
        "model.latent_dim": 8, "gdl_weight": 1.0, **settings,
    }).check()


def clips_dataset(clips, batch_size=2):
    return tf.data.Dataset.from_tensor_slices(tf.constant(clips)).batch(batch_size).repeat()


RANDOM_CLIPS = np.random.default_rng(0).uniform(-1, 1, (4, 6, 16, 16, 3)).astype(np.float32)
# The predictor's layers that measure the motion and make it its kernels' starting point.
MEASURED_MOTION = {"motion_evidence", "measured_velocity", "moving_extent", "border_bounce",
                   "shift_prior"}


def test_the_predictor_clips_its_gradients_and_a_gan_does_not():
    # The predictor's optimizer gets the clipping its config asks for, and a GAN's gets none.
    def clip_of(config):
        return build_model(config).g_optimizer.global_clipnorm

    recon_weight = tiny_config().recon_weight
    assert clip_of(tiny_config()) == pytest.approx(0.1 * recon_weight)
    assert clip_of(tiny_config(g_clip_norm=0.5)) == pytest.approx(0.5)
    assert clip_of(tiny_config(g_clip_norm=0.0)) is None
    assert clip_of(preset("tiny").updated({"data.size": 16, "data.frames": 6}).check()) is None


def test_the_predictors_leashes_pull_runaway_mixing_logits_back():
    # Adam once ran the mixing logits from about 10 to 10^4 in a few steps; the softmax saturated,
    # no gradient reached them through it, and the predictor froze into copying the last frame.
    # The leashes (RangePenalty) pull back through no softmax: with them the logits halve in 20
    # steps, without them they stay.
    def largest_logit(leash_weight, steps):
        keras.utils.set_random_seed(0)
        model = build_model(tiny_config(adversarial_weight=0.0, g_clip_norm=0.0))
        head = model.generator.get_layer("out")
        kernel, bias = head.get_weights()
        pixels = model.generator.output_shape[1] * 3  # the head's first channels; then logits
        kernel[..., pixels:] *= 300
        head.set_weights([kernel, bias])
        for layer in model.generator.layers:
            if isinstance(layer, RangePenalty):
                layer.weight = leash_weight
        if steps:
            model.fit(clips_dataset(RANDOM_CLIPS), epochs=1, steps_per_epoch=steps, verbose=0)
        probe = keras.Model(model.generator.inputs, head.output)
        return float(np.abs(probe(RANDOM_CLIPS[:, :2])[..., pixels:]).max())

    runaway = largest_logit(1.0, steps=0)
    assert runaway > 100
    assert largest_logit(1.0, steps=20) < 0.7 * runaway
    assert largest_logit(0.0, steps=20) > 0.95 * runaway


def test_split_and_assemble_put_every_frame_in_its_place():
    clip = np.arange(6).reshape(1, 6)
    observed, target = tasks.split_clip(clip, "predict", 2)
    assert observed.tolist() == [[0, 1]] and target.tolist() == [[2, 3, 4, 5]]
    observed, target = tasks.split_clip(tf.constant(clip), "interpolate", 4)
    assert observed.numpy().tolist() == [[0, 1, 4, 5]] and target.numpy().tolist() == [[2, 3]]
    for task, count in (("predict", 3), ("interpolate", 2)):
        parts = tasks.split_clip(tf.constant(clip), task, count)
        assert tasks.assemble_clip(*parts, task).numpy().tolist() == clip.tolist()
    with pytest.raises(ValueError, match="generate"):
        tasks.split_clip(clip, "generate", 2)


def test_roll_out_feeds_predictions_back_and_cuts_the_last_round():
    # A "model" that predicts 3 frames, each one more than the last frame it was given.
    calls = []

    def produce(known):
        calls.append(known[0, :, 0].tolist())
        return known[:, -1:] + np.arange(1, 4).reshape(1, 3, 1)

    rolled = tasks.roll_out(produce, np.array([[[0], [1]]]), 7)
    assert rolled[0, :, 0].tolist() == [2, 3, 4, 5, 6, 7, 8]
    assert calls == [[0, 1], [3, 4], [6, 7]]  # always the last 2 known frames


def test_frame_scores_match_hand_computed_values():
    real = np.zeros((2, 3, 16, 16, 3), np.uint8)
    predicted = real.copy()
    predicted[0, 1] = 51  # 0.2 on [0, 1]: MSE 0.04 -> PSNR 10 log10(1 / 0.04) = 13.979 dB
    predicted[1, 2, :8] = 255  # half the frame wrong by 1: MSE 0.5 -> PSNR 3.0103 dB
    scores = frame_scores(real, predicted)
    assert scores["psnr"].shape == (2, 3) and scores["ssim"].shape == (2, 3)
    np.testing.assert_allclose(scores["psnr"][0, 1], 13.9794, rtol=1e-4)
    np.testing.assert_allclose(scores["psnr"][1, 2], 3.0103, rtol=1e-4)
    assert np.isinf(scores["psnr"][0, 0]) and scores["ssim"][0, 0] == pytest.approx(1.0)
    assert scores["ssim"][0, 1] < 1.0
    # Float clips in [-1, 1] score as the uint8 clips they round to.
    as_float = frame_scores(real / 127.5 - 1.0, predicted.astype(np.float32) / 127.5 - 1.0)
    np.testing.assert_allclose(as_float["psnr"][0, 1], scores["psnr"][0, 1], rtol=1e-5)
    summary = summarize({"psnr": np.array([[10.0, 20.0], [30.0, 40.0]])})
    assert summary == {"psnr": 25.0, "psnr_per_frame": [20.0, 30.0]}


@pytest.mark.parametrize("task, observed, adversarial", [
    ("predict", 2, 0.05), ("predict", 4, 0.0), ("interpolate", 2, 0.05), ("interpolate", 4, 0.0)])
def test_each_task_trains_through_fit(task, observed, adversarial):
    model = build_model(tiny_config(task, observed, adversarial_weight=adversarial))
    assert model.generator.output_shape == (None, 6 - observed, 16, 16, 3)
    assert (model.discriminator is None) == (adversarial == 0)
    # The velocity is measured, and its kernels added, when three frames end at the
    # foreground's source (predict 4).
    names = {layer.name for layer in model.generator.layers}
    measured = task == "predict" and observed == 4
    assert (MEASURED_MOTION <= names) if measured else not MEASURED_MOTION & names
    history = model.fit(clips_dataset(RANDOM_CLIPS), epochs=1, steps_per_epoch=2, verbose=0)
    assert int(model.fit_steps.numpy()) == 2
    expected = {"g_loss", "recon_penalty", "gdl_penalty", "g_reg_penalty"}
    if adversarial:
        expected |= {"g_adversarial", "d_loss", "d_real", "d_fake"}
    assert set(history.history) == expected
    assert all(np.isfinite(values[-1]) for values in history.history.values())


@pytest.mark.parametrize("arch", ["vgan", "tgan", "mocogan", "dvdgan"])
def test_every_architectures_discriminator_judges_completed_clips(arch):
    model = build_model(tiny_config(adversarial_weight=0.01, **{"model.arch": arch}))
    history = model.fit(clips_dataset(RANDOM_CLIPS), epochs=1, steps_per_epoch=1, verbose=0)
    assert np.isfinite(history.history["d_loss"][-1])


def test_the_discriminator_sees_the_produced_frames_in_their_place():
    model = build_model(tiny_config("interpolate", 2, adversarial_weight=0.05))
    seen = []
    original = model.discriminator.call

    def spy(inputs, *args, **kwargs):
        seen.append(inputs)
        return original(inputs, *args, **kwargs)

    model.discriminator.call = spy
    model.compile(g_optimizer="adam", d_optimizer="adam", run_eagerly=True, adversarial_weight=0.05)
    model.fit(clips_dataset(RANDOM_CLIPS[:2]), epochs=1, steps_per_epoch=1, verbose=0)
    real, fake = seen[0].numpy(), seen[1].numpy()
    np.testing.assert_array_equal(real, RANDOM_CLIPS[:2])
    # The first and last frames are the observed ones; the four between were produced.
    np.testing.assert_array_equal(fake[:, [0, 5]], RANDOM_CLIPS[:2, [0, 5]])
    assert np.abs(fake[:, 1:5] - RANDOM_CLIPS[:2, 1:5]).mean() > 0.1


@pytest.fixture(scope="module")
def shape_clips(tmp_path_factory):
    folder = make_moving_shapes(str(tmp_path_factory.mktemp("shapes") / "shapes"), num_videos=8,
                                frames=8, size=16, seed=0)
    return np.stack([load_clip(path, 6, 16) for path in list_video_files(folder)])


def test_predictors_train_by_regression_unless_told_otherwise():
    assert build_model(tiny_config()).discriminator is None
    assert build_model(tiny_config(adversarial_weight=0.5)).discriminator is not None


def test_a_short_regression_run_learns_the_moving_shapes(shape_clips):
    keras.utils.set_random_seed(0)
    model = build_model(tiny_config(adversarial_weight=0.0, g_learning_rate=2e-3, beta_1=0.5,
                                    beta_2=0.999))
    clips = shape_clips.astype(np.float32) / 127.5 - 1.0
    observed, future = tasks.split_clip(shape_clips, "predict", 2)
    copy_last = summarize(frame_scores(future, tasks.copy_last_frame(observed, 4).numpy()))["psnr"]
    before = summarize(frame_scores(future, model.predict_frames(observed)))["psnr"]
    history = model.fit(clips_dataset(clips, 4), epochs=6, steps_per_epoch=10, verbose=0)
    recon = history.history["recon_penalty"]
    assert recon[-1] < 0.5 * recon[0], recon
    # After 60 steps the predicted frames beat repeating the last frame (measured: 22.8 dB
    # against 19.8; untrained 15.7), because the background is copied and only the shape drawn.
    after = summarize(frame_scores(future, model.predict_frames(observed)))["psnr"]
    assert after > before + 5.0, (before, after)
    assert after > copy_last + 1.5, (copy_last, after)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """An adversarial predictor (RMSprop G, Adadelta D), 2 steps, saved as .keras."""
    model = build_model(tiny_config(optimizer="rmsprop", d_optimizer="adadelta",
                                    adversarial_weight=0.05, **{"model.ema_decay": 0.9}))
    model.fit(clips_dataset(RANDOM_CLIPS), epochs=1, steps_per_epoch=2, verbose=0)
    path = str(tmp_path_factory.mktemp("predictor") / "checkpoint.keras")
    model.save(path)
    return model, path


def test_save_and_load_keep_networks_optimizers_and_the_random_stream(trained):
    model, path = trained
    loaded = load_predictor(path)
    assert type(loaded.g_optimizer).__name__ == "RMSprop"
    assert type(loaded.d_optimizer).__name__ == "Adadelta"
    assert loaded.task == "predict" and loaded.observed == 2 and loaded.ema_generator is not None
    for a, b in zip(model.variables + model.g_optimizer.variables + model.d_optimizer.variables,
                    loaded.variables + loaded.g_optimizer.variables + loaded.d_optimizer.variables):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    observed = (RANDOM_CLIPS[:2, :2] * 127.5 + 127.5).astype(np.uint8)
    np.testing.assert_array_equal(model.predict_frames(observed, seed=5),
                                  loaded.predict_frames(observed, seed=5))
    assert not np.array_equal(model.predict_frames(observed, seed=5), model.predict_frames(observed, seed=6))


def test_a_resumed_run_ends_with_the_uninterrupted_runs_weights(tmp_path):
    config = tiny_config(adversarial_weight=0.05)

    def make_dataset():
        return clips_dataset(RANDOM_CLIPS)

    def fresh():
        keras.utils.set_random_seed(1)
        return build_model(config)

    whole = fresh()
    resume.fit_resumable(whole, make_dataset, epochs=2, steps_per_epoch=2, verbose=0)
    first_half = fresh()
    first_half.fit(make_dataset(), epochs=1, steps_per_epoch=2, verbose=0)
    backup = resume.StepBackup(str(tmp_path), 0)
    backup.set_model(first_half)
    backup.save()
    resumed = fresh()
    assert resume.fit_resumable(resumed, make_dataset, epochs=2, steps_per_epoch=2,
                                backup_dir=str(tmp_path), verbose=0) == 2
    assert int(resumed.fit_steps.numpy()) == 4
    for a, b in zip(whole.variables + whole.g_optimizer.variables + whole.d_optimizer.variables,
                    resumed.variables + resumed.g_optimizer.variables + resumed.d_optimizer.variables):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), atol=1e-5)


LOAD_WITHOUT_PACKAGE = r"""
import json, sys
import numpy as np
import tensorflow as tf
model = tf.saved_model.load(sys.argv[1])
observed = tf.constant(np.array(json.loads(sys.argv[2]), np.uint8))
frames = model.signatures["serving_default"](observed=observed)["frames"]
seeded = model.signatures["predict_from_seed"](observed=observed, seed=tf.constant(5, tf.int64))
assert not any(name.startswith("keras_vidgen") for name in sys.modules), "imported keras_vidgen"
print(json.dumps({"dtype": frames.dtype.name, "shape": frames.shape.as_list(),
                  "frames": frames.numpy().tolist(), "seeded": seeded["frames"].numpy().tolist()}))
"""


@pytest.mark.slow
def test_export_takes_observed_uint8_frames_and_loads_in_plain_tensorflow(trained, tmp_path):
    model, _ = trained
    path = export_predictor(model, str(tmp_path / "predictor"))
    with open(os.path.join(path, "assets.extra", "config.json")) as file:
        metadata = json.load(file)
    assert metadata["task"] == "predict" and metadata["produced"] == 4
    observed = (RANDOM_CLIPS[:3, :2] * 127.5 + 127.5).astype(np.uint8)
    result = subprocess.run(
        [sys.executable, "-c", LOAD_WITHOUT_PACKAGE, path, json.dumps(observed.tolist())],
        capture_output=True, text=True, timeout=300, cwd=str(tmp_path))
    assert result.returncode == 0, result.stderr[-3000:]
    output = json.loads(result.stdout.strip().splitlines()[-1])
    assert output["dtype"] == "uint8" and output["shape"] == [3, 4, 16, 16, 3]
    for key, seed in (("frames", 0), ("seeded", 5)):
        # The same frames up to float round-off between two processes: a pixel whose value lands
        # on a rounding boundary may come out one level apart.
        got = np.array(output[key], np.int32)
        expected = model.predict_frames(observed, seed=seed).astype(np.int32)
        assert np.abs(got - expected).max() <= 1, key
        assert np.mean(got != expected) < 0.001, key


@pytest.mark.slow
def test_the_measured_motion_predictor_saves_loads_and_exports(tmp_path):
    # Three observed frames: the predictor measures the motion (MEASURED_MOTION; the fixture's
    # two frames do not), and those layers, BorderBounce's learned weight among them, must
    # survive the .keras file and the SavedModel.
    model = build_model(tiny_config(observed=3, adversarial_weight=0.05))
    assert MEASURED_MOTION <= {layer.name for layer in model.generator.layers}
    model.fit(clips_dataset(RANDOM_CLIPS), epochs=1, steps_per_epoch=2, verbose=0)
    model.generator.get_layer("border_bounce").reflect_logit.assign(1.5)  # not its initial value
    model.save(tmp_path / "checkpoint.keras")
    loaded = load_predictor(str(tmp_path / "checkpoint.keras"))
    assert float(loaded.generator.get_layer("border_bounce").reflect_logit.numpy()) == 1.5
    assert loaded.generator.get_layer("measured_velocity").baseline == 1  # frames 0-1 and 1-2
    observed = (RANDOM_CLIPS[:3, :3] * 127.5 + 127.5).astype(np.uint8)
    expected = model.predict_frames(observed, seed=5)
    np.testing.assert_array_equal(loaded.predict_frames(observed, seed=5), expected)
    path = export_predictor(model, str(tmp_path / "predictor"))
    result = subprocess.run(
        [sys.executable, "-c", LOAD_WITHOUT_PACKAGE, path, json.dumps(observed.tolist())],
        capture_output=True, text=True, timeout=300, cwd=str(tmp_path))
    assert result.returncode == 0, result.stderr[-3000:]
    got = np.array(json.loads(result.stdout.strip().splitlines()[-1])["seeded"], np.int32)
    assert got.shape == (3, 3, 16, 16, 3)
    assert np.abs(got - expected.astype(np.int32)).max() <= 1


def test_vidgen_predict_rolls_out_and_writes_the_real_video_beside(trained, tmp_path, capsys):
    model, path = trained
    frames = [np.full((16, 16, 3), 16 * i, np.uint8) for i in range(9)]
    video = write_video(tmp_path / "in.avi", frames, fourcc="MJPG")
    out = str(tmp_path / "out.gif")
    # 10 frames: the model predicts 4 at a time, so 3 rounds; the video has 7 after the observed.
    assert cli.main(["predict", path, "--input", video, "--frames", "10", "--out", out]) == 0
    assert "2 observed + 10 predicted frames, beside the real 7" in capsys.readouterr().out
    gif = Image.open(out)
    assert gif.n_frames == 12 and gif.size == (16 * 2 + 2, 16)


def test_bad_input_videos_name_the_video_and_the_numbers(trained, tmp_path, capsys):
    model, path = trained
    short = write_video(tmp_path / "short.avi", [np.zeros((16, 16, 3), np.uint8)], fourcc="MJPG")
    with pytest.raises(InputVideoError, match=r"short.avi has 1 frame\(s\); the model observes 2"):
        predict_video(model, read_video(short, model.frame_shape), source=short)
    wide = write_video(tmp_path / "wide.avi", [np.zeros((16, 24, 3), np.uint8)] * 3, fourcc="MJPG")
    with pytest.raises(InputVideoError, match=r"wide.avi: frames of 24x16 pixels .* predicts 16x16"):
        read_video(wide, model.frame_shape)
    gray = str(tmp_path / "gray.npy")
    np.save(gray, np.zeros((4, 16, 16, 1), np.uint8))
    with pytest.raises(InputVideoError, match=r"gray.npy: 1 channel\(s\) per frame, but the model takes 3"):
        read_video(gray, model.frame_shape)
    # The command line prints the same message, without a traceback, and fails.
    assert cli.main(["predict", path, "--input", short, "--out", str(tmp_path / "x.gif")]) != 0
    assert "has 1 frame(s); the model observes 2" in capsys.readouterr().err


def test_vidgen_predict_refuses_a_model_that_observes_nothing(tmp_path):
    gan = build_model(preset("tiny"))
    path = str(tmp_path / "gan.keras")
    gan.save(path)
    with pytest.raises(ModelError, match="--task predict or interpolate"):
        load_predictor(path)


def logged_tags(logdir):
    import glob

    tags = {}
    for path in glob.glob(os.path.join(logdir, "**", "events.out.tfevents.*"), recursive=True):
        for event in tf.compat.v1.train.summary_iterator(path):
            for value in event.summary.value:
                tags.setdefault(value.tag, []).append(event.step)
    return tags


@pytest.mark.slow
def test_vidgen_train_task_predict_logs_psnr_and_exports(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("KERAS_VIDGEN_CACHE", str(tmp_path / "cache"))
    code = cli.main(["train", "--preset", "tiny", "--task", "predict", "--observed", "2",
                     "--frames", "6", "--size", "16", "--epochs", "2", "--steps-per-epoch", "2",
                     "--adversarial-weight", "0", "--gdl-weight", "1", "--optimizer", "rmsprop",
                     "--logdir", str(tmp_path / "runs"), "--export-dir", str(tmp_path / "exports")])
    assert code == 0
    (run,) = os.listdir(tmp_path / "runs")
    tags = logged_tags(str(tmp_path / "runs" / run / "logs"))
    assert tags["prediction/psnr"] == [2, 4]  # the fixed batch, after each epoch
    assert {"prediction_per_frame/psnr_04", "prediction_per_frame/ssim_01", "prediction/rows",
            "prediction/video", "penalty/recon", "penalty/gdl", "lr/g"} <= set(tags)
    assert "lr/d" not in tags  # regression alone: no discriminator, no D optimizer
    assert os.path.exists(tmp_path / "exports" / "vidgen" / "1" / "saved_model.pb")
    assert Image.open(tmp_path / "runs" / run / "samples.gif").n_frames == 6
    # A regression-only checkpoint (no discriminator, no D optimizer) loads and predicts alike.
    loaded = load_predictor(str(tmp_path / "runs" / run / "checkpoint.keras"))
    assert loaded.discriminator is None and loaded.d_optimizer is None
    assert type(loaded.g_optimizer).__name__ == "RMSprop" and int(loaded.fit_steps.numpy()) == 4
