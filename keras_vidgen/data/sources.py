"""Finding videos: a glob, a folder, a file, a manifest, or a list of them; local or remote.

Everything goes through `tf.io.gfile`, so the same code lists `s3://`, `gs://`, `hdfs://` and
`az://` locations when the matching file-system plugin is loaded (see `filesystems`). A video is a
file OpenCV's FFmpeg backend decodes (mp4, avi, mkv, webm, mov, animated GIF, ...) or a folder of
frame images (`clip_x/0001.png ...`), which is one video. `http(s)://` servers have no directory
listing, so web sources are single URLs, lists of URLs, or a manifest of URLs.
"""

import dataclasses
import os
import posixpath
from typing import Optional

import tensorflow as tf

from keras_vidgen.data import filesystems
from keras_vidgen.errors import DataError

VIDEO_EXTENSIONS = (
    ".mp4", ".m4v", ".mov", ".avi", ".mkv", ".webm", ".mpg", ".mpeg", ".ogv", ".wmv", ".flv",
    ".gif",
)
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff")
MANIFEST_EXTENSIONS = (".csv", ".jsonl", ".ndjson")

_GLOB_CHARACTERS = "*?["
_NO_LISTING_SCHEMES = ("http", "https")


@dataclasses.dataclass(frozen=True)
class VideoEntry:
    """One video of a collection.

    Attributes:
        path: a video file, or a folder of frame images ending in "/" (the marker the decoder uses).
        label: a class name or integer from a manifest or the parent folder; `None` if unknown.
        start: first second to use (manifest `start`), `None` for the beginning.
        end: second to stop at (manifest `end`), `None` for the end.
    """

    path: str
    label: Optional[object] = None
    start: Optional[float] = None
    end: Optional[float] = None

    @property
    def is_frame_folder(self):
        return self.path.endswith("/")


def list_video_files(paths):
    """Resolves `paths` to a sorted list of videos (files, and frame folders ending in "/").

    Args:
        paths: a glob (`"clips/*.mp4"`, `"s3://bucket/ucf/*/*.avi"`), a folder (searched
            recursively), a single file, a manifest (`.csv` / `.jsonl`), or a list of these.

    Returns:
        A sorted list of unique paths.

    Raises:
        FileNotFoundError: a path does not exist, a glob matches nothing, or a folder holds no
            videos. The message names the offending entry.
    """
    return [entry.path for entry in list_videos(paths)]


def list_videos(paths):
    """Resolves `paths` to `VideoEntry` records, sorted by path, duplicates removed.

    Args:
        paths: as in `list_video_files`.

    Returns:
        A list of `VideoEntry` sorted by path (then time range); labels and time ranges are set
        for manifest entries only.

    Raises:
        FileNotFoundError: as in `list_video_files`.
        ValueError: a remote scheme is not available, or a web source is a glob or folder.
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    if not paths:
        raise FileNotFoundError("No video paths were given: pass a glob, a folder or files.")
    found = {}
    for item in paths:
        for entry in _resolve_one(os.fspath(item)):
            # One file may appear several times in a manifest with different time ranges.
            key = (entry.path, _seconds_key(entry.start), _seconds_key(entry.end))
            found.setdefault(key, entry)
    return [found[key] for key in sorted(found)]


def _seconds_key(value):
    return -1.0 if value is None else value


def _resolve_one(item):
    filesystems.check_scheme_available(item)
    if item.lower().endswith(MANIFEST_EXTENSIONS):
        from keras_vidgen.data import manifest  # manifest entries are resolved with this module

        return manifest.read_video_manifest(item)
    no_listing = filesystems.scheme_of(item) in _NO_LISTING_SCHEMES
    if any(character in item for character in _GLOB_CHARACTERS):
        if no_listing:
            raise DataError(_no_listing_message(item, "a glob"))
        return _expand_glob(item)
    if no_listing:
        if item.endswith("/"):
            raise DataError(_no_listing_message(item, "a folder"))
        return [VideoEntry(item)]  # Existence is checked when the file is read or validated.
    if not tf.io.gfile.exists(item):
        raise FileNotFoundError(f"Video path {item!r} does not exist.")
    if tf.io.gfile.isdir(item):
        return [VideoEntry(path) for path in _videos_in_folder(item)]
    return [VideoEntry(item)]


def _expand_glob(pattern):
    videos = []
    for path in tf.io.gfile.glob(pattern):
        if tf.io.gfile.isdir(path):
            if _is_frame_folder(path):
                videos.append(_folder_path(path))
        elif not path.lower().endswith(IMAGE_EXTENSIONS):
            videos.append(path)
    if not videos:
        raise FileNotFoundError(
            f"The glob {pattern!r} matched no video files. Check the pattern and that the folder "
            "exists (quote the pattern in a shell so that the shell does not expand it)."
        )
    return [VideoEntry(path) for path in videos]


def _videos_in_folder(folder):
    """Video files below `folder`, plus every folder that holds frame images (one video each)."""
    matches = []
    for root, _, files in tf.io.gfile.walk(folder):
        lowered = [name.lower() for name in files]
        if any(name.endswith(IMAGE_EXTENSIONS) for name in lowered):
            matches.append(_folder_path(root))
        matches.extend(
            _join(root, name) for name, low in zip(files, lowered) if low.endswith(VIDEO_EXTENSIONS)
        )
    if not matches:
        raise FileNotFoundError(
            f"The folder {folder!r} holds no videos: no files ending in "
            f"{', '.join(VIDEO_EXTENSIONS)} and no folders of {'/'.join(IMAGE_EXTENSIONS)} frames."
        )
    return matches


def _is_frame_folder(path):
    return any(name.lower().endswith(IMAGE_EXTENSIONS) for name in tf.io.gfile.listdir(path))


def _folder_path(path):
    return path.rstrip("/") + "/"


def _join(root, name):
    # URLs always use "/"; os.path.join would use "\\" on Windows.
    return posixpath.join(root, name) if filesystems.scheme_of(root) else os.path.join(root, name)


def parent_name(path):
    """The name of the folder holding a video (`"Basketball"` for `ucf/Basketball/v_1.avi`)."""
    parent = posixpath.dirname(path.rstrip("/").replace("\\", "/"))
    return posixpath.basename(parent)


def _no_listing_message(item, what):
    return (
        f"Cannot list {item!r}: it is {what} on an http(s) server, and web servers offer no "
        "directory listing to tf.io.gfile. Pass file URLs (one or a list), or a manifest "
        "(.csv or .jsonl, local or remote) whose `path` column holds the URLs."
    )
