"""Data pipeline throughput: is decoding fast enough, and does it slow training down?

Prints, side by side in one run on the same files:

1. frames/s of a plain single-threaded `cv2.VideoCapture` loop (`read()` only: no resize, no
   colour conversion), versus frames/s of `video_dataset` decoding every frame of the same files
   (`clips_per_video="all"`, resized to 64 px) with its parallel map;
2. clips/s of training the "small" preset fed by the real pipeline, versus the same loop fed the
   same clips from memory.

Targets on 2 cores: pipeline >= 1.6x the single-threaded loop; training slowed by <= 5%.

Run: python benchmarks/bench_data.py [--videos 24] [--frames 100] [--repeats 3] [--steps 30]
"""

import argparse
import os
import statistics
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import cv2  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from keras_vidgen import config as vidgen_config  # noqa: E402
from keras_vidgen.data import video_dataset  # noqa: E402
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


def plain_opencv_loop(paths):
    frames = 0
    for path in paths:
        capture = cv2.VideoCapture(path)
        while capture.read()[0]:
            frames += 1
        capture.release()
    return frames


def pipeline_loop(paths, clip_frames):
    dataset = video_dataset(paths, frames=clip_frames, size=64, batch_size=16, shuffle=False,
                            clips_per_video="all", validate=False)
    return sum(int(batch.shape[0] * batch.shape[1]) for batch in dataset)


def training_clips_per_second(model, dataset, steps, batch_size):
    model.fit(dataset, epochs=1, steps_per_epoch=2, verbose=0)  # warm up the iterator and graph
    started = time.perf_counter()
    model.fit(dataset, epochs=1, steps_per_epoch=steps, verbose=0)
    return steps * batch_size / (time.perf_counter() - started)


def training_comparison(paths, steps, repeats):
    config = vidgen_config.preset("small")
    data = config.data
    real = video_dataset(paths, frames=data.frames, size=data.size, batch_size=data.batch_size,
                         repeat=True, seed=0, validate=False)
    clips = np.concatenate([batch.numpy() for batch in real.take(8)])
    memory = (tf.data.Dataset.from_tensor_slices(clips).cache().repeat()
              .batch(data.batch_size, drop_remainder=True).prefetch(tf.data.AUTOTUNE))
    model = build_model(config)
    results = {"memory": [], "pipeline": []}
    for _ in range(repeats):  # interleaved, so machine load drifts affect both alike
        results["memory"].append(training_clips_per_second(model, memory, steps, data.batch_size))
        results["pipeline"].append(training_clips_per_second(model, real, steps, data.batch_size))
    return {name: statistics.median(values) for name, values in results.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--videos", type=int, default=24)
    parser.add_argument("--frames", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--steps", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench_data-") as folder:
        paths = make_videos(folder, args.videos, args.frames)
        print(f"{len(paths)} videos of 320x240, {args.frames} frames (mp4v); "
              f"{os.cpu_count()} CPU cores; medians of {args.repeats} runs")
        plain, piped = [], []
        for _ in range(args.repeats):  # interleaved, so machine load drifts affect both alike
            plain.append(measured(lambda: plain_opencv_loop(paths)))
            piped.append(measured(lambda: pipeline_loop(paths, clip_frames=20)))
        plain_fps, plain_cpu = (statistics.median(values) for values in zip(*plain))
        piped_fps, piped_cpu = (statistics.median(values) for values in zip(*piped))
        print(f"decode   single-threaded cv2 loop: {plain_fps:8.0f} frames/s   "
              f"CPU {plain_cpu:5.2f} s per 1000 frames")
        print(f"decode   video_dataset pipeline:   {piped_fps:8.0f} frames/s   "
              f"CPU {piped_cpu:5.2f} s per 1000 frames   ({piped_fps / plain_fps:.2f}x; target >= 1.6x)")
        print(f"         load average while measuring: {os.getloadavg()[0]:.1f}")
        speeds = training_comparison(paths, args.steps, args.repeats)
        slowdown = 1 - speeds["pipeline"] / speeds["memory"]
        print(f"training fed from memory:          {speeds['memory']:8.1f} clips/s")
        print(f"training fed by video_dataset:     {speeds['pipeline']:8.1f} clips/s   "
              f"({100 * slowdown:+.1f}% slower; target <= 5%)")


if __name__ == "__main__":
    main()
