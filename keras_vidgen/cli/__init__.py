"""`vidgen`: a thin command-line shell over `train()`, `export_generator()` and sampling.

Flags become a `TrainConfig`; all work happens in importable functions that the tests call.
`parser` declares the subcommands and their flags, `flags` turns `train`'s flags into a config,
`commands` holds one handler per subcommand; `main` here runs one and reports its errors.
"""

import os
import sys

from keras_vidgen.cli.flags import config_from_args
from keras_vidgen.cli.parser import build_parser
from keras_vidgen.export import ExportError


def main(argv=None):
    """Runs the `vidgen` command; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    try:
        code = args.handler(args) or 0
    except (FileNotFoundError, FileExistsError, ValueError, ExportError) as error:
        print(f"vidgen {args.command}: error: {error}", file=sys.stderr)
        code = 1
    except Exception as error:
        message = _data_error(error)
        if message is None:
            raise
        print(f"vidgen {args.command}: error: {message}", file=sys.stderr)
        code = 1
    if argv is None:
        _exit_if_s3_was_used(code)
    return code


def _data_error(error):
    """The clean message of a bad video met inside tf.data (see `data.pipeline`), else `None`."""
    text = str(error)
    marker = "assertion failed: ["
    if not type(error).__module__.startswith("tensorflow") or marker not in text:
        return None
    return text.split(marker, 1)[1].split("]\n", 1)[0].rstrip("]")


def _exit_if_s3_was_used(code):
    """Works around tensorflow-io 0.37.1 aborting at exit after s3 use (tensorflow/io #2039).

    The s3 plugin's static destructors call a pure virtual method when the process exits, so a
    finished `vidgen train --data s3://...` would end with "terminate called" and status 134. The
    command's work is done by now: flush and leave without running those destructors.
    """
    from keras_vidgen.data import filesystems

    if filesystems.s3_was_used():
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


__all__ = ["build_parser", "config_from_args", "main"]
