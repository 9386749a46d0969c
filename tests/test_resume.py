"""A training run killed mid-epoch and rerun with the same command ends where an uninterrupted
run ends."""

import os
import signal
import subprocess
import sys

import keras
import numpy as np
import pytest

from keras_vidgen import resume

# Runs the real CLI with deterministic kernels; KILL_AFTER_BACKUPS=n SIGKILLs the process right
# after its n-th backup is on disk, so the kill lands at a known step, never mid-write.
WRAPPER = """
import os, signal, sys
import tensorflow as tf
tf.config.experimental.enable_op_determinism()
from keras_vidgen import resume
from keras_vidgen.cli import main

kill_after = int(os.environ.get("KILL_AFTER_BACKUPS", "0"))
if kill_after:
    save, saved = resume.StepBackup.save, []

    def save_then_die(self):
        save(self)
        saved.append(1)
        if len(saved) == kill_after:
            os.kill(os.getpid(), signal.SIGKILL)

    resume.StepBackup.save = save_then_die
sys.exit(main(sys.argv[1:]))
"""

# 3 epochs of 5 steps, a backup every 3 steps: the kill after the first backup is at step 3,
# mid-epoch and mid-way through an n_critic cycle and an R1 interval.
ARGS = [
    "train", "--preset", "tiny", "--epochs", "3", "--steps-per-epoch", "5", "--backup-every", "3",
    "--n-critic", "2", "--ema-decay", "0.9", "--augment", "translation,cutout", "--spectral-norm",
    "--r1-gamma", "1", "--r1-interval", "4", "--no-export", "--seed", "7", "--num-samples", "2",
]


def latest_checkpoint(logdir):
    paths = [os.path.join(logdir, run, "checkpoint.keras") for run in os.listdir(logdir)]
    return max((p for p in paths if os.path.exists(p)), key=os.path.getmtime)


@pytest.mark.slow
def test_a_killed_run_resumes_to_the_same_weights(tmp_path):
    wrapper = tmp_path / "vidgen_deterministic.py"
    wrapper.write_text(WRAPPER)
    env = dict(os.environ, KERAS_VIDGEN_CACHE=str(tmp_path / "cache"), TF_CPP_MIN_LOG_LEVEL="2")

    def run(name, kill_after=0):
        command = [sys.executable, str(wrapper), *ARGS, "--logdir", str(tmp_path / name),
                   "--backup-dir", str(tmp_path / f"{name}-backup")]
        return subprocess.run(command, env=dict(env, KILL_AFTER_BACKUPS=str(kill_after)),
                              capture_output=True, text=True, timeout=900)

    straight = run("straight")
    assert straight.returncode == 0, straight.stderr[-3000:]
    killed = run("resumed", kill_after=1)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-3000:]
    assert os.path.exists(tmp_path / "resumed-backup" / resume.WEIGHTS)
    resumed = run("resumed")
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert "at step 3." in resumed.stdout
    assert not os.path.exists(tmp_path / "resumed-backup" / resume.WEIGHTS)  # done: cleaned up

    expected = keras.models.load_model(latest_checkpoint(tmp_path / "straight"))
    actual = keras.models.load_model(latest_checkpoint(tmp_path / "resumed"))
    assert int(actual.d_optimizer.iterations) == 15 and int(actual.g_optimizer.iterations) == 7
    pairs = list(zip(expected.variables + expected.g_optimizer.variables + expected.d_optimizer.variables,
                     actual.variables + actual.g_optimizer.variables + actual.d_optimizer.variables))
    assert len(pairs) > 40
    for a, b in pairs:
        # Deterministic kernels make this exact in practice; the tolerance allows for CPU
        # kernels that are not bitwise reproducible across processes.
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-5, atol=1e-6, err_msg=a.path)
