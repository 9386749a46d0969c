"""Class labels: from parent folder names (`class/clip.avi` trees) or from a manifest.

Class names are sorted and numbered from 0, so the same collection always gives the same map;
`train()` saves it as `class_index.json` in the run folder. Integer labels in a manifest are used
as they are.
"""

import dataclasses
import json

from keras_vidgen.data import sources

LABEL_SOURCES = ("folder", "manifest", "auto")
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
        ValueError: an unknown `labels`, or a manifest entry without a label; the message names
            the file.
    """
    if labels not in LABEL_SOURCES:
        raise ValueError(f"Unknown labels={labels!r}; choose one of {LABEL_SOURCES}.")
    if labels == "auto":
        labels = "manifest" if any(entry.label is not None for entry in entries) else "folder"
    if labels == "folder":
        names = [sources.parent_name(entry.path) for entry in entries]
    else:
        missing = [entry.path for entry in entries if entry.label is None]
        if missing:
            raise ValueError(
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


def save_class_index(path, class_index):
    """Writes the class map as JSON (`{"name": index}`), sorted by index."""
    ordered = dict(sorted(class_index.items(), key=lambda item: item[1]))
    with open(path, "w") as file:
        json.dump(ordered, file, indent=2)
        file.write("\n")
    return path


def load_class_index(path):
    """Reads a map written by `save_class_index`."""
    with open(path) as file:
        return json.load(file)
