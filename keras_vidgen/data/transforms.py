"""Per-frame and per-clip transforms: resize, crop, flip, RGB or grayscale.

Each decoded frame is resized as soon as it is retrieved (so full-size frames never pile up), then
each clip gets one crop and one flip for all its frames. Crop offsets are fractions of the spare
room, so frames that change size mid-stream still give aligned `size` x `size` crops.
"""

import dataclasses

import cv2
import numpy as np

from keras_vidgen.choices import CROPS


@dataclasses.dataclass(frozen=True)
class FrameSpec:
    """What a clip's frames look like.

    Attributes:
        size: output height and width.
        crop: "center" or "random": resize the shorter side to `size`, then crop a square;
            "none": resize the whole frame to `size` x `size` (the aspect ratio changes).
        flip: flip each clip horizontally with probability 1/2 (the same for all its frames).
        grayscale: one luma channel instead of RGB.
    """

    size: int = 64
    crop: str = "center"
    flip: bool = False
    grayscale: bool = False

    def __post_init__(self):
        if self.crop not in CROPS:
            raise ValueError(f"Unknown crop={self.crop!r}; choose one of {CROPS}.")
        if self.size < 1:
            raise ValueError(f"size must be >= 1, not {self.size}.")

    @property
    def channels(self):
        return 1 if self.grayscale else 3


def prepare_frame(frame, spec):
    """Converts one decoded OpenCV frame (gray, BGR or BGRA, any depth) to a resized uint8 frame.

    Args:
        frame: an OpenCV image `[H, W]` or `[H, W, C]`, C in 1, 3, 4.
        spec: a `FrameSpec`.

    Returns:
        uint8 `[h, w, channels]` with the shorter side equal to `spec.size` (or exactly
        `size` x `size` when `spec.crop == "none"`), RGB or gray.
    """
    if frame.dtype != np.uint8:
        frame = cv2.convertScaleAbs(frame, alpha=255.0 / max(1, np.iinfo(frame.dtype).max))
    frame = _resize(frame, spec)
    if frame.ndim == 3 and frame.shape[-1] == 1:
        frame = frame[..., 0]
    if spec.grayscale:
        if frame.ndim == 3:
            code = cv2.COLOR_BGRA2GRAY if frame.shape[-1] == 4 else cv2.COLOR_BGR2GRAY
            frame = cv2.cvtColor(frame, code)
        return frame[..., np.newaxis]
    return to_rgb(frame)


def to_rgb(frame):
    """Converts an 8-bit OpenCV frame (gray, BGR or BGRA) to RGB `[H, W, 3]`."""
    if frame.ndim == 2:
        return cv2.cvtColor(frame, cv2.COLOR_GRAY2RGB)
    if frame.shape[-1] == 4:
        return cv2.cvtColor(frame, cv2.COLOR_BGRA2RGB)
    return cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)


def _resize(frame, spec):
    height, width = frame.shape[:2]
    size = spec.size
    if spec.crop == "none":
        new_height, new_width = size, size
    else:
        scale = size / min(height, width)
        new_height, new_width = max(size, round(height * scale)), max(size, round(width * scale))
    # INTER_AREA at an arbitrary ratio costs ~6x more than decoding a small frame; halving with
    # it is its fast path and keeps the anti-aliasing, and the last < 2x step is linear.
    while height >= 2 * new_height and width >= 2 * new_width:
        height, width = height // 2, width // 2
        frame = cv2.resize(frame, (width, height), interpolation=cv2.INTER_AREA)
    if (new_height, new_width) == (height, width):
        return frame
    return cv2.resize(frame, (new_width, new_height), interpolation=cv2.INTER_LINEAR)


def finish_clip(frames, spec, rng=None):
    """Crops and flips a clip's prepared frames alike and stacks them.

    Args:
        frames: frames from `prepare_frame`, in clip order.
        spec: a `FrameSpec`.
        rng: a `numpy.random.Generator` for the random crop and the flip; `None` crops the
            centre and never flips.

    Returns:
        uint8 `[frames, size, size, channels]`.
    """
    size = spec.size
    fraction_y, fraction_x = 0.5, 0.5
    if spec.crop == "random" and rng is not None:
        fraction_y, fraction_x = rng.random(2)
    flip = spec.flip and rng is not None and rng.random() < 0.5
    out = []
    for frame in frames:
        top = round(fraction_y * (frame.shape[0] - size))
        left = round(fraction_x * (frame.shape[1] - size))
        crop = frame[top:top + size, left:left + size]
        out.append(crop[:, ::-1] if flip else crop)
    return np.stack(out)
