"""The web layer: thin routes that parse a request, call the engine (nn) and the preprocessing,
and render HTML or JSON. Errors become clear 4xx answers here."""
