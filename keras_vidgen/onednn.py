"""oneDNN on wherever TensorFlow has it: asked for before TensorFlow first reads the setting.

TensorFlow 2.17's x86 Linux packages turn oneDNN on by default only on CPUs with AVX-512 VNNI,
BF16 or AMX (Cascade Lake and newer Intel), and its Windows packages never do. Everywhere else
(AMD EPYC and Ryzen, older or consumer Intel, every Windows machine) Conv3D's backward passes
fall to Eigen kernels that are 200-560x slower for kernel 4 / stride 2: the main job took 23 s
a step instead of 0.85 on a 2-core AMD EPYC. TensorFlow reads `TF_ENABLE_ONEDNN_OPTS` lazily,
at the first op, so setting it when `keras_vidgen` is imported (before Keras imports TensorFlow)
takes effect; a user's own setting, `0` included, is always kept.

Example:
    >>> import keras_vidgen  # oneDNN on unless TF_ENABLE_ONEDNN_OPTS was set
    >>> from keras_vidgen import onednn
    >>> onednn.enabled()
    True
"""

import os
import platform
import sys
import warnings

ENV_VAR = "TF_ENABLE_ONEDNN_OPTS"

# The packages whose TensorFlow is built with oneDNN (x86-64 Linux and Windows; aarch64 Linux
# builds use it through the Arm Compute Library). Elsewhere (macOS) asking for it does nothing.
_ONEDNN_MACHINES = ("x86_64", "amd64", "aarch64", "arm64")


# Whether `request()` set the variable in this process (so a report can say who chose).
set_here = False


class OneDNNWarning(RuntimeWarning):
    """oneDNN could not be turned on because TensorFlow was imported first."""


def request():
    """Asks TensorFlow for oneDNN unless the user chose; call before TensorFlow is imported.

    A user's own `TF_ENABLE_ONEDNN_OPTS` (`0` included) is kept. If TensorFlow was imported
    already, nothing is changed (it has read the setting) and, when that left oneDNN off on a
    machine whose TensorFlow has it, one `OneDNNWarning` says what it costs and how to fix it.
    Imports TensorFlow only if it was imported already.
    """
    global set_here
    if ENV_VAR in os.environ:
        return
    if "tensorflow" not in sys.modules:
        os.environ[ENV_VAR] = "1"
        set_here = True
        return
    if not enabled() and available():
        warnings.warn(
            "oneDNN is off in this process: TensorFlow was imported before keras_vidgen, so "
            f"{ENV_VAR}=1 came too late. On this CPU Conv3D training is then about 2x slower "
            "with this package's layers, and up to 30x with Keras's own (23 s a step instead of "
            "0.85 on an AMD EPYC). Import keras_vidgen before TensorFlow (and Keras), or set "
            f"{ENV_VAR}=1 in the environment (set it to 0 to silence this).",
            OneDNNWarning,
            stacklevel=3,
        )


def enabled():
    """Whether TensorFlow's oneDNN kernels are on in this process.

    True to the kernels in use when the variable did not change after `import tensorflow`, as in
    every process that imports `keras_vidgen` first (see the module docstring).
    """
    from tensorflow.python.util import _pywrap_util_port

    return bool(_pywrap_util_port.IsMklEnabled())


def available():
    """Whether this platform's TensorFlow packages are built with oneDNN (x86-64 and aarch64
    Linux, x86-64 Windows), so turning it on can matter."""
    return platform.system() in ("Linux", "Windows") and platform.machine().lower() in _ONEDNN_MACHINES
