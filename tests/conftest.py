"""Shared fixtures: small real video files written with OpenCV, good and broken."""

import os
import re

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

# Before any test module imports TensorFlow, as users are told to: the package asks for oneDNN
# (see keras_vidgen.onednn), so the suite runs on the kernels a user's training runs on.
import keras_vidgen  # noqa: E402, F401

import cv2  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

FRAME_SIZE = (40, 32)  # width, height: not square, so resizing and cropping are exercised.


def numbered_frames(count, width=FRAME_SIZE[0], height=FRAME_SIZE[1]):
    """Frames whose whole area has grey level 8 * index: a frame's index is readable after decoding.

    Steps of 8 grey levels survive lossy codecs, so `round(mean / 8)` recovers the index.
    """
    return [np.full((height, width, 3), 8 * index, np.uint8) for index in range(count)]


def frame_index(frame):
    """Recovers the index written by `numbered_frames` from a decoded uint8 frame."""
    return int(round(float(np.mean(frame)) / 8))


def write_video(path, frames, fourcc="mp4v", fps=10):
    height, width = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*fourcc), fps, (width, height))
    assert writer.isOpened(), f"OpenCV cannot write {path} with {fourcc}"
    for frame in frames:
        writer.write(frame)
    writer.release()
    return str(path)


@pytest.fixture(scope="session")
def video_dir(tmp_path_factory):
    """A folder of good videos in two containers: 3 x .mp4 (mp4v) and 2 x .avi (MJPG), 12 frames."""
    folder = tmp_path_factory.mktemp("videos")
    for index in range(3):
        write_video(folder / f"clip{index}.mp4", numbered_frames(12))
    nested = folder / "nested"
    nested.mkdir()
    for index in range(2):
        write_video(nested / f"clip{index}.avi", numbered_frames(12), fourcc="MJPG")
    return folder


@pytest.fixture(scope="session")
def coloured_video(tmp_path_factory):
    """A video whose frames are pure red in RGB (written as BGR (0, 0, 255))."""
    frames = [np.zeros((32, 32, 3), np.uint8) for _ in range(6)]
    for frame in frames:
        frame[..., 2] = 255
    return write_video(tmp_path_factory.mktemp("red") / "red.avi", frames, fourcc="MJPG")


@pytest.fixture(scope="session")
def broken_files(tmp_path_factory, video_dir):
    """Broken inputs: a zero-byte file, a text file named .mp4, and a truncated video."""
    folder = tmp_path_factory.mktemp("broken")
    (folder / "empty.mp4").write_bytes(b"")
    (folder / "text.mp4").write_text("this is not a video\n" * 20)
    good = (video_dir / "clip0.mp4").read_bytes()
    (folder / "truncated.mp4").write_bytes(good[: len(good) // 3])
    return {path.stem: str(path) for path in folder.iterdir()}


def dense_generator(latent_dim=8, frames=2, size=8, label_classes=None, context_frames=None):
    """A tiny functional generator without convolutions, optionally class- or frame-conditional.

    Inputs are named as `keras_vidgen.signatures` expects: `z`, `label` (an Embedding of the
    class index, concatenated to z) and `context` (float frames, flattened and concatenated).
    """
    import keras

    z = keras.Input((latent_dim,), name="z")
    inputs, features = [z], [z]
    if label_classes:
        label = keras.Input((1,), dtype="int32", name="label")
        inputs.append(label)
        features.append(keras.layers.Flatten()(keras.layers.Embedding(label_classes, 4)(label)))
    if context_frames:
        context = keras.Input((context_frames, size, size, 3), name="context")
        inputs.append(context)
        features.append(keras.layers.Flatten()(context))
    x = keras.layers.Concatenate()(features) if len(features) > 1 else z
    x = keras.layers.Dense(frames * size * size * 3, activation="tanh")(x)
    video = keras.layers.Reshape((frames, size, size, 3))(x)
    return keras.Model(inputs if len(inputs) > 1 else z, video, name="dense_generator")


class Exportable:
    """What export needs of a model: a `generator`, and an `ema_generator` once training keeps one."""

    def __init__(self, generator, ema_generator=None):
        self.generator = generator
        if ema_generator is not None:
            self.ema_generator = ema_generator


@pytest.fixture
def make_generator():
    """`dense_generator` as a fixture, seeded so its weights are the same in every test."""
    import keras

    def make(**kwargs):
        keras.utils.set_random_seed(0)
        return dense_generator(**kwargs)

    return make


def write_gif(path, frames, fps=10):
    """Writes an animated GIF with Pillow (OpenCV 4.11 cannot write GIFs)."""
    from PIL import Image

    images = [Image.fromarray(frame[..., ::-1]) for frame in frames]
    images[0].save(str(path), save_all=True, append_images=images[1:], duration=int(1000 / fps), loop=0)
    return str(path)


def write_frame_folder(folder, frames, extension=".png"):
    """Writes frames as `0001.png ...` (1-indexed, zero-padded) into `folder`; returns "folder/"."""
    folder.mkdir(parents=True, exist_ok=True)
    for index, frame in enumerate(frames, start=1):
        assert cv2.imwrite(str(folder / f"{index:04d}{extension}"), frame)
    return str(folder) + "/"


def truncate_avi_after(path, out_path, keep_frames):
    """Cuts an MJPG .avi right before frame `keep_frames`: its header still reports every frame.

    Real files with lying frame counts look like this (an interrupted copy or recording).
    """
    data = open(path, "rb").read()
    starts = [match.start() for match in re.finditer(b"00dc", data)]
    # The first "00dc" is in the header's stream description; frame chunks follow it.
    with open(out_path, "wb") as file:
        file.write(data[: starts[1 + keep_frames]])
    return str(out_path)
