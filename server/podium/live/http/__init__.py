"""The HTTP and WebSocket surface of the rooms: ``app`` (``create_app``, which builds
everything), the routes, the WebSocket, the pages' files, the middleware, metrics and the
access log."""
