"""The network engine: asyncio + websockets. Forwards and answers frames, then hands them
to a `Capture`; holds no OCPP logic of its own beyond what `app.ocpp` provides."""
