"""Remote file systems: loads tensorflow-io's plugins once and explains what is missing when not.

TensorFlow itself reads local paths and `gs://`; tensorflow-io adds `s3://`, `http(s)://`,
`hdfs://` and `az://`. Its 0.37.1 plugins load only against TensorFlow 2.17 (tensorflow-io #2104);
with any other TensorFlow the import works but the schemes stay unregistered, and TensorFlow's own
error ("File system scheme 's3' not implemented") does not say why. `check_scheme_available`
turns that into an error that names the path and what to install.
"""

import functools
import re

import tensorflow as tf

from keras_vidgen.errors import DataError

_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*)://")
_TENSORFLOW_IO_SCHEMES = ("s3", "http", "https", "hdfs", "az", "viewfs", "har")
_SCHEMES_USED = set()


@functools.lru_cache(maxsize=None)
def registered_schemes():
    """Returns the URL schemes `tf.io.gfile` can open, after trying to load tensorflow-io.

    Returns:
        A frozenset of scheme names such as `{"file", "gs", "s3", "http"}` (`""` is local paths).
    """
    try:
        import tensorflow_io  # noqa: F401 -- importing registers the file-system plugins.
    except Exception:  # The package may be absent or broken; the scheme check explains it.
        pass
    return frozenset(tf.io.gfile.get_registered_schemes())


def scheme_of(path):
    """Returns the URL scheme of `path` (`"s3"` for `s3://bucket/x`), or `""` for a local path."""
    match = _SCHEME.match(path)
    return match.group(1).lower() if match else ""


def check_scheme_available(path):
    """Raises a helpful error if `path` uses a file-system scheme TensorFlow cannot open here.

    Args:
        path: a local path or URL.

    Raises:
        ValueError: the scheme is not registered; the message says which package provides it.
    """
    scheme = scheme_of(path)
    _SCHEMES_USED.add(scheme)
    if not scheme or scheme == "file" or scheme in registered_schemes():
        return
    if scheme in _TENSORFLOW_IO_SCHEMES:
        hint = (
            f"The {scheme}:// file system comes from tensorflow-io, whose plugins did not load. "
            f"Install tensorflow-io==0.37.1 with tensorflow>=2.17,<2.18 (its plugins fail to load "
            f"with other TensorFlow versions; tensorflow-io issue #2104). Installed: tensorflow "
            f"{tf.__version__}."
        )
    else:
        hint = "No TensorFlow file-system plugin provides this scheme."
    raise DataError(
        f"Cannot open {path!r}: scheme {scheme!r} is not registered with tf.io.gfile. {hint} "
        f"Registered schemes: {sorted(s for s in registered_schemes() if s)}."
    )


def s3_was_used():
    """Whether this process listed or opened an `s3://` path (see `cli._exit_if_s3_was_used`)."""
    return "s3" in _SCHEMES_USED
