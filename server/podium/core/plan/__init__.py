"""The running plan's commands: ``rundown``, the transitions of the plan a room runs
(``add_speaker`` ... ``remove_session``, ``reload``), beside the engine that calls them."""
