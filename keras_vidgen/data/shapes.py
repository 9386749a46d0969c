"""The built-in data set: moving shapes, written as real video files.

Each clip shows one shape (square, circle or triangle) of one colour moving with constant velocity
and bouncing off the borders, over a plain or a textured background. Clips are written with
`cv2.VideoWriter` so training exercises the real decoding path, and every clip's ground truth
(shape, colour, start position, velocity, background) goes to `manifest.jsonl` beside the videos,
for use as labels and in quality checks. The same seed gives the same files.
"""

import json
import os
import shutil
import tempfile

import cv2
import keras
import numpy as np

SHAPES = ("square", "circle", "triangle")
COLOURS = {
    "red": (230, 40, 40),
    "green": (40, 200, 60),
    "blue": (40, 90, 240),
    "yellow": (240, 220, 40),
    "magenta": (220, 50, 220),
    "cyan": (40, 220, 220),
    "white": (245, 245, 245),
}
BACKGROUNDS = ("plain", "textured")
MANIFEST = "manifest.jsonl"


def make_moving_shapes(
    out_dir, num_videos=64, frames=32, size=64, fps=8, seed=0, textured_fraction=0.5, verbose=0
):
    """Writes a moving-shapes data set of `.mp4` files (mp4v) and its manifest.

    The folder appears complete or not at all: files are written to a temporary folder beside
    `out_dir` and renamed into place, so an interrupted run never leaves a half data set.

    Args:
        out_dir: folder to create; must not exist yet, or must already hold a complete data set
            made with the same arguments (then it is reused as it is).
        num_videos: number of clips.
        frames: frames per clip.
        size: width and height in pixels.
        fps: frame rate stored in the files.
        seed: the same seed gives the same clips.
        textured_fraction: share of clips drawn on a textured (rather than plain) background.
        verbose: 1 shows a progress bar.

    Returns:
        The path of `out_dir`.

    Example:
        >>> make_moving_shapes("data/shapes", num_videos=256)
        >>> dataset = video_dataset("data/shapes", frames=16, size=64)
    """
    arguments = dict(
        num_videos=num_videos, frames=frames, size=size, fps=fps, seed=seed,
        textured_fraction=textured_fraction,
    )
    if os.path.exists(out_dir):
        if _is_complete(out_dir, arguments):
            return out_dir
        raise FileExistsError(
            f"{out_dir!r} exists but is not a moving-shapes data set made with {arguments}; "
            "choose another folder or delete it."
        )
    parent = os.path.dirname(os.path.abspath(out_dir))
    os.makedirs(parent, exist_ok=True)
    staging = tempfile.mkdtemp(prefix=".shapes-", dir=parent)
    progress = keras.utils.Progbar(num_videos, verbose=verbose, unit_name="video")
    if verbose:
        print(f"Writing {num_videos} moving-shapes videos to {out_dir}")
    try:
        records = []
        for index in range(num_videos):
            records.append(_write_clip(staging, index, np.random.default_rng([seed, index]), arguments))
            progress.update(index + 1)
        with open(os.path.join(staging, MANIFEST), "w") as file:
            for record in records:
                file.write(json.dumps(record) + "\n")
        with open(os.path.join(staging, "arguments.json"), "w") as file:
            json.dump(arguments, file, indent=2)
        _publish(staging, out_dir, arguments)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out_dir


def _publish(staging, out_dir, arguments):
    """Renames the finished folder into place; if another process (e.g. another worker of the
    same run) got there first with the same data set, keeps theirs."""
    try:
        os.rename(staging, out_dir)
    except OSError:
        if not _is_complete(out_dir, arguments):
            raise
        shutil.rmtree(staging, ignore_errors=True)


def read_manifest(data_dir):
    """Returns the list of per-clip ground-truth records of a moving-shapes folder."""
    with open(os.path.join(data_dir, MANIFEST)) as file:
        return [json.loads(line) for line in file if line.strip()]


def _is_complete(out_dir, arguments):
    try:
        with open(os.path.join(out_dir, "arguments.json")) as file:
            return json.load(file) == arguments and os.path.exists(os.path.join(out_dir, MANIFEST))
    except (OSError, ValueError):
        return False


def _write_clip(folder, index, rng, arguments):
    frames, size = arguments["frames"], arguments["size"]
    params = _draw_parameters(rng, size, arguments["textured_fraction"])
    background = _background(rng, size, params["background"])
    positions = _bounce(params["start"], params["velocity"], params["radius"], size, frames)
    name = f"shapes_{index:05d}.mp4"
    path = os.path.join(folder, name)
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*"mp4v"), arguments["fps"], (size, size))
    if not writer.isOpened():
        raise OSError(f"OpenCV could not open {path} for writing (mp4v codec)")
    try:
        for position in positions:
            frame = _draw_shape(background.copy(), params, position)
            writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
    finally:
        writer.release()
    return {"file": name, "label": SHAPES.index(params["shape"]), **params}


def _draw_parameters(rng, size, textured_fraction):
    radius = float(rng.uniform(0.12, 0.2) * size)
    speed = rng.uniform(0.04, 0.09) * size
    angle = rng.uniform(0, 2 * np.pi)
    colour = str(rng.choice(list(COLOURS)))
    return {
        "shape": str(rng.choice(SHAPES)),
        "colour": colour,
        "rgb": list(COLOURS[colour]),
        "radius": radius,
        "start": [float(v) for v in rng.uniform(radius, size - radius, size=2)],
        "velocity": [float(speed * np.cos(angle)), float(speed * np.sin(angle))],
        "background": "textured" if rng.random() < textured_fraction else "plain",
    }


def _background(rng, size, kind):
    if kind == "plain":
        grey = int(rng.integers(10, 70))
        return np.full((size, size, 3), grey, np.uint8)
    # A static texture: a few soft sinusoidal stripes of a dim random colour.
    y, x = np.mgrid[0:size, 0:size] / size
    frequency, phase = rng.uniform(2, 6), rng.uniform(0, 2 * np.pi)
    direction = rng.uniform(0, np.pi)
    wave = 0.5 + 0.5 * np.sin(2 * np.pi * frequency * (x * np.cos(direction) + y * np.sin(direction)) + phase)
    tint = rng.uniform(20, 90, size=3)
    return (wave[..., np.newaxis] * tint + 10).astype(np.uint8)


def replay_positions(record, size, frames):
    """The centre `(x, y)` of a manifest record's shape in each of its first `frames` frames,
    for a data set written at `size` pixels (ground truth for quality checks)."""
    return _bounce(record["start"], record["velocity"], record["radius"], size, frames)


def _bounce(start, velocity, radius, size, frames):
    """Positions of a shape's centre moving at constant velocity, reflected at the borders."""
    low, high = radius, size - radius
    positions, position, velocity = [], np.array(start), np.array(velocity)
    for _ in range(frames):
        positions.append(position.copy())
        position = position + velocity
        for axis in range(2):
            if position[axis] < low:
                position[axis], velocity[axis] = 2 * low - position[axis], -velocity[axis]
            elif position[axis] > high:
                position[axis], velocity[axis] = 2 * high - position[axis], -velocity[axis]
    return positions


def _draw_shape(frame, params, centre):
    colour = tuple(int(c) for c in params["rgb"])
    radius = params["radius"]
    x, y = centre
    if params["shape"] == "circle":
        cv2.circle(frame, (round(x), round(y)), round(radius), colour, -1, cv2.LINE_AA)
    elif params["shape"] == "square":
        half = radius * 0.85
        corners = np.array([[x - half, y - half], [x + half, y - half], [x + half, y + half], [x - half, y + half]])
        cv2.fillPoly(frame, [corners.round().astype(np.int32)], colour, cv2.LINE_AA)
    else:
        angles = -np.pi / 2 + np.arange(3) * 2 * np.pi / 3
        corners = np.stack([x + radius * np.cos(angles), y + radius * np.sin(angles)], axis=1)
        cv2.fillPoly(frame, [corners.round().astype(np.int32)], colour, cv2.LINE_AA)
    return frame


def cached_moving_shapes(num_videos=64, frames=32, size=64, seed=0, cache_dir=None, verbose=0):
    """Returns a moving-shapes folder in the cache, making it the first time.

    Args:
        num_videos, frames, size, seed: as in `make_moving_shapes`.
        cache_dir: the cache folder; defaults to `$KERAS_VIDGEN_CACHE` or `~/.cache/keras_vidgen`.
        verbose: 1 shows a progress bar when the data set is written.

    Returns:
        The folder's path; its name records the arguments, so different settings never collide.
    """
    cache_dir = cache_dir or os.environ.get("KERAS_VIDGEN_CACHE") or os.path.join(
        os.path.expanduser("~"), ".cache", "keras_vidgen"
    )
    name = f"moving_shapes-n{num_videos}-f{frames}-s{size}-seed{seed}"
    return make_moving_shapes(
        os.path.join(cache_dir, name), num_videos=num_videos, frames=frames, size=size, seed=seed,
        verbose=verbose,
    )
