"""``python -m grading``: see :mod:`grading.cli`."""

import sys

from .cli import main

sys.exit(main())
