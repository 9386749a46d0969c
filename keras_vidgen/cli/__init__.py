"""`vidgen`: a thin command-line shell over `train()`, `export_generator()` and sampling.

Flags become a `TrainConfig`; all work happens in importable functions that the tests call.
`parser` declares the subcommands and their flags, `flags` derives `train`'s flags from the config
dataclasses and turns them back into a config, `commands` holds one handler per subcommand; `main`
here runs one and reports its errors. Nothing here imports TensorFlow until a command runs, so a
bad flag is refused at once.
"""

import os
import sys

from keras_vidgen.cli.flags import config_from_args, name_as_flag
from keras_vidgen.cli.parser import build_parser
from keras_vidgen.errors import ConfigError, VidgenError

# Errors of the user's making (a missing or existing file, a bad setting, file or model): one
# line, no traceback. Anything else is a bug of the package and keeps its traceback.
USER_ERRORS = (VidgenError, FileNotFoundError, FileExistsError)


def main(argv=None):
    """Runs the `vidgen` command; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    try:
        code = args.handler(args) or 0
    except ConfigError as error:
        # A usage error, like argparse's own: the settings named as the flags that set them.
        print(f"vidgen {args.command}: error: {error.render(name_as_flag)}", file=sys.stderr)
        code = 2
    except USER_ERRORS as error:
        print(f"vidgen {args.command}: error: {error}", file=sys.stderr)
        code = 1
    if argv is None:
        _exit_if_s3_was_used(code)
    return code


def _exit_if_s3_was_used(code):
    """Works around tensorflow-io 0.37.1 aborting at exit after s3 use (tensorflow/io #2039).

    The s3 plugin's static destructors call a pure virtual method when the process exits, so a
    finished `vidgen train --data s3://...` would end with "terminate called" and status 134. The
    command's work is done by now: flush and leave without running those destructors.
    """
    if "keras_vidgen.data.filesystems" not in sys.modules:
        return  # no data was read, so no file system plugin was loaded
    from keras_vidgen.data import filesystems

    if filesystems.s3_was_used():
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


__all__ = ["build_parser", "config_from_args", "main"]
