"""The wire: ``protocol``, what clients send and what the server sends, as pydantic models
(their JSON Schemas are docs/schemas/), and the one way a message is encoded."""
