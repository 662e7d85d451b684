"""The placement-day HTTP service (FastAPI): ``create_app`` in :mod:`api.http.app`; docs/service.md."""
