"""`python -m keras_vidgen.cli`: the same as the `vidgen` console script."""

import sys

from keras_vidgen.cli import main

sys.exit(main())
