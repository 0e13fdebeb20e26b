"""The file store's files beside each room's log (``store.files``): the checkpoint rule
(``checkpoints``), the automations' outbox (``outbox``), the audience's questions
(``file_questions``) and the live captions (``file_captions``), the last two appended
through ``appender``.

May import: ``podium.core``, ``podium.store.base``.
"""
