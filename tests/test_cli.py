import glob
import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from keras_vidgen import cli
from keras_vidgen.train import seed_run

TINY = ["--preset", "tiny", "--epochs", "2", "--steps-per-epoch", "2", "--seed", "3"]


def vidgen_executable():
    found = shutil.which("vidgen") or os.path.join(os.path.dirname(sys.executable), "vidgen")
    assert os.path.exists(found), "the vidgen console script is not installed (pip install -e .)"
    return found


def summaries(logdir, tag):
    """Yields (event, value) of every summary with `tag` in the event files below `logdir`."""
    for path in glob.glob(os.path.join(logdir, "**", "events.out.tfevents.*"), recursive=True):
        for event in tf.compat.v1.train.summary_iterator(path):
            for value in event.summary.value:
                if value.tag == tag:
                    yield event, value


@pytest.fixture(scope="module")
def trained_run(tmp_path_factory):
    """One real `vidgen train` run through the installed console script, on the built-in data."""
    root = tmp_path_factory.mktemp("cli")
    environment = dict(os.environ, KERAS_VIDGEN_CACHE=str(root / "cache"))
    result = subprocess.run(
        [vidgen_executable(), "train", *TINY, "--name", "tiny", "--logdir", str(root / "runs"),
         "--export-dir", str(root / "exports")],
        capture_output=True, text=True, timeout=600, cwd=str(root), env=environment,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    (run_dir,) = glob.glob(str(root / "runs" / "tiny-*"))
    return root, run_dir, result.stdout


@pytest.mark.slow
def test_train_writes_logs_with_a_gif_checkpoint_export_and_sample(trained_run):
    root, run_dir, stdout = trained_run
    logs = os.path.join(run_dir, "logs")
    gifs = list(summaries(os.path.join(logs, "train"), "samples/video"))
    assert len(gifs) == 2  # one per epoch
    event, value = gifs[-1]
    assert value.metadata.plugin_data.plugin_name == "images"
    width, height, encoded = value.tensor.string_val
    assert encoded.startswith(b"GIF89a") and int(width) > 0 and int(height) > 0
    assert [event.step for event, _ in summaries(os.path.join(logs, "epoch"), "loss/d")] == [2, 4]
    assert list(summaries(os.path.join(logs, "epoch"), "lr/g"))
    assert list(summaries(os.path.join(logs, "train"), "real/video"))
    assert list(summaries(os.path.join(logs, "hparams"), "_hparams_/session_start_info"))

    assert tf.saved_model.contains_saved_model(str(root / "exports" / "tiny" / "1"))
    with open(root / "exports" / "tiny" / "1" / "assets.extra" / "config.json") as file:
        assert json.load(file)["train_config"]["name"] == "tiny"
    for name in ("config.json", "checkpoint.keras", "samples.gif"):
        assert os.path.exists(os.path.join(run_dir, name)), name
    assert Image.open(os.path.join(run_dir, "samples.gif")).n_frames == 4
    assert "tensorboard --logdir" in stdout and str(root / "exports" / "tiny" / "1") in stdout


@pytest.mark.slow
@pytest.mark.parametrize("source", ["checkpoint", "export"])
def test_sample_from_a_checkpoint_or_an_export(trained_run, source, tmp_path):
    root, run_dir, _ = trained_run
    model = os.path.join(run_dir, "checkpoint.keras") if source == "checkpoint" else str(root / "exports" / "tiny")
    out = str(tmp_path / "out.gif")
    assert cli.main(["sample", model, "--num", "3", "--out", out, "--seed", "1"]) == 0
    gif = Image.open(out)
    assert gif.n_frames == 4 and gif.size == (32, 32)  # 3 videos of 16 px tiled 2 x 2


@pytest.mark.slow
def test_export_a_checkpoint_as_a_new_version(trained_run, tmp_path):
    _, run_dir, _ = trained_run
    checkpoint = os.path.join(run_dir, "checkpoint.keras")
    args = ["export", checkpoint, "--export-dir", str(tmp_path), "--name", "m"]
    assert cli.main(args) == 0
    assert cli.main(args) == 0
    assert sorted(os.listdir(tmp_path / "m")) == ["1", "2"]
    # The run's config.json beside the checkpoint travels into the export.
    with open(tmp_path / "m" / "2" / "assets.extra" / "config.json") as file:
        assert json.load(file)["train_config"]["seed"] == 3
    assert cli.main(args + ["--version", "1"]) == 1  # refuses to overwrite


def test_make_shapes(tmp_path):
    out = str(tmp_path / "shapes")
    assert cli.main(["make-shapes", out, "--num", "3", "--frames", "6", "--size", "16"]) == 0
    assert len(glob.glob(os.path.join(out, "*.mp4"))) == 3


def test_train_with_a_glob_that_matches_nothing_names_it(tmp_path, capsys):
    pattern = str(tmp_path / "none" / "*.mp4")
    code = cli.main(["train", *TINY, "--data", pattern, "--logdir", str(tmp_path / "runs"), "--no-export"])
    assert code == 1
    assert pattern in capsys.readouterr().err


def test_flags_override_the_preset():
    args = cli.build_parser().parse_args(["train", "--preset", "tiny", "--frames", "6", "--loss", "bce",
                                          "--lr-schedule", "cosine", "--no-export"])
    config = cli.config_from_args(args)
    assert config.data.frames == 6 and config.loss == "bce" and config.export_dir is None
    assert config.lr_schedule == "cosine"
    assert config.data.size == 16  # untouched preset value


def test_the_main_jobs_time_budget_is_set_and_can_be_lifted():
    parse = cli.build_parser().parse_args
    assert cli.config_from_args(parse(["train"])).max_minutes == 6
    assert cli.config_from_args(parse(["train", "--no-time-limit"])).max_minutes is None
    assert cli.config_from_args(parse(["train", "--max-minutes", "2.5"])).max_minutes == 2.5


def test_a_run_is_seeded_and_repeatable_turns_the_graph_optimiser_off_and_on_again():
    parse = cli.build_parser().parse_args
    try:
        for flags, optimiser_off in ((["--repeatable"], True), ([], False)):
            config = cli.config_from_args(parse(["train", "--seed", "5", *flags]))
            seed_run(config)
            first = np.random.rand(), float(tf.random.uniform([]))
            seed_run(config)
            assert (np.random.rand(), float(tf.random.uniform([]))) == first
            options = tf.config.optimizer.get_experimental_options()
            assert options["disable_meta_optimizer"] is optimiser_off
    finally:
        tf.config.optimizer.set_experimental_options({"disable_meta_optimizer": False})


def test_sample_of_a_missing_model_names_it(tmp_path, capsys):
    missing = str(tmp_path / "nope.keras")
    assert cli.main(["sample", missing]) == 1
    assert missing in capsys.readouterr().err


def test_data_flags_reach_the_config():
    args = cli.build_parser().parse_args([
        "train", "--fps", "8", "--clips-per-video", "all", "--crop", "random", "--flip",
        "--labels", "folder", "--short-videos", "skip", "--on-error", "skip", "--cache", "memory",
        "--no-validate",
    ])
    data = cli.config_from_args(args).data
    assert (data.fps, data.clips_per_video, data.crop, data.flip, data.labels) == (8.0, "all", "random", True, "folder")
    assert (data.short_videos, data.on_error, data.cache, data.validate) == ("skip", "skip", "memory", False)
    assert data.grayscale is False  # unset flags keep the preset's value


def test_inspect_data_reports_what_the_pipeline_would_see(tmp_path, capsys, broken_files):
    from conftest import numbered_frames, write_video

    for name, count in (("a", 20), ("b", 20), ("short", 2)):
        (tmp_path / "cls").mkdir(exist_ok=True)
        write_video(tmp_path / "cls" / f"{name}.avi", numbered_frames(count), fourcc="MJPG", fps=10)
    shutil.copy(broken_files["text"], tmp_path / "cls" / "text.mp4")
    code = cli.main(["inspect-data", str(tmp_path), "--frames", "4", "--short-videos", "skip", "--labels", "folder"])
    out = capsys.readouterr().out
    assert code == 0
    assert "4 found, 3 readable, 1 unreadable" in out
    assert "Frame rates:  10.0 fps x 3" in out and "Resolutions:  40x32 x 3" in out
    assert "2 clip(s) per pass from 2 video(s)" in out
    assert "1 video(s) shorter than one clip -> short_videos='skip'" in out and "short.avi" in out
    assert "text.mp4: no decoder recognises it" in out
    assert "Classes:      1: cls (4)" in out


def test_a_bad_video_met_during_training_is_one_clean_line(tmp_path, capsys, broken_files):
    from conftest import numbered_frames, write_video

    write_video(tmp_path / "good.avi", numbered_frames(6), fourcc="MJPG")
    shutil.copy(broken_files["text"], tmp_path / "text.mp4")
    code = cli.main(["train", *TINY, "--data", str(tmp_path), "--no-validate", "--logdir",
                     str(tmp_path / "runs"), "--no-export"])
    err = capsys.readouterr().err
    assert code == 1
    assert "text.mp4" in err and "no decoder" in err and "Traceback" not in err


def test_method_flags_reach_the_config():
    args = cli.build_parser().parse_args([
        "train", "--preset", "tiny", "--arch", "mocogan", "--loss", "wgan-gp", "--n-critic", "5",
        "--gp-weight", "5", "--r1-gamma", "0.5", "--r1-interval", "16", "--spectral-norm",
        "--ema-decay", "0.999", "--augment", "color,cutout", "--context-frames", "2",
        "--num-classes", "3", "--backup-dir", "bk", "--backup-every", "20",
    ])
    config = cli.config_from_args(args)
    assert (config.model.arch, config.model.spectral_norm, config.model.ema_decay) == ("mocogan", True, 0.999)
    assert (config.model.context_frames, config.model.num_classes) == (2, 3)
    assert (config.loss, config.n_critic, config.gp_weight) == ("wgan-gp", 5, 5.0)
    assert (config.r1_gamma, config.r1_interval, config.augment) == (0.5, 16, "color,cutout")
    assert (config.backup_dir, config.backup_every) == ("bk", 20)
    unset = cli.config_from_args(cli.build_parser().parse_args(["train", "--preset", "tiny"]))
    assert unset.model.spectral_norm is True and unset.backup_dir is None  # the config's defaults
    off = cli.config_from_args(cli.build_parser().parse_args(["train", "--no-spectral-norm", "--ema-decay", "0"]))
    assert off.model.spectral_norm is False and not off.model.ema_decay
