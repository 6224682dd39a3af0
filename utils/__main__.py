"""``python -m utils``: make Fashion-MNIST available offline and verified (``make data`` runs this).

Checks the four files (size, MD5), removes temporary files of killed runs, replaces missing or
damaged files; on failure prints what was tried and the fix, and exits with status 1.
"""

import sys

from .data import DatasetUnavailableError, _raw_folder, ensure_fashion_mnist

try:
    root = ensure_fashion_mnist()
except DatasetUnavailableError as error:
    print(f"error: {error}", file=sys.stderr)
    sys.exit(1)
print(f"Fashion-MNIST ready and verified in {_raw_folder(root)}")
