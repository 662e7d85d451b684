"""``python -m api.cli``: the ``sunshine`` command without its console script."""

from api.cli import run

run()
