"""The file store's files on disk, beside what ``store.files`` does with them: the log's
bytes (``logfile``), the checkpoint rule (``checkpoints``), the automations' outbox
(``outbox``), the audience's questions (``file_questions``) and the live captions
(``file_captions``), the last two appended through ``appender``.

May import: ``podium.core``, ``podium.store.base``.
"""
