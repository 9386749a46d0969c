"""tf.distribute: training on 2 replicas must equal training on one device with the same global batch."""

import json
import os
import socket
import subprocess
import sys

import pytest

MIRRORED_VS_SINGLE = r"""
import json, sys
import numpy as np
import tensorflow as tf
cpus = tf.config.list_physical_devices("CPU")
tf.config.set_logical_device_configuration(cpus[0], [tf.config.LogicalDeviceConfiguration()] * 2)
import keras
from keras_vidgen.models import build_video_gan

def trained(strategy):
    with strategy.scope():
        keras.utils.set_random_seed(0)
        gan = build_video_gan(sys.argv[1], 8, 4, 16, g_filters=16, d_filters=8, seed=0)
        # SGD, not Adam: Adam steps every weight by about the learning rate whatever its
        # gradient's size, so a gradient that is 0 up to rounding moves a full step either way
        # (stylegan-v's weights differed by 2.8e-4 after 3 steps on a Zen 4 EPYC while the
        # losses agreed to 1e-6), and it is blind to a gradient scaled wrongly across replicas,
        # which SGD shows at once. With SGD the two runs differ by rounding (1e-7).
        gan.compile(g_optimizer=keras.optimizers.SGD(0.1), d_optimizer=keras.optimizers.SGD(0.1))
    # A global batch of 8: 4 a replica, one whole group of stylegan-v's minibatch standard
    # deviation (groups of 4 consecutive clips), so both runs group the clips alike.
    clips = np.random.default_rng(0).uniform(-1, 1, (8, 4, 16, 16, 3)).astype("float32")
    dataset = tf.data.Dataset.from_tensor_slices(clips).batch(8).repeat()
    history = gan.fit(dataset, epochs=1, steps_per_epoch=3, verbose=0).history
    return gan, {name: values[-1] for name, values in history.items()}

single, single_logs = trained(tf.distribute.get_strategy())
mirrored, mirrored_logs = trained(tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"]))
assert mirrored.distribute_strategy.num_replicas_in_sync == 2
difference = max(float(np.abs(a.numpy() - b.numpy()).max()) for a, b in zip(single.weights, mirrored.weights))
print(json.dumps({"max_weight_difference": difference, "single": single_logs, "mirrored": mirrored_logs}))
"""


@pytest.mark.slow
# stylegan-v: its sparse frames and time offsets are drawn for the global batch, as the latents.
@pytest.mark.parametrize("arch", ["dcgan3d", "stylegan-v"])
def test_mirrored_training_on_two_replicas_matches_one_device(arch):
    result = subprocess.run([sys.executable, "-c", MIRRORED_VS_SINGLE, arch], capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["max_weight_difference"] < 1e-5
    for name, value in report["single"].items():
        assert report["mirrored"][name] == pytest.approx(value, rel=1e-4, abs=1e-6), name


# Trains on a fixed global batch under the strategy named by argv[1] and prints a checksum.
TRAIN_AND_REPORT = r"""
import json, sys
import numpy as np
import tensorflow as tf
strategy = tf.distribute.MultiWorkerMirroredStrategy() if sys.argv[1] == "multiworker" else tf.distribute.get_strategy()
import keras
from keras_vidgen.models import build_video_gan
with strategy.scope():
    keras.utils.set_random_seed(0)
    gan = build_video_gan("dcgan3d", 8, 4, 16, g_filters=16, d_filters=8, seed=0)
    gan.compile(g_optimizer=keras.optimizers.Adam(1e-3), d_optimizer=keras.optimizers.Adam(1e-3))
clips = np.random.default_rng(0).uniform(-1, 1, (8, 4, 16, 16, 3)).astype("float32")
dataset = tf.data.Dataset.from_tensor_slices(clips).batch(4).repeat()  # global batch 4
options = tf.data.Options()
options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
history = gan.fit(dataset.with_options(options), epochs=1, steps_per_epoch=3, verbose=0).history
weights = np.concatenate([v.numpy().ravel() for v in gan.weights])
print("RESULT " + json.dumps({"logs": {k: float(v[-1]) for k, v in history.items()},
                              "weights": weights[::97].tolist()}))
"""


def free_ports(count):
    sockets = [socket.socket() for _ in range(count)]
    for sock in sockets:
        sock.bind(("127.0.0.1", 0))
    ports = [sock.getsockname()[1] for sock in sockets]
    for sock in sockets:
        sock.close()
    return ports


def parse_result(stdout):
    (line,) = [line for line in stdout.splitlines() if line.startswith("RESULT ")]
    return json.loads(line[len("RESULT "):])


@pytest.mark.slow
def test_two_workers_on_localhost_match_each_other_and_one_device():
    ports = free_ports(2)
    cluster = {"worker": [f"127.0.0.1:{port}" for port in ports]}
    workers = []
    for index in range(2):
        config = json.dumps({"cluster": cluster, "task": {"type": "worker", "index": index}})
        workers.append(subprocess.Popen(
            [sys.executable, "-c", TRAIN_AND_REPORT, "multiworker"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env=dict(os.environ, TF_CONFIG=config),
        ))
    outputs = []
    try:
        for worker in workers:
            stdout, stderr = worker.communicate(timeout=600)
            assert worker.returncode == 0, stderr[-3000:]
            outputs.append(parse_result(stdout))
    finally:
        for worker in workers:
            worker.kill()
    single = subprocess.run([sys.executable, "-c", TRAIN_AND_REPORT, "single"],
                            capture_output=True, text=True, timeout=600)
    assert single.returncode == 0, single.stderr[-3000:]
    reference = parse_result(single.stdout)

    assert outputs[0]["weights"] == outputs[1]["weights"]  # the workers stay in lockstep
    assert outputs[0]["logs"] == outputs[1]["logs"]
    assert outputs[0]["weights"] == pytest.approx(reference["weights"], abs=1e-5)
    for name, value in reference["logs"].items():
        assert outputs[0]["logs"][name] == pytest.approx(value, rel=1e-4, abs=1e-6), name


@pytest.mark.parametrize(
    "config, expected",
    [
        (None, (0, 1)),
        ({"cluster": {"worker": ["a:1", "b:1"]}, "task": {"type": "worker", "index": 1}}, (1, 2)),
        ({"cluster": {"chief": ["c:1"], "worker": ["a:1", "b:1"]}, "task": {"type": "chief", "index": 0}}, (0, 3)),
        ({"cluster": {"chief": ["c:1"], "worker": ["a:1", "b:1"]}, "task": {"type": "worker", "index": 1}}, (2, 3)),
    ],
)
def test_worker_index_and_count_from_tf_config(monkeypatch, config, expected):
    from keras_vidgen import distribute

    if config is None:
        monkeypatch.delenv("TF_CONFIG", raising=False)
    else:
        monkeypatch.setenv("TF_CONFIG", json.dumps(config))
    assert distribute.worker_index_and_count() == expected
    assert distribute.is_chief() == (expected[0] == 0)


def test_multiworker_without_tf_config_is_explained(monkeypatch):
    from keras_vidgen import distribute

    monkeypatch.delenv("TF_CONFIG", raising=False)
    with pytest.raises(ValueError, match="TF_CONFIG"):
        distribute.make_strategy("multiworker")
    with pytest.raises(ValueError, match="mirrored"):
        distribute.make_strategy("tpu-pod")


def test_file_shards_are_disjoint_and_complete(tmp_path):
    import numpy as np
    from conftest import write_video

    from keras_vidgen.data import video_dataset

    for grey in (40, 80, 120, 160):
        write_video(tmp_path / f"g{grey}.avi", [np.full((16, 16, 3), grey, np.uint8)] * 3, fourcc="MJPG")
    seen = []
    for index in range(2):
        dataset = video_dataset(str(tmp_path), frames=2, size=16, batch_size=1, num_shards=2, shard_index=index)
        greys = {round((float(clip.numpy().mean()) + 1) * 127.5 / 40) * 40 for clip in dataset}
        assert len(greys) == 2
        seen.append(greys)
    assert seen[0].isdisjoint(seen[1]) and seen[0] | seen[1] == {40, 80, 120, 160}


@pytest.mark.slow
def test_vidgen_train_on_two_workers_writes_outputs_from_the_chief_only(tmp_path):
    vidgen = os.path.join(os.path.dirname(sys.executable), "vidgen")
    ports = free_ports(2)
    cluster = {"worker": [f"127.0.0.1:{port}" for port in ports]}
    command = [vidgen, "train", "--preset", "tiny", "--strategy", "multiworker", "--name", "mw",
               "--logdir", str(tmp_path / "runs"), "--export-dir", str(tmp_path / "exports")]
    scratch = tmp_path / "tmp"  # where the non-chief worker's throwaway saves go
    scratch.mkdir()
    workers = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=str(tmp_path),
                         env=dict(os.environ, KERAS_VIDGEN_CACHE=str(tmp_path / "cache"), TMPDIR=str(scratch),
                                  TF_CONFIG=json.dumps({"cluster": cluster, "task": {"type": "worker", "index": i}})))
        for i in range(2)
    ]
    outputs = []
    try:
        for worker in workers:
            stdout, stderr = worker.communicate(timeout=600)
            assert worker.returncode == 0, stderr[-3000:]
            outputs.append(stdout)
    finally:
        for worker in workers:
            worker.kill()
    assert len(os.listdir(tmp_path / "runs")) == 1
    assert os.listdir(tmp_path / "exports" / "mw") == ["1"]
    assert "SavedModel:" in outputs[0] and "the chief (worker 0) wrote" in outputs[1]
    assert not [name for name in os.listdir(scratch) if name.startswith("vidgen-worker")]


# Every method option (EMA, spectral norm, GP, lazy R1, DiffAugment, labels, a late penalty) under two replicas.
EVERY_OPTION = """
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
# A penalty that starts late (base's mask prior) learns the step on every replica.
with strategy.scope():
    late = build_video_gan("stylegan-v", 8, 4, 16, 32, 8, seed=0, still_background=True,
                           cover_change_weight=3.0, cover_change_from=1)
    late.compile(g_optimizer="adam", d_optimizer="adam")
late.fit(tf.data.Dataset.from_tensors(clips).repeat(), steps_per_epoch=2, verbose=0)
assert float(late.generator.get_layer("mask_cover_change_penalty").step.numpy()) == 2.0
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
    result = subprocess.run([sys.executable, "-c", EVERY_OPTION], capture_output=True, text=True,
                            timeout=600, env={"TF_CPP_MIN_LOG_LEVEL": "2", **__import__("os").environ})
    assert result.returncode == 0, result.stderr[-3000:]
    assert "OK" in result.stdout and "gp_penalty" in result.stdout
