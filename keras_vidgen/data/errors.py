"""The errors of the input side; each names the file and the reason (see `keras_vidgen.errors`)."""

from keras_vidgen.errors import DataError, ShortVideoError, VideoDecodeError

__all__ = ["DataError", "ShortVideoError", "VideoDecodeError"]
