"""Video in, video out from a trained `VideoPredictor`: read a video, complete it, write it.

`vidgen predict MODEL --input VIDEO --frames N --out FILE.gif` is `load_predictor` ->
`read_video` -> `predict_video` -> `write_prediction`. Past the trained length, "predict" rolls
out (`tasks.roll_out`): the model's own predictions become the next observed frames.
"""

import os

import cv2
import numpy as np

from keras_vidgen import media
from keras_vidgen.errors import InputVideoError, ModelError
from keras_vidgen.models import tasks


def load_predictor(path):
    """Loads a `VideoPredictor` from a `.keras` checkpoint (`train()`'s `checkpoint.keras`).

    Raises:
        ModelError: the file holds another kind of model (e.g. a `VideoGAN`, which generates
            from noise and observes no frames).
    """
    import keras

    import keras_vidgen.models  # noqa: F401  (registers the model classes with Keras)

    if not str(path).endswith(".keras"):
        raise ModelError(f"{path}: `vidgen predict` reads a .keras checkpoint; an exported "
                         "SavedModel answers through its serving_default signature instead.")
    if not os.path.exists(path):
        raise FileNotFoundError(f"Checkpoint {path!r} does not exist.")
    model = keras.models.load_model(path)
    if getattr(model, "task", "generate") not in tasks.TASKS_WITH_OBSERVED:
        raise ModelError(f"{path} holds a {type(model).__name__}, which observes no frames: "
                         "`vidgen predict` needs a model trained with --task predict or interpolate.")
    return model


def read_video(path, frame_shape, max_frames=None):
    """Reads a video's frames as uint8 `[T, H, W, C]`, checking them against a model's frames.

    Args:
        path: a video file OpenCV decodes, a frame folder ("dir/"), or a `.npy` array
            `[T, H, W, C]` of uint8 pixels.
        frame_shape: the model's `(height, width, channels)`; a colour video is turned gray for a
            one-channel model (as `grayscale=True` training does).
        max_frames: read at most this many frames.

    Raises:
        InputVideoError: another frame size or channel count, naming the video and the numbers.
    """
    height, width, channels = frame_shape
    if path.endswith(".npy"):
        video = np.load(path)
        if video.ndim != 4:
            raise InputVideoError(f"{path}: expected frames [T, H, W, C], got an array of shape "
                                  f"{video.shape}.")
        video = video[:max_frames]
    else:
        from keras_vidgen.data.readers import open_reader

        with open_reader(path) as reader:
            count = max_frames
            if count is None:  # containers' frame counts are hints: count by decoding
                _, count = reader.read([], to_end=True)
            frames, _ = reader.read(list(range(count)))
        video = np.stack([_convert(frames[i], channels) for i in sorted(frames)]) if frames else \
            np.zeros((0, height, width, channels), np.uint8)
    if video.shape[1:3] != (height, width):
        raise InputVideoError(
            f"{path}: frames of {video.shape[2]}x{video.shape[1]} pixels (width x height), but the "
            f"model predicts {width}x{height}; resize the video first (e.g. ffmpeg -vf "
            f"scale={width}:{height}).")
    if video.shape[3] != channels:
        raise InputVideoError(f"{path}: {video.shape[3]} channel(s) per frame, but the model takes "
                              f"{channels}.")
    return video.astype(np.uint8)


def _convert(frame, channels):
    if channels == 1:
        if frame.ndim == 3:
            frame = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
        return frame[..., np.newaxis]
    return cv2.cvtColor(frame, cv2.COLOR_BGR2RGB if frame.ndim == 3 else cv2.COLOR_GRAY2RGB)


def predict_video(model, video, frames=None, seed=0, source="the video"):
    """Completes a video with a `VideoPredictor`.

    Args:
        model: a `VideoPredictor`.
        video: uint8 `[T, H, W, C]`.
        frames: "predict": how many frames to predict after the observed ones (default: as many
            as the model was trained to; more roll out). "interpolate": must be None or the
            model's produced count.
        seed: the latents' seed of an adversarial model.
        source: the video's name, for errors.

    Returns:
        `(observed, predicted, real)`: uint8 `[k, ...]`, `[frames, ...]`, and the real frames in
        the predicted ones' place (`None` when the video ends before them; cut to what it has).

    Raises:
        InputVideoError: the video has fewer frames than the model observes (or, to interpolate,
            than a whole clip), or `frames` cannot be produced; naming the video and the numbers.
    """
    video = np.asarray(video)
    if model.task == "predict":
        if len(video) < model.observed:
            raise InputVideoError(f"{source} has {len(video)} frame(s); the model observes "
                                  f"{model.observed}: give a video of at least {model.observed} frames.")
        frames = model.produced if frames is None else int(frames)
        if frames < 1:
            raise InputVideoError(f"--frames {frames}: predict at least 1 frame.")
        observed = video[:model.observed]
        predicted = tasks.roll_out(lambda known: model.predict_frames(known, seed=seed),
                                   observed[np.newaxis], frames)[0]
        real = video[model.observed:model.observed + frames]
        return observed, predicted, real if len(real) else None
    if frames not in (None, model.produced):
        raise InputVideoError(f"--frames {frames}: this model interpolates exactly {model.produced} "
                              "frames between its observed ones.")
    if len(video) < model.frames:
        raise InputVideoError(f"{source} has {len(video)} frame(s); to interpolate, the model reads "
                              f"the first {model.frames} (its first {model.observed // 2} and last "
                              f"{model.observed // 2} observed).")
    observed, real = tasks.split_clip(video[np.newaxis, :model.frames], model.task, model.observed)
    predicted = model.predict_frames(observed, seed=seed)[0]
    return observed[0].numpy(), predicted, real[0].numpy()


def write_prediction(path, model, observed, predicted, real=None, fps=4):
    """Writes the completed video: observed frames then predicted ones (in clip order for
    "interpolate"), with the real video beside it when there is one. Returns the path."""
    completed = _in_order(model, observed, predicted)
    if real is not None:
        real_clip = _in_order(model, observed, real)
        length = len(completed)
        padded = np.zeros_like(completed)
        padded[:len(real_clip)] = real_clip[:length]  # black once the real video has ended
        gap = np.full((length, completed.shape[1], 2, completed.shape[3]), 255, np.uint8)
        completed = np.concatenate([completed, gap, padded], axis=2)
    if completed.shape[-1] == 1:
        completed = np.repeat(completed, 3, axis=-1)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    return media.write_video(path, completed, fps=fps)


def _in_order(model, observed, produced):
    if model.task == "predict":
        return np.concatenate([observed, produced], axis=0)
    return tasks.assemble_clip(observed[np.newaxis], produced[np.newaxis], model.task).numpy()[0]
