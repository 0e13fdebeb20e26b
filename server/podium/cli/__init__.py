"""The ``podium`` command: one parser (``main``), ``serve``, the tools around the live hour
(``tools``: check, import, export, report, token, schema), ``ctl`` and ``watch``.

The top layer: may import every other subpackage; nothing imports it.
"""
