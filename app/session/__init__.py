"""The message record and everything that stores, loads or replays it."""
