"""The input side: videos (local or remote) -> decoded, sampled, transformed clips -> `tf.data`."""

from keras_vidgen.data.errors import DataError, ShortVideoError, VideoDecodeError
from keras_vidgen.data.labels import (
    CLASS_INDEX_FILE, attach_labels, class_names, load_class_index, save_class_index,
)
from keras_vidgen.data.manifest import read_video_manifest
from keras_vidgen.data.pipeline import load_clip, usable_videos, video_dataset
from keras_vidgen.data.policies import SkippedFiles
from keras_vidgen.data.probe import VideoInfo, probe_videos
from keras_vidgen.data.sampling import ClipSpec
from keras_vidgen.data.shapes import cached_moving_shapes, make_moving_shapes, read_manifest
from keras_vidgen.data.sources import VideoEntry, list_video_files, list_videos
from keras_vidgen.data.transforms import FrameSpec

__all__ = [
    "CLASS_INDEX_FILE",
    "ClipSpec",
    "DataError",
    "FrameSpec",
    "ShortVideoError",
    "SkippedFiles",
    "VideoDecodeError",
    "VideoEntry",
    "VideoInfo",
    "attach_labels",
    "cached_moving_shapes",
    "class_names",
    "list_video_files",
    "list_videos",
    "load_class_index",
    "load_clip",
    "make_moving_shapes",
    "probe_videos",
    "read_manifest",
    "read_video_manifest",
    "save_class_index",
    "usable_videos",
    "video_dataset",
]
