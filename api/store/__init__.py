"""Storage of runs: the :class:`~api.store.base.RunStore` protocol, its directory and database stores,
and the ``--out`` result folder."""
