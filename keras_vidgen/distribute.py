"""Choosing a tf.distribute strategy by name, and who writes outputs in a multi-worker run.

`VideoGAN` itself is strategy-agnostic: its losses are divided by the global batch, latents are
the global batch's sliced per replica, BatchNorm is synchronised and metrics are averaged across
replicas, so any strategy trains the same model as one device with the same global batch.
"""

import json
import os
import tempfile

import tensorflow as tf

from keras_vidgen.choices import STRATEGIES
from keras_vidgen.errors import ConfigError


def make_strategy(name):
    """Returns the strategy for a name.

    Args:
        name: "default" (one device), "mirrored" (all GPUs of this host, or its CPU), or
            "multiworker" (many hosts; each process reads its role from the `TF_CONFIG`
            environment variable).

    Raises:
        ValueError: an unknown name, or "multiworker" without `TF_CONFIG`.
    """
    if name == "default":
        return tf.distribute.get_strategy()
    if name == "mirrored":
        return tf.distribute.MirroredStrategy()
    if name == "multiworker":
        if "TF_CONFIG" not in os.environ:
            raise ConfigError(
                "--strategy multiworker needs the TF_CONFIG environment variable naming the "
                "cluster and this worker's index (see README, 'Scaling out')."
            )
        return tf.distribute.MultiWorkerMirroredStrategy()
    raise ConfigError(f"{{0}} is not a choice; choose one of {list(STRATEGIES)}", ("strategy", name))


def worker_index_and_count():
    """Returns `(index, count)` of this worker from `TF_CONFIG` (`(0, 1)` without it)."""
    config = json.loads(os.environ.get("TF_CONFIG", "{}"))
    cluster, task = config.get("cluster", {}), config.get("task", {})
    workers = len(cluster.get("worker", [])) + len(cluster.get("chief", []))
    if not workers:
        return 0, 1
    index = task.get("index", 0)
    if task.get("type") == "worker" and "chief" in cluster:
        index += 1  # the chief is worker 0
    return index, workers


def is_chief():
    """True for the process that writes logs, checkpoints and exports (worker 0)."""
    return worker_index_and_count()[0] == 0


def scratch_dir():
    """A private temporary folder for a non-chief worker's outputs.

    Every worker must take part in saving a distributed model, but only the chief's copy is kept;
    `train()` deletes this folder when it is done.
    """
    return tempfile.mkdtemp(prefix=f"vidgen-worker{worker_index_and_count()[0]}-")
