"""Bad-file policies: what happens to a file that cannot be decoded, and the count of skipped ones.

`on_error="raise"` stops with an error naming the file and the reason. `on_error="skip"` drops
the file's clip, logs the file once (logger `keras_vidgen.data`) and counts it in a
`SkippedFiles`, which a Keras callback (`keras_vidgen.callbacks.SkippedFilesLogger`) reports and
resets at the end of every epoch. Short videos follow their own policy (`short_videos`), and
short_videos="skip" counts them here too. `action` decides, for the up-front validation
(`probe.usable_entries`) and for files met while training (`pipeline`) alike.
"""

import contextlib
import logging
import threading

from keras_vidgen.choices import ON_ERROR_POLICIES

logger = logging.getLogger("keras_vidgen.data")


def check_on_error(on_error):
    if on_error not in ON_ERROR_POLICIES:
        raise ValueError(f"Unknown on_error={on_error!r}; choose one of {ON_ERROR_POLICIES}.")


def action(short, short_videos, on_error):
    """What becomes of a video that cannot give a clip as asked: "keep", "skip" or "raise".

    Args:
        short: it decodes but holds fewer frames than one clip (else: it cannot be read at all).
        short_videos: "loop" and "pad" keep a short video, "skip" skips it, "error" raises (even
            under on_error="skip", which is about unreadable files).
        on_error: "raise" or "skip" an unreadable file.
    """
    if short:
        return {"skip": "skip", "error": "raise"}.get(short_videos, "keep")
    return on_error


class SkippedFiles:
    """A thread-safe tally of skipped files: each logged once, counted every time; and the error
    that stopped a pipeline, if one did.

    Attributes:
        reasons: path -> the reason it was first skipped, over the whole run.
        error: the `DataError` (e.g. a `VideoDecodeError`) that stopped the pipeline, or `None`.

    Example:
        >>> skipped = SkippedFiles()
        >>> dataset = video_dataset("clips/", on_error="skip", skipped=skipped)
        >>> model.fit(dataset, callbacks=[SkippedFilesLogger(skipped)])
    """

    def __init__(self):
        self._lock = threading.Lock()
        self.reasons = {}
        self._since_reset = 0
        self._in_a_row = 0
        self.error = None

    def fail(self, error):
        """Records the error that stops the pipeline (inside tf.data it can only stop it with a
        message; `raise_recorded` raises this typed error where the data is read)."""
        with self._lock:
            self.error = self.error or error

    @contextlib.contextmanager
    def raise_recorded(self):
        """Turns tf.data's failure after `fail()` back into the recorded error, e.g.
        `VideoDecodeError` naming the file and the reason."""
        try:
            yield
        except Exception as error:  # a tf.errors.OpError from the iterator (or Keras's wrapper)
            if self.error is None:
                raise
            raise self.error from error

    def record(self, path, reason):
        """Counts one skipped clip of `path`; logs the file the first time only.

        Returns:
            How many files in a row have now failed (a success resets it).
        """
        with self._lock:
            self._since_reset += 1
            self._in_a_row += 1
            first_time = path not in self.reasons
            self.reasons.setdefault(path, reason)
            in_a_row = self._in_a_row
        if first_time:
            logger.warning("Skipping video %s: %s", path, reason)
        return in_a_row

    def record_success(self):
        with self._lock:
            self._in_a_row = 0

    def count(self):
        """Skips since the last `reset()` (a file skipped twice counts twice)."""
        with self._lock:
            return self._since_reset

    def reset(self):
        """Returns the count since the last reset and starts a new one (one call per epoch)."""
        with self._lock:
            count, self._since_reset = self._since_reset, 0
            return count
