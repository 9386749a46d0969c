"""`vidgen doctor`: what this machine is, how fast it trains, and what that means for a run.

After `transformers-cli env` and `torch.utils.collect_env`: versions, the CPU and its instruction
sets, oneDNN, threads, GPUs, the remote file systems tensorflow-io registered, then two
measurements: a 3-second fp32 matmul rate and a timed training step of the main job's model.
Machines differ about 7x in matmul rate and up to 27x more when oneDNN is off, so every figure the
benchmarks print starts with `machine_summary()`; paste `vidgen doctor`'s output into bug reports.

Example:
    >>> from keras_vidgen import doctor
    >>> print(doctor.machine_summary())  # doctest: +SKIP
    AMD EPYC (2 cores: avx2 fma) | oneDNN on | fp32 matmul 61 GFLOP/s
"""

import os
import platform
import statistics
import time
from importlib import metadata

import tensorflow as tf

from keras_vidgen import config as vidgen_config
from keras_vidgen.callbacks import StepTimer
from keras_vidgen import onednn

# The instruction sets that decide TensorFlow's CPU speed, in /proc/cpuinfo's spelling.
_INSTRUCTION_SETS = ("sse4_2", "avx", "avx2", "fma", "avx512f", "avx512_vnni", "avx512_bf16",
                     "amx_tile", "neon", "asimd")
_PACKAGES = ("tensorflow", "keras", "tensorflow-io", "opencv-python-headless", "numpy", "pillow")


def fit_step_seconds(model, dataset, steps, warmup):
    """Runs `warmup + steps` steps in one `fit()`; returns the timed steps' seconds."""
    timer = StepTimer()
    model.fit(dataset, epochs=1, steps_per_epoch=warmup + steps, verbose=0, callbacks=[timer],
              shuffle=False)
    return timer.seconds[warmup:]


def cpu_model():
    """The CPU's marketing name ("AMD EPYC", "Intel(R) Xeon(R) Platinum 8375C ...")."""
    for line in _cpuinfo_lines():
        if line.startswith(("model name", "Model Name")):
            return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def instruction_sets():
    """The vector instruction sets of `_INSTRUCTION_SETS` this CPU reports (Linux), else `[]`."""
    for line in _cpuinfo_lines():
        if line.startswith(("flags", "Features")):
            flags = set(line.split(":", 1)[1].split())
            return [name for name in _INSTRUCTION_SETS if name in flags]
    return []


def _cpuinfo_lines():
    try:
        with open("/proc/cpuinfo") as file:
            return file.read().splitlines()
    except OSError:  # not Linux
        return []


def cores():
    """CPU cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


def onednn_state():
    """"on" or "off", with the variables a user set to decide it."""
    state = "on" if onednn.enabled() else "off"
    settings = [f"{name}={os.environ[name]}" for name in (onednn.ENV_VAR, "ONEDNN_MAX_CPU_ISA")
                if name in os.environ]
    if onednn.set_here:
        settings[0] = f"{onednn.ENV_VAR}=1 set by keras_vidgen"
    return f"{state} ({', '.join(settings)})" if settings else state


def matmul_gflops(seconds=3.0, size=2048):
    """The median fp32 GFLOP/s of `size` x `size` matrix products, measured for about `seconds`."""
    a = tf.random.normal((size, size))
    b = tf.random.normal((size, size))
    product = tf.function(lambda x, y: tf.matmul(x, y))
    product(a, b).numpy()  # warm-up
    rates, deadline = [], time.perf_counter() + seconds
    while time.perf_counter() < deadline or len(rates) < 3:
        started = time.perf_counter()
        product(a, b).numpy()
        rates.append(2 * size**3 / (time.perf_counter() - started) / 1e9)
    return statistics.median(rates)


def machine_summary(matmul=None):
    """One line naming the CPU, its instruction sets, oneDNN and the matmul rate: the header of
    every benchmark, so figures from different machines are never read as comparable."""
    matmul = matmul_gflops() if matmul is None else matmul
    isa = " ".join(instruction_sets()) or "unknown"
    return (f"{cpu_model()} ({cores()} cores: {isa}) | oneDNN {onednn_state()} | "
            f"fp32 matmul {matmul:.0f} GFLOP/s | TensorFlow {tf.__version__}")


def main_job_step_seconds(config=None, steps=10, warmup=2):
    """The median seconds of one training step of `config` (the main job's by default), fed by
    its own input pipeline from its own data, as `vidgen train` feeds it (the built-in moving
    shapes are written first if they are not cached yet, as `vidgen train` would).

    With clips from memory instead, on a 2-core Zen 3 a step of the main job took 200 ms here
    and 267 ms in the run: the OpenCV decoding shares the two cores.
    """
    from keras_vidgen import data as vidgen_data
    from keras_vidgen.train import (build_dataset, build_model, labelled_source, resolve_data,
                                    seed_run, validated_source)

    config = config or vidgen_config.preset(vidgen_config.MAIN_JOB_PRESET)
    seed_run(config)  # as `train` seeds it, so the step it times is the step `train` runs
    skipped = vidgen_data.SkippedFiles()
    source, _ = labelled_source(config, resolve_data(config))
    source = validated_source(config, source, skipped)
    model = build_model(config)
    dataset = build_dataset(config, source, skipped)
    return statistics.median(fit_step_seconds(model, dataset, steps, warmup))


def report(preset_name=vidgen_config.MAIN_JOB_PRESET):
    """`vidgen doctor`'s text: facts, then the measurements and what they mean.

    Args:
        preset_name: the preset whose training step is timed and whose run length is estimated
            (the main job's by default); `None` skips that step.
    """
    from keras_vidgen.data import filesystems

    gpus = tf.config.list_physical_devices("GPU")
    facts = {
        "python": platform.python_version(),
        **{name: _version(name) for name in _PACKAGES},
        "platform": platform.platform(),
        "cpu": cpu_model(),
        "cores": cores(),
        "instruction sets": " ".join(instruction_sets()) or "unknown",
        "oneDNN": onednn_state(),
        "threads (intra, inter op)": _threads(),
        "GPUs seen by TensorFlow": ", ".join(gpu.name for gpu in gpus) or "none",
        "TensorFlow built with CUDA": tf.test.is_built_with_cuda(),
        "remote file systems": " ".join(sorted(s for s in filesystems.registered_schemes() if s)),
    }
    lines = [f"{name:<27} {value}" for name, value in facts.items()]
    matmul = matmul_gflops()
    lines.append(f"{'fp32 matmul (3 s)':<27} {matmul:.0f} GFLOP/s")
    if preset_name:
        lines += _run_estimate(preset_name)
    return "\n".join(lines)


def _run_estimate(preset_name):
    config = vidgen_config.preset(preset_name)
    step = main_job_step_seconds(config)
    steps = config.epochs * config.steps_per_epoch
    minutes = step * steps / 60
    lines = [f"{'training step':<27} {step * 1000:.0f} ms (preset {preset_name!r}, "
             f"batch {config.data.batch_size}, its own data pipeline, median of 10; the run "
             "adds its checkpoints and samples at each epoch's end)"]
    if config.max_minutes is not None and minutes > config.max_minutes:
        done = int(config.max_minutes * 60 / step)
        lines.append(f"{'so':<27} `vidgen train --preset {preset_name}` stops at its "
                     f"{config.max_minutes:g}-minute budget "
                     f"after about {done:,} of its {steps:,} steps here (~{100 * done / steps:.0f}%)")
    else:
        lines.append(f"{'so':<27} `vidgen train --preset {preset_name}` trains its {steps:,} steps in about "
                     f"{max(1, round(minutes))} minutes here, plus ~1 minute to start and export")
    if not onednn.enabled() and onednn.available():
        lines.append(f"{'warning':<27} oneDNN is off: unset {onednn.ENV_VAR} (or set it to 1) "
                     "for ~2x faster training here (up to 30x for Keras's own Conv3D layers)")
    return lines


def _threads():
    return (f"{tf.config.threading.get_intra_op_parallelism_threads() or 'auto'}, "
            f"{tf.config.threading.get_inter_op_parallelism_threads() or 'auto'}")


def _version(package):
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


__all__ = ["fit_step_seconds", "machine_summary", "matmul_gflops", "report"]
