"""What a room does while it is live: ``room`` (the one writer), ``hub`` (one-pass fan-out),
``clock``, ``autoadvance``, ``questions`` (the audience's questions), ``readiness`` (which
speakers are ready), ``outbound`` (the automations: webhooks and OSC), ``health`` (the
store's active check)."""
