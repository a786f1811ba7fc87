"""Importing this package registers every product's handlers."""

import importlib

for _name in ("sts", "vpc", "cbn", "cr"):
    try:
        importlib.import_module("acr_twin.products." + _name)
    except ModuleNotFoundError as _err:  # a product not written yet must not stop the others
        if _err.name != "acr_twin.products." + _name:
            raise
