"""The report after (or during) the event: rebuilt by replaying a room's action log
(``replay``) into its ``model`` (turns, speakers, sessions, totals), written as text, CSV
or JSON (``formats``) or as a page (``html``).

May import: ``podium.core`` and ``podium.store`` (the log records it replays).
"""
