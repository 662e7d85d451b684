"""Edges of Sunshine: command line, input parsing, output writing, HTTP service."""
