import glob
import os

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_vidgen import callbacks
from keras_vidgen.models import build_video_gan


def read_scalars(folder):
    """Returns {tag: [(step, value), ...]} from the event files in `folder`."""
    scalars = {}
    for path in glob.glob(os.path.join(folder, "events.out.tfevents.*")):
        for event in tf.compat.v1.train.summary_iterator(path):
            for value in event.summary.value:
                if value.metadata.plugin_data.plugin_name == "scalars":
                    number = float(tf.make_ndarray(value.tensor))
                    scalars.setdefault(value.tag, []).append((event.step, number))
    return scalars


@pytest.fixture
def trained_logs(tmp_path):
    gan = build_video_gan("dcgan3d", 8, 4, 16, g_filters=16, d_filters=8, seed=0)
    gan.compile(g_optimizer=keras.optimizers.Adam(1e-3), d_optimizer=keras.optimizers.Adam(3e-4))
    clips = np.random.default_rng(0).uniform(-1, 1, (2, 4, 16, 16, 3)).astype("float32")
    dataset = tf.data.Dataset.from_tensors(clips).repeat()
    real = np.zeros((2, 4, 16, 16, 3), np.uint8)
    logdir = str(tmp_path)
    gan.fit(
        dataset, epochs=2, steps_per_epoch=3, verbose=0,
        callbacks=[
            callbacks.ScalarLogger(logdir, batch_size=2, update_freq=2),
            callbacks.VideoSamples(logdir, num_samples=2, every_n_steps=4, real_clips=real),
            callbacks.HParamsLogger(logdir, {"loss": "hinge", "g_lr": 1e-3}),
        ],
    )
    return logdir


@pytest.mark.parametrize(
    "name, tag",
    [("d_loss", "loss/d"), ("g_fake", "metrics/g_fake"), ("r1_penalty", "penalty/r1")],
)
def test_scalar_tags_are_grouped(name, tag):
    assert callbacks.scalar_tag(name) == tag


def test_per_step_and_per_epoch_scalars_share_the_step_axis(trained_logs):
    steps = read_scalars(os.path.join(trained_logs, "train"))
    epochs = read_scalars(os.path.join(trained_logs, "epoch"))
    assert [step for step, _ in steps["loss/d"]] == [2, 4, 6]
    assert [step for step, _ in epochs["loss/g"]] == [3, 6]
    for tag in ("d/real", "d/fake", "speed/clips_per_sec"):
        assert tag in epochs
    assert all(value > 0 for _, value in epochs["speed/clips_per_sec"])


def test_the_real_learning_rates_are_logged(trained_logs):
    epochs = read_scalars(os.path.join(trained_logs, "epoch"))
    assert epochs["lr/g"][0][1] == pytest.approx(1e-3)
    assert epochs["lr/d"][0][1] == pytest.approx(3e-4)


def test_videos_are_logged_at_steps_and_epochs(trained_logs):
    tags = {}
    for path in glob.glob(os.path.join(trained_logs, "train", "events.out.tfevents.*")):
        for event in tf.compat.v1.train.summary_iterator(path):
            for value in event.summary.value:
                tags.setdefault(value.tag, []).append(event.step)
    assert sorted(tags["samples/video"]) == [3, 4, 6]  # epoch ends 3 and 6, step 4
    assert tags["real/video"] == [0]
    assert "samples/frames" in tags


def test_hparams_and_final_metrics_are_recorded(trained_logs):
    final = read_scalars(os.path.join(trained_logs, "hparams"))
    assert "final/loss/d" in final
    tags = set()
    for path in glob.glob(os.path.join(trained_logs, "hparams", "events.out.tfevents.*")):
        for event in tf.compat.v1.train.summary_iterator(path):
            tags.update(value.tag for value in event.summary.value)
    assert {"_hparams_/experiment", "_hparams_/session_start_info"} <= tags


def test_flatten_hparams():
    flat = callbacks.flatten_hparams({"data": {"frames": 4, "data": None}, "loss": "bce"})
    assert flat == {"data.frames": 4, "data.data": "None", "loss": "bce"}


def test_time_limit_stops_training_early_and_says_so_before_any_step_time(capsys):
    gan = build_video_gan("dcgan3d", 8, 4, 16, g_filters=16, d_filters=8, seed=0)
    gan.compile(g_optimizer="adam", d_optimizer="adam")
    dataset = tf.data.Dataset.from_tensors(np.zeros((2, 4, 16, 16, 3), np.float32)).repeat()
    limit = callbacks.TimeLimit(minutes=0)
    gan.fit(dataset, epochs=3, steps_per_epoch=5, verbose=0, callbacks=[limit])
    assert limit.stopped_at_step == 1 and int(gan.g_optimizer.iterations) == 1
    assert limit.estimate is None
    assert ("The 0-minute budget ran out after 1 steps, before the step time was measured"
            in capsys.readouterr().out)


class _StepClock(keras.callbacks.Callback):
    """A clock for `TimeLimit` on which every training step takes exactly `seconds` and nothing
    else takes time (not tracing, not a busy machine), so the budget's arithmetic is exact."""

    def __init__(self, seconds, epoch_end_seconds=0.0):
        super().__init__()
        self.seconds = seconds
        self.epoch_end_seconds = epoch_end_seconds
        self.now = 0.0

    def __call__(self):
        return self.now

    def on_train_batch_end(self, batch, logs=None):  # runs before TimeLimit's: listed first
        self.now += self.seconds

    def on_epoch_end(self, epoch, logs=None):  # checkpoints, samples, summaries
        self.now += self.epoch_end_seconds


def _fit_with_step_clock(epochs, steps_per_epoch, minutes, epoch_end_seconds=0.0):
    gan = build_video_gan("dcgan3d", 8, 4, 16, g_filters=16, d_filters=8, seed=0)
    gan.compile(g_optimizer="adam", d_optimizer="adam")
    dataset = tf.data.Dataset.from_tensors(np.zeros((2, 4, 16, 16, 3), np.float32)).repeat()
    clock = _StepClock(0.25, epoch_end_seconds)  # binary fractions: their sums are exact
    limit = callbacks.TimeLimit(minutes=minutes, timed_steps=3, clock=clock)
    gan.fit(dataset, epochs=epochs, steps_per_epoch=steps_per_epoch, verbose=0,
            callbacks=[clock, limit])
    return gan, limit


def test_time_limit_says_up_front_where_the_budget_will_stop_the_run(capsys):
    # 100 steps of 0.25 s (25 s) against a 15 s budget: the estimate comes after 2 + 3 steps
    # (1.25 s), and the budget stops the run after 60.
    gan, limit = _fit_with_step_clock(epochs=2, steps_per_epoch=50, minutes=0.25)
    out = capsys.readouterr().out
    assert "Training for at most 0.25 minutes" in out
    assert limit.estimate == ("250 ms a step here: the remaining 95 steps take about 0.4 minutes; "
                              "the 0.25-minute budget stops training after about 60 of 100 steps. "
                              "`vidgen doctor` shows why this machine is slower.")
    assert limit.estimate in out
    assert limit.stopped_at_step == 60 and int(gan.g_optimizer.iterations) == 60
    assert limit.forecasts == [limit.estimate]  # the steps kept their pace: nothing to revise
    # and says where it did, as a busy machine may stop it earlier than the estimate
    assert ("The 0.25-minute budget stopped training after 60 steps (`vidgen train "
            "--no-time-limit` lifts it).") in out


def test_time_limit_forecasts_again_from_the_wall_time_once_the_epochs_ends_are_counted(capsys):
    # Steps of 0.25 s, and 2.5 s at each epoch's end that the first steps cannot see: the first
    # estimate says 100 steps fit in 30 s; from the first epoch's end it says where the budget
    # really stops the run (each epoch takes 5 s: six epochs, and one step of the seventh).
    _, limit = _fit_with_step_clock(epochs=10, steps_per_epoch=10, minutes=0.5, epoch_end_seconds=2.5)
    assert limit.forecasts[0] == limit.estimate == (
        "250 ms a step here: the remaining 95 steps take about 0.4 minutes, within the 0.5-minute budget.")
    # (5.0 s - 0.5 s of tracing) / 8 steps; 25 s left
    assert limit.forecasts[1] == (
        "After 10 steps, 562 ms a step here counting the epochs' ends: the remaining 90 steps take "
        "about 0.8 minutes; the 0.5-minute budget stops training after about 54 of 100 steps. "
        "`vidgen doctor` shows why this machine is slower.")
    out = capsys.readouterr().out
    assert all(forecast in out for forecast in limit.forecasts)
    # Printed again only when it moves by more than 3 of the 100 steps (57 at step 20, 58, 59...).
    assert len(limit.forecasts) < 6
    assert limit.stopped_at_step == 61


def test_time_limit_keeps_one_budget_over_a_resumed_runs_two_fits():
    # `resume.fit_resumable` finishes a partial epoch in one `fit()` and the rest in another,
    # with the same callbacks: the second must not start the budget again.
    gan = build_video_gan("dcgan3d", 8, 4, 16, g_filters=16, d_filters=8, seed=0)
    gan.compile(g_optimizer="adam", d_optimizer="adam")
    dataset = tf.data.Dataset.from_tensors(np.zeros((2, 4, 16, 16, 3), np.float32)).repeat()
    clock = _StepClock(0.25)
    # A run of 150 steps whose first fit() is a partial epoch of 20 steps, as a resumed run's.
    limit = callbacks.TimeLimit(minutes=0.25, timed_steps=3, clock=clock, total_steps=150)
    gan.fit(dataset, epochs=1, steps_per_epoch=20, verbose=0, callbacks=[clock, limit])
    # The forecast counts the run's steps, not the first fit's 20.
    assert limit.estimate.endswith("stops training after about 60 of 150 steps. "
                                   "`vidgen doctor` shows why this machine is slower.")
    gan.fit(dataset, initial_epoch=1, epochs=3, steps_per_epoch=50, verbose=0, callbacks=[clock, limit])
    assert limit.stopped_at_step == 60 and int(gan.g_optimizer.iterations) == 60


def test_time_limit_of_a_run_within_its_budget_says_so_and_lets_it_finish(capsys):
    gan, limit = _fit_with_step_clock(epochs=2, steps_per_epoch=10, minutes=1)
    assert limit.estimate == ("250 ms a step here: the remaining 15 steps take about 0.1 minutes, "
                              "within the 1-minute budget.")
    assert limit.stopped_at_step is None and int(gan.g_optimizer.iterations) == 20
    assert "budget stopped training" not in capsys.readouterr().out


def test_time_limit_of_an_open_ended_run_says_only_where_the_budget_stops_it():
    # A step count set only as a bound (as the benchmarks do): 10**9 steps against 0.25 minutes.
    _, limit = _fit_with_step_clock(epochs=10**6, steps_per_epoch=1000, minutes=0.25)
    assert limit.estimate == "250 ms a step here: the 0.25-minute budget stops training after about 60 steps."
    assert limit.stopped_at_step == 60
