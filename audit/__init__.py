"""Audit layer: canonical bytes, Merkle trees, signatures, logs, bundles, verify and replay.

Also drand beacons verified offline (audit.beacon) and canonical spellings of hashed values (audit.spelling).
"""
