"""``python -m utils``: make Fashion-MNIST available offline (``make data`` runs this)."""

from .data import _raw_folder, ensure_fashion_mnist

print(f"Fashion-MNIST ready in {_raw_folder(ensure_fashion_mnist())}")
