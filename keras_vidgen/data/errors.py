"""The errors of the input side; each names the file and the reason."""


class VideoDecodeError(ValueError):
    """A video file could not be read or decoded; the message names the file and the reason."""

    def __init__(self, path, reason):
        super().__init__(f"Cannot decode video {path!r}: {reason}")
        self.path = path
        self.reason = reason


class ShortVideoError(VideoDecodeError):
    """A video holds fewer frames than one clip (policies short_videos="skip" and "error")."""
