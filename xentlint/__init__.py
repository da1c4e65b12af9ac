"""xentlint: find and fix loss-function misuse in ML code."""
__version__ = "0.1.0"
