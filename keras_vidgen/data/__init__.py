"""The input side: video files (local or remote) -> decoded, resized clips -> `tf.data`."""

from keras_vidgen.data.decode import VideoDecodeError
from keras_vidgen.data.pipeline import load_clip, video_dataset
from keras_vidgen.data.shapes import cached_moving_shapes, make_moving_shapes, read_manifest
from keras_vidgen.data.sources import list_video_files

__all__ = [
    "VideoDecodeError",
    "cached_moving_shapes",
    "list_video_files",
    "load_clip",
    "make_moving_shapes",
    "read_manifest",
    "video_dataset",
]
