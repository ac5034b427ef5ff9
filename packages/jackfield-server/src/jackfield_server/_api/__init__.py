"""The HTTP API's routes, bodies and error handling (assembled by ``create_app``)."""
