"""Data pipeline throughput: is decoding fast enough, and does it slow training down?

Prints, side by side in one run on the same files:

1. frames/s of a plain single-threaded `cv2.VideoCapture` loop (`read()` only: no resize, no
   colour conversion; FFmpeg told to use one thread), versus frames/s of `video_dataset` decoding
   every frame of the same files (`clips_per_video="all"`, resized to 64 px) with its parallel
   map. Printed for reference: the same loop with OpenCV's default FFmpeg threading (slower
   here, which is why the pipeline's captures decode single-threaded too), and the pipeline's own
   per-file work (`decode.decode_clips`: read, decode, resize, crop, RGB) in one thread, which
   shows how well the pipeline spreads that work over the cores;
2. clips/s of training fed by the real pipeline (random clip starts, so seeking is included)
   versus the same loop fed the same clips from memory, for the default configuration (64x64x16,
   batch 8: what `TrainConfig()` trains) and for the fast "small" preset (32x32x16, batch 16),
   where decoding 320x240 sources competes with an 8x cheaper model for the same 2 cores; that
   row also shows the pipeline with its decoded-clip cache (`cache="memory"`).

Targets on 2 cores: pipeline >= 1.6x the single-threaded loop; training slowed by <= 5%.

Run: python benchmarks/bench_data.py [--videos 48] [--frames 100] [--repeats 3] [--steps 20]
"""

import argparse
import os
import statistics
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras_vidgen  # noqa: E402, F401  (first: it asks for oneDNN before TensorFlow is imported)
import cv2  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from keras_vidgen import config as vidgen_config  # noqa: E402
from keras_vidgen.doctor import fit_step_seconds, machine_summary  # noqa: E402
from keras_vidgen.data import ClipSpec, FrameSpec, decode, video_dataset  # noqa: E402
from keras_vidgen.train import build_model  # noqa: E402


def make_videos(folder, count, frames, width=320, height=240, fps=25):
    """Writes `count` mp4v videos of moving noise blocks (so the codec has real work to do)."""
    rng = np.random.default_rng(0)
    paths = []
    for index in range(count):
        path = os.path.join(folder, f"bench_{index:03d}.mp4")
        writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*"mp4v"), fps, (width, height))
        texture = rng.integers(0, 255, (height, width * 2, 3), dtype=np.uint8)
        for frame in range(frames):
            writer.write(np.ascontiguousarray(texture[:, frame * 2:frame * 2 + width]))
        writer.release()
        paths.append(path)
    return paths


def measured(count_frames):
    """Runs `count_frames()`; returns (frames/s of wall time, CPU seconds of this process per
    1000 frames). The CPU figure shows the work done, whatever other processes take."""
    wall, cpu = time.perf_counter(), time.process_time()
    frames = count_frames()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return frames / wall, 1000 * cpu / frames


def plain_opencv_loop(paths, threads=1):
    """`threads=None`: OpenCV's default FFmpeg threading."""
    params = [] if threads is None else [cv2.CAP_PROP_N_THREADS, threads]
    frames = 0
    for path in paths:
        capture = cv2.VideoCapture(path, cv2.CAP_FFMPEG, params)
        while capture.read()[0]:
            frames += 1
        capture.release()
    return frames


def same_work_loop(paths, clip_frames):
    """The pipeline's per-file work, file after file in this thread."""
    clip_spec = ClipSpec(clip_frames, clips_per_video="all")
    frame_spec = FrameSpec(64)
    return sum(decode.decode_clips(path, clip_spec, frame_spec).shape[0] * clip_frames
               for path in paths)


def pipeline_loop(dataset):
    """One pass over a dataset built beforehand: building it (tracing its map function, ~0.7 s
    here) is a one-time cost of a run, not part of the decoding rate."""
    return sum(int(batch.shape[0] * batch.shape[1]) for batch in dataset)


def training_clips_per_second(model, dataset, steps, batch_size):
    """Clips/s over `steps` steps of one fit(), after 2 warm-up steps (graph, iterator). The
    total of the step times, not their median, so waits for the pipeline count in full."""
    return steps * batch_size / sum(fit_step_seconds(model, dataset, steps, warmup=2))


def training_comparison(paths, config, steps, repeats, with_cache=False):
    """Median clips/s of `fit` fed from memory, by the pipeline (and by its cache)."""
    data = config.data

    def pipeline(**options):
        return video_dataset(paths, frames=data.frames, size=data.size,
                             batch_size=data.batch_size, repeat=True, seed=0, validate=False,
                             **options)

    clips = np.concatenate([batch.numpy() for batch in pipeline().take(8)])
    feeds = {
        "memory": (tf.data.Dataset.from_tensor_slices(clips).cache().repeat()
                   .batch(data.batch_size, drop_remainder=True).prefetch(tf.data.AUTOTUNE)),
        "pipeline": pipeline(),
    }
    if with_cache:
        feeds["cached pipeline"] = pipeline(cache="memory")
        # Fill the cache: one pass over every file, outside the timed runs.
        for _ in feeds["cached pipeline"].take(len(paths) // data.batch_size + 1):
            pass
    model = build_model(config)
    results = {name: [] for name in feeds}
    for _ in range(repeats):  # interleaved, so machine load drifts affect all alike
        for name, feed in feeds.items():
            results[name].append(training_clips_per_second(model, feed, steps, data.batch_size))
    return {name: statistics.median(values) for name, values in results.items()}


def print_training(label, speeds):
    memory = speeds["memory"]
    print(f"training {label}")
    for name, speed in speeds.items():
        note = "" if name == "memory" else (
            f"   ({100 * (1 - speed / memory):+.1f}% slower than memory; target <= 5%)")
        print(f"  fed by {name + ':':<18}{speed:8.1f} clips/s{note}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--videos", type=int, default=48)
    parser.add_argument("--frames", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--steps", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench_data-") as folder:
        paths = make_videos(folder, args.videos, args.frames)
        print(machine_summary())
        print(f"{len(paths)} videos of 320x240, {args.frames} frames (mp4v); "
              f"{os.cpu_count()} CPU cores; medians of {args.repeats} runs")
        dataset = video_dataset(paths, frames=20, size=64, batch_size=16, shuffle=False,
                                clips_per_video="all", validate=False)
        loops = {
            "single-threaded cv2 loop": lambda: plain_opencv_loop(paths),
            "cv2 loop, FFmpeg threads": lambda: plain_opencv_loop(paths, threads=None),
            "pipeline's work, 1 thread": lambda: same_work_loop(paths, clip_frames=20),
            "video_dataset pipeline": lambda: pipeline_loop(dataset),
        }
        runs = {name: [] for name in loops}
        for _ in range(args.repeats):  # interleaved, so machine load drifts affect all alike
            for name, loop in loops.items():
                runs[name].append(measured(loop))
        baseline = statistics.median(fps for fps, _ in runs["single-threaded cv2 loop"])
        for name, values in runs.items():
            fps, cpu = (statistics.median(column) for column in zip(*values))
            print(f"decode   {name + ':':<27}{fps:8.0f} frames/s   CPU {cpu:5.2f} s per 1000 "
                  f"frames   ({fps / baseline:.2f}x the single-threaded loop)")
        print(f"         target: pipeline >= 1.6x; load average while measuring: "
              f"{os.getloadavg()[0]:.1f}")
        default = vidgen_config.TrainConfig()
        print_training("with the default configuration (64x64x16, batch 8)",
                       training_comparison(paths, default, args.steps, args.repeats))
        print_training("with the small preset (32x32x16, batch 16)",
                       training_comparison(paths, vidgen_config.preset("small"), args.steps,
                                           args.repeats, with_cache=True))


if __name__ == "__main__":
    main()
