"""The errors a user can cause and fix: bad settings, bad files, a model that does not fit the
request. Each is raised where the fault is seen and names what is wrong.

`vidgen` prints a `VidgenError`'s message without a traceback and exits non-zero; any other
exception is a bug in the package and keeps its traceback. This module imports nothing heavy, so
the command line can check its flags without loading TensorFlow.
"""


class VidgenError(Exception):
    """A mistake in what was asked for or given (settings, files, models), not a bug."""


class ConfigError(VidgenError, ValueError):
    """A setting, or a combination of settings, that cannot work.

    The message names each setting involved with its value; `vidgen` names them as flags.

    Args:
        problem: the message, with `{0}`, `{1}`, ... where the settings go.
        *settings: `(field path, value)` pairs, e.g. `("data.frames", 0)`.

    Example:
        >>> str(ConfigError("{0} must be at least 1", ("data.frames", 0)))
        'data.frames=0 must be at least 1'
    """

    def __init__(self, problem, *settings):
        self.problem = problem
        self.settings = settings
        super().__init__(self.render(lambda path, value: f"{path}={value!r}"))

    @property
    def fields(self):
        """The dotted paths of the settings involved, e.g. `["data.frames"]`."""
        return [path for path, _ in self.settings]

    def render(self, name):
        """The message with each setting written as `name(path, value)`."""
        if not self.settings:
            return self.problem
        return self.problem.format(*(name(path, value) for path, value in self.settings))


class DataError(VidgenError, ValueError):
    """The videos (or their list, manifest or labels) cannot be used as asked; the message names
    the file."""


class VideoDecodeError(DataError):
    """A video file could not be read or decoded; the message names the file and the reason."""

    def __init__(self, path, reason):
        super().__init__(f"Cannot decode video {path!r}: {reason}")
        self.path = path
        self.reason = reason


class ShortVideoError(VideoDecodeError):
    """A video holds fewer frames than one clip (policies short_videos="skip" and "error")."""


class ModelError(VidgenError, ValueError):
    """A model cannot do what was asked of it (e.g. a label for an unconditional model)."""


class ExportError(VidgenError, RuntimeError):
    """An export step or check failed; the message names it. Nothing was published."""


class InputVideoError(DataError):
    """A video given to a predictor does not fit it (too few frames, another size or channel
    count); the message names the video and the numbers."""
