"""Replay: play one side of a recorded session to a live peer and say where it now answers
differently.

`script` takes one station's side out of a recording and finds the recorded answer for a
live CALL; `rewrite` makes recorded payloads acceptable today (ids, timestamps, rules);
`compare` aligns live exchanges with recorded ones and diffs them (pure); `report` words the
outcome for the console, JSON and HTML; `runner` drives the live endpoints, with hooks
(progress, pause, step, start-from) for a window to drive it too.
"""
