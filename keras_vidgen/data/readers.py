"""Frame readers: a video file's bytes through OpenCV, or a folder of frame images.

Both give the same small interface (`fps`, `reported_frames`, `exact`, `size`, `read(wanted)`)
so that clip planning never cares where frames come from. Readers only convert the frames asked
for: a capture seeks to a clip far into the file and skips other frames with `grab()` (no colour
conversion or copy), a frame folder does not even read their files, so the cost follows the
frames used, not the file's length.
"""

import contextlib
import io
import re

import cv2
import numpy as np
import tensorflow as tf

from keras_vidgen.data import filesystems, sources
from keras_vidgen.data.errors import VideoDecodeError

# Clips starting this far in seek rather than grab() every frame before them.
SEEK_FROM = 24
# Frame folders carry no frame rate; this one is assumed (and is what fps resampling starts from).
FRAME_FOLDER_FPS = 30.0
# FFmpeg decoder threads per capture. The pipeline decodes one file per core already, and
# FFmpeg's own frame threads cost more than they give even alone (measured here, mp4v 320x240:
# 0.12 s CPU per 1000 frames with one thread vs 0.19 s with FFmpeg's default, and 1.7x the
# frames/s of a single loop), so each capture decodes on the thread that reads it.
DECODER_THREADS = 1


def read_bytes(path):
    """Reads a whole file through `tf.io.gfile`, so remote schemes work like local paths."""
    filesystems.check_scheme_available(path)
    try:
        with tf.io.gfile.GFile(path, "rb") as file:
            return file.read()
    except tf.errors.OpError as error:
        # Web servers append their whole error page; the first line says what happened.
        raise VideoDecodeError(path, error.message.strip().splitlines()[0]) from None


@contextlib.contextmanager
def open_capture(data, path):
    """Opens an OpenCV capture on in-memory video bytes, released on exit.

    OpenCV's capture only borrows the Python stream it reads from: if the stream object is freed
    first, decoding reads freed memory and crashes the process (seen with OpenCV 4.11 after a few
    hundred clips). This context keeps the stream alive until the capture is released.

    Args:
        data: the file's bytes.
        path: the file's name, used in error messages only.

    Yields:
        An opened `cv2.VideoCapture`.

    Raises:
        VideoDecodeError: the bytes are empty or no decoder accepts them.
    """
    if not data:
        raise VideoDecodeError(path, "the file is empty (0 bytes)")
    stream = io.BytesIO(data)
    capture = cv2.VideoCapture(stream, cv2.CAP_FFMPEG, [cv2.CAP_PROP_N_THREADS, DECODER_THREADS])
    try:
        if not capture.isOpened():
            raise VideoDecodeError(
                path, "no decoder recognises it (not a video, or an unknown codec)"
            )
        yield capture
    finally:
        capture.release()
        del stream


def open_reader(path):
    """Returns a context manager giving a reader for a video file or a frame folder ("dir/")."""
    if path.endswith("/"):
        return contextlib.nullcontext(FolderReader(path))
    return CaptureReader(path)


class CaptureReader:
    """Reads a video file's frames from memory with OpenCV's FFmpeg backend.

    The container's frame count is only a hint (`exact` is False): real files often report more
    frames than they hold, so callers read until the decoder stops.
    """

    exact = False

    def __init__(self, path):
        self.path = path
        self._data = read_bytes(path)
        self._stack = contextlib.ExitStack()
        self._capture = self._stack.enter_context(open_capture(self._data, path))
        self.fps = float(self._capture.get(cv2.CAP_PROP_FPS) or 0.0)
        self.reported_frames = max(0, int(self._capture.get(cv2.CAP_PROP_FRAME_COUNT) or 0))
        self.size = (
            int(self._capture.get(cv2.CAP_PROP_FRAME_WIDTH)),
            int(self._capture.get(cv2.CAP_PROP_FRAME_HEIGHT)),
        )
        self._fresh = True
        self.grabs = 0  # frames grabbed by the last read, after any seek (for tests)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self._stack.close()

    def read(self, wanted, prepare=lambda frame: frame, to_end=False):
        """Decodes frames `wanted` (sorted indices); seeks to the first, `grab()`s past the rest.

        Args:
            wanted: sorted frame indices to return.
            prepare: applied to each returned frame as soon as it is decoded.
            to_end: keep grabbing after the last wanted frame, to count every frame.

        Returns:
            `(frames, seen)`: a dict of index -> prepared frame (missing indices lie beyond the
            decoder's end), and how many frames the decoder produced before stopping.
        """
        capture, index = self._capture_at_start(), 0
        if wanted and wanted[0] >= SEEK_FROM:
            if self._seek(capture, wanted[0]):
                index = wanted[0]
            else:
                capture = self._capture_at_start()
        frames, seen = self._walk(capture, index, wanted, prepare, to_end)
        if not frames and index > 0 and seen == index:
            # Nothing after the seek: the container claimed frames it does not hold. Count the
            # real ones from the start, so the caller can plan again from the true length.
            frames, seen = self._walk(self._capture_at_start(), 0, wanted, prepare, to_end)
        return frames, seen

    def _walk(self, capture, index, wanted, prepare, to_end):
        wanted_set = set(wanted)
        last = wanted[-1] if wanted else -1
        frames, self.grabs = {}, 0
        while (to_end or index <= last) and capture.grab():
            self.grabs += 1
            if index in wanted_set:
                ok, frame = capture.retrieve()
                if not ok:
                    break
                frames[index] = prepare(frame)
            index += 1
        return frames, index

    @staticmethod
    def _seek(capture, target):
        # OpenCV's FFmpeg backend seeks to the keyframe before `target` and decodes forward to
        # it; its position is checked, and anything else falls back to grabbing from the start.
        return capture.set(cv2.CAP_PROP_POS_FRAMES, target) and int(
            round(capture.get(cv2.CAP_PROP_POS_FRAMES))
        ) == target

    def _capture_at_start(self):
        if self._fresh:
            self._fresh = False
            return self._capture
        self._stack.close()
        self._stack = contextlib.ExitStack()
        return self._stack.enter_context(open_capture(self._data, self.path))


class FolderReader:
    """Reads a folder of frame images (`0001.png`, `0002.png`, ... in natural order) as a video."""

    exact = True

    def __init__(self, path, fps=FRAME_FOLDER_FPS):
        self.path = path
        self.fps = fps
        filesystems.check_scheme_available(path)
        try:
            names = tf.io.gfile.listdir(path)
        except tf.errors.OpError as error:
            raise VideoDecodeError(path, error.message.strip().splitlines()[0]) from None
        self._files = sorted(
            (name for name in names if name.lower().endswith(sources.IMAGE_EXTENSIONS)),
            key=_natural_key,
        )
        if not self._files:
            raise VideoDecodeError(path, "the frame folder holds no images")
        self.reported_frames = len(self._files)
        self.size = None  # known once a frame is decoded

    def read(self, wanted, prepare=lambda frame: frame, to_end=False):
        """Decodes the images at `wanted` indices; see `CaptureReader.read`."""
        del to_end  # the listing already counts every frame
        frames = {}
        for index in wanted:
            if index >= len(self._files):
                break
            frames[index] = prepare(self._decode(self._files[index]))
        return frames, len(self._files)

    def _decode(self, name):
        path = self.path + name
        image = cv2.imdecode(np.frombuffer(read_bytes(path), np.uint8), cv2.IMREAD_UNCHANGED)
        if image is None:
            raise VideoDecodeError(path, "OpenCV cannot decode this image")
        return image


def _natural_key(name):
    """Sorts "frame2.png" before "frame10.png"."""
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", name)]
