"""Protocol knowledge as pure functions: frames, catalog, schemas, validation. No I/O."""
