"""tf.distribute: training on 2 replicas must equal training on one device with the same global batch."""

import json
import subprocess
import sys

import pytest

MIRRORED_VS_SINGLE = r"""
import json
import numpy as np
import tensorflow as tf
cpus = tf.config.list_physical_devices("CPU")
tf.config.set_logical_device_configuration(cpus[0], [tf.config.LogicalDeviceConfiguration()] * 2)
import keras
from keras_vidgen.models import build_video_gan

def trained(strategy):
    with strategy.scope():
        keras.utils.set_random_seed(0)
        gan = build_video_gan("dcgan3d", 8, 4, 16, g_filters=16, d_filters=8, seed=0)
        gan.compile(g_optimizer=keras.optimizers.Adam(1e-3), d_optimizer=keras.optimizers.Adam(1e-3))
    clips = np.random.default_rng(0).uniform(-1, 1, (8, 4, 16, 16, 3)).astype("float32")
    dataset = tf.data.Dataset.from_tensor_slices(clips).batch(4).repeat()
    history = gan.fit(dataset, epochs=1, steps_per_epoch=3, verbose=0).history
    return gan, {name: values[-1] for name, values in history.items()}

single, single_logs = trained(tf.distribute.get_strategy())
mirrored, mirrored_logs = trained(tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"]))
assert mirrored.distribute_strategy.num_replicas_in_sync == 2
difference = max(float(np.abs(a.numpy() - b.numpy()).max()) for a, b in zip(single.weights, mirrored.weights))
print(json.dumps({"max_weight_difference": difference, "single": single_logs, "mirrored": mirrored_logs}))
"""


@pytest.mark.slow
def test_mirrored_training_on_two_replicas_matches_one_device():
    result = subprocess.run([sys.executable, "-c", MIRRORED_VS_SINGLE], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["max_weight_difference"] < 1e-5
    for name, value in report["single"].items():
        assert report["mirrored"][name] == pytest.approx(value, rel=1e-4, abs=1e-6), name
