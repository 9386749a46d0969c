"""Bad-file policies: what happens to a file that cannot be decoded, and the count of skipped ones.

`on_error="raise"` stops with an error naming the file and the reason. `on_error="skip"` drops
the file's clip, logs the file once (logger `keras_vidgen.data`) and counts it in a
`SkippedFiles`, which a Keras callback (`keras_vidgen.callbacks.SkippedFilesLogger`) reports and
resets at the end of every epoch. Short videos follow their own policy (`short_videos`), and
short_videos="skip" counts them here too.
"""

import logging
import threading

ON_ERROR_POLICIES = ("raise", "skip")

logger = logging.getLogger("keras_vidgen.data")


def check_on_error(on_error):
    if on_error not in ON_ERROR_POLICIES:
        raise ValueError(f"Unknown on_error={on_error!r}; choose one of {ON_ERROR_POLICIES}.")


class SkippedFiles:
    """A thread-safe tally of skipped files: each logged once, counted every time.

    Attributes:
        reasons: path -> the reason it was first skipped, over the whole run.

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
