"""Training under a two-replica MirroredStrategy (two logical CPUs, in a subprocess: logical
devices must be set before TensorFlow starts)."""

import subprocess
import sys

import pytest

SCRIPT = """
import tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
import numpy as np
from keras_vidgen.models import build_video_gan

strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
with strategy.scope():
    gan = build_video_gan("mocogan", 8, 4, 16, 32, 8, seed=0, ema_decay=0.9, spectral_norm=True,
                          num_classes=2)
    gan.compile(g_optimizer="adam", d_optimizer="adam", loss="wgan-gp", r1_gamma=1.0,
                r1_interval=2, augment="color,translation,cutout")
clips = np.random.default_rng(0).uniform(-1, 1, (4, 4, 16, 16, 3)).astype("float32")
data = tf.data.Dataset.from_tensors((clips, np.array([0, 1, 0, 1], "int32"))).repeat()
history = gan.fit(data, steps_per_epoch=2, verbose=0).history
assert all(np.isfinite(values[-1]) for values in history.values()), history
with strategy.scope():
    other = build_video_gan("dcgan3d", 8, 4, 16, 32, 8, seed=0)
    try:
        other.compile(g_optimizer="adam", d_optimizer="adam", n_critic=2)
    except ValueError as error:
        assert "single replica" in str(error)
    else:
        raise AssertionError("n_critic=2 was accepted under two replicas")
print("OK", sorted(history))
"""


@pytest.mark.slow
def test_every_option_trains_under_two_replicas():
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                            timeout=600, env={"TF_CPP_MIN_LOG_LEVEL": "2", **__import__("os").environ})
    assert result.returncode == 0, result.stderr[-3000:]
    assert "OK" in result.stdout and "gp_penalty" in result.stdout
