"""Manifests: a CSV or JSON-lines file listing videos with optional labels and time ranges.

Columns (CSV header) or keys (one JSON object per line):

    path    the video file or frame folder; relative paths are relative to the manifest's folder.
            `file` is accepted too (the built-in moving-shapes `manifest.jsonl` uses it).
    label   optional: a class name or an integer class index.
    start   optional: first second of the video to use (also `start_time`, `time_start`, as in
            Kinetics CSVs).
    end     optional: second to stop at (also `end_time`, `time_end`).

Example `train.csv`:

    path,label,start,end
    videos/jump_001.mp4,jump,0.5,4.0
    s3://bucket/run_002.avi,run,,
"""

import csv
import io
import json
import posixpath

import tensorflow as tf

from keras_vidgen.data import filesystems, sources
from keras_vidgen.errors import DataError

_PATH_KEYS = ("path", "file")
_START_KEYS = ("start", "start_time", "time_start")
_END_KEYS = ("end", "end_time", "time_end")


def read_video_manifest(manifest_path):
    """Reads a `.csv` or `.jsonl` manifest into `VideoEntry` records.

    Args:
        manifest_path: a local or remote manifest file.

    Returns:
        A list of `sources.VideoEntry`, in file order.

    Raises:
        FileNotFoundError: the manifest does not exist.
        DataError: a row has no path, a bad time, or the file is not valid CSV/JSON lines;
            the message names the manifest and the line.
    """
    if not tf.io.gfile.exists(manifest_path):
        raise FileNotFoundError(f"Manifest {manifest_path!r} does not exist.")
    with tf.io.gfile.GFile(manifest_path, "r") as file:
        text = file.read()
    rows = _csv_rows(text) if manifest_path.lower().endswith(".csv") else _json_rows(text, manifest_path)
    base = _folder_of(manifest_path)
    entries = [_entry(row, line, base, manifest_path) for line, row in rows]
    if not entries:
        raise FileNotFoundError(f"Manifest {manifest_path!r} lists no videos.")
    return entries


def _csv_rows(text):
    reader = csv.DictReader(io.StringIO(text))
    # Line 1 is the header, so the first row is line 2.
    return [(line, row) for line, row in enumerate(reader, start=2) if any(row.values())]


def _json_rows(text, manifest_path):
    rows = []
    for line, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            row = json.loads(raw)
        except json.JSONDecodeError as error:
            raise DataError(f"Manifest {manifest_path!r} line {line} is not JSON: {error}") from None
        if not isinstance(row, dict):
            raise DataError(f"Manifest {manifest_path!r} line {line} is not a JSON object.")
        rows.append((line, row))
    return rows


def _entry(row, line, base, manifest_path):
    where = f"manifest {manifest_path!r} line {line}"
    path = next((str(row[key]).strip() for key in _PATH_KEYS if row.get(key) not in (None, "")), None)
    if path is None:
        raise DataError(f"{where} has no `path` (columns: path, label, start, end).")
    if not filesystems.scheme_of(path) and not posixpath.isabs(path):
        path = posixpath.join(base, path) if base else path
    label = row.get("label")
    if isinstance(label, str):
        label = label.strip() or None
    start, end = _time(row, _START_KEYS, where), _time(row, _END_KEYS, where)
    if start is not None and end is not None and end <= start:
        raise DataError(f"{where}: end {end} is not after start {start}.")
    if not path.endswith("/") and not path.lower().endswith(sources.VIDEO_EXTENSIONS):
        if tf.io.gfile.isdir(path):
            path += "/"  # a folder of frame images
    return sources.VideoEntry(path, label=label, start=start, end=end)


def _time(row, keys, where):
    for key in keys:
        # JSON lists or objects under these names are something else (the moving-shapes manifest
        # stores a start *position*), never a time.
        if row.get(key) not in (None, "") and not isinstance(row[key], (list, dict)):
            return _seconds(row[key], where, key)
    return None


def _seconds(value, where, name):
    if value in (None, ""):
        return None
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        raise DataError(f"{where}: {name} {value!r} is not a number of seconds.") from None
    if seconds < 0:
        raise DataError(f"{where}: {name} {seconds} is negative.")
    return seconds


def _folder_of(path):
    if filesystems.scheme_of(path):
        return posixpath.dirname(path)
    return posixpath.dirname(path.replace("\\", "/"))
