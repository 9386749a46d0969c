"""Finding video files: a glob, a folder, a single file or a list of them, local or remote.

Everything goes through `tf.io.gfile`, so the same code lists `s3://`, `gs://`, `hdfs://` and
`http(s)://` locations when the matching file-system plugin is loaded (see `filesystems`).
"""

import os

import tensorflow as tf

from keras_vidgen.data import filesystems

VIDEO_EXTENSIONS = (
    ".mp4", ".m4v", ".mov", ".avi", ".mkv", ".webm", ".mpg", ".mpeg", ".ogv", ".wmv", ".flv",
    ".gif",
)

_GLOB_CHARACTERS = "*?["


def list_video_files(paths):
    """Resolves `paths` to a sorted list of video files.

    Args:
        paths: a glob (`"clips/*.mp4"`), a folder (searched recursively for files with a video
            extension), a single file, or a list or tuple of any of these.

    Returns:
        A sorted list of unique file paths.

    Raises:
        FileNotFoundError: a path does not exist, a glob matches nothing, or a folder holds no
            video files. The message names the offending entry.
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    if not paths:
        raise FileNotFoundError("No video paths were given: pass a glob, a folder or files.")
    found = []
    for entry in paths:
        found.extend(_resolve_one(os.fspath(entry)))
    return sorted(set(found))


def _resolve_one(entry):
    filesystems.check_scheme_available(entry)
    if any(character in entry for character in _GLOB_CHARACTERS):
        matches = [path for path in tf.io.gfile.glob(entry) if not tf.io.gfile.isdir(path)]
        if not matches:
            raise FileNotFoundError(
                f"The glob {entry!r} matched no files. Check the pattern and that the folder "
                "exists (quote the pattern in a shell so that the shell does not expand it)."
            )
        return matches
    if not tf.io.gfile.exists(entry):
        raise FileNotFoundError(f"Video path {entry!r} does not exist.")
    if tf.io.gfile.isdir(entry):
        return _videos_in_folder(entry)
    return [entry]


def _videos_in_folder(folder):
    matches = []
    for root, _, files in tf.io.gfile.walk(folder):
        for name in files:
            if name.lower().endswith(VIDEO_EXTENSIONS):
                matches.append(os.path.join(root, name))
    if not matches:
        raise FileNotFoundError(
            f"The folder {folder!r} holds no video files (looked for {', '.join(VIDEO_EXTENSIONS)})."
        )
    return matches
