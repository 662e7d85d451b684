"""Fixtures for the audit tests (helpers live in ``audit_fixtures``, a unique module name)."""

from audit_fixtures import ceremony_out, operator, practice_out

__all__ = ["ceremony_out", "operator", "practice_out"]
