"""Sunshine deterministic engine: randomness, zone lottery, points admission, class placement.

Pure core: no file, network, clock or database I/O happens in this package.
"""
