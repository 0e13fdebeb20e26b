"""A room's events going out: ``automations`` (each room's events to its webhooks and OSC
targets), ``batches`` (a change's events, claimed and marked done together), ``targets``
(one automation's queue) and ``delivery`` (one webhook POST or OSC message).

May import: ``podium.core``, ``podium.store``, ``podium.live.rooms.room``.
"""
