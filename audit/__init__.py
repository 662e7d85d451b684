"""Audit layer: canonical bytes, Merkle trees, signatures, logs, bundles, verify and replay."""
