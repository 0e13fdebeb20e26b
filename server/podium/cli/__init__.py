"""The ``podium`` command: the whole parser (``main``), and each subcommand's handler where
its work is done: ``serve``, ``tools`` (check, import, export, report, token, schema),
``ctl``, ``watch``, and ``podium.bench`` for ``bench``.

The top layer: may import every other subpackage; nothing imports it.
"""
