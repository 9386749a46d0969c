"""Class labels: from parent folder names (`class/clip.avi` trees) or from a manifest.

Class names are sorted and numbered from 0, so the same collection always gives the same map;
integer labels in a manifest are used as they are. The class names then travel with the run as
one list in index order: `train()` saves them as `class_index.json` in the run folder, the
`VideoGAN` keeps them in its config (so its `.keras` checkpoint has them), and the export writes
them as `class_index.json` again, in the same `{"name": index}` format, for `vidgen sample --label
NAME` and REST clients.
"""

import dataclasses
import json

from keras_vidgen.choices import LABEL_SOURCES
from keras_vidgen.data import sources
from keras_vidgen.errors import ConfigError, DataError
CLASS_INDEX_FILE = "class_index.json"


def attach_labels(entries, labels="auto"):
    """Gives every entry an integer class index.

    Args:
        entries: `sources.VideoEntry` records.
        labels: "folder" (the parent folder's name), "manifest" (the manifest's `label`), or
            "auto" (the manifest's labels if any entry has one, else folder names).

    Returns:
        `(entries, class_index)`: entries with `label` set to an int, and the map of class name
        to index (`{"Basketball": 0, "Biking": 1, ...}`).

    Raises:
        ConfigError: an unknown `labels`.
        DataError: a manifest entry without a label; the message names the file.
    """
    if labels not in LABEL_SOURCES:
        raise ConfigError(f"{{0}} is not a choice; choose one of {list(LABEL_SOURCES)}",
                          ("data.labels", labels))
    if labels == "auto":
        labels = "manifest" if any(entry.label is not None for entry in entries) else "folder"
    if labels == "folder":
        names = [sources.parent_name(entry.path) for entry in entries]
    else:
        missing = [entry.path for entry in entries if entry.label is None]
        if missing:
            raise DataError(
                f"{len(missing)} manifest entries have no label, e.g. {missing[0]!r}: give every "
                "row a label, or use labels='folder'."
            )
        names = [entry.label for entry in entries]
    class_index = _class_index(names)
    labelled = [
        dataclasses.replace(entry, label=class_index[str(name)]) for entry, name in zip(entries, names)
    ]
    return labelled, class_index


def _class_index(names):
    texts = sorted({str(name) for name in names})
    if all(_is_integer(name) for name in names):
        return {text: int(text) for text in sorted(texts, key=int)}
    return {text: index for index, text in enumerate(texts)}


def _is_integer(value):
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, str) and value.strip().lstrip("-").isdigit()


def class_names(class_index):
    """The class names in index order, from a `{name: index}` map (or the names themselves).

    An index that no class has (integer labels with gaps) is named by itself.

    Example:
        >>> class_names({"Biking": 1, "Archery": 0})
        ['Archery', 'Biking']
    """
    if not isinstance(class_index, dict):
        return [str(name) for name in class_index]
    names = {index: str(name) for name, index in class_index.items()}
    return [names.get(index, str(index)) for index in range(max(names, default=-1) + 1)]


def save_class_index(path, class_index):
    """Writes `class_index.json`: `{"name": index}` in index order, from a map or a list of names
    in index order. The run folder and the export both hold this one format."""
    if not isinstance(class_index, dict):
        class_index = {name: index for index, name in enumerate(class_index)}
    ordered = dict(sorted(class_index.items(), key=lambda item: item[1]))
    with open(path, "w") as file:
        json.dump(ordered, file, indent=2)
        file.write("\n")
    return path


def load_class_index(path):
    """Reads a map written by `save_class_index`: `{"name": index}`.

    Exports made before the format was shared wrote `{"index": "name"}`; those read the same.
    """
    with open(path) as file:
        index = json.load(file)
    if index and all(isinstance(value, str) for value in index.values()):
        return {name: int(key) for key, name in index.items()}
    return index

