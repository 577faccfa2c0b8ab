"""How long the Station view takes to show a state, first and then again with one value
changed, as the window calls it live (every ~100-250 ms) and during playback.

Run: QT_QPA_PLATFORM=offscreen python -m tests.benchmarks.station_view [--variables 5000]
"""

from __future__ import annotations

import argparse
import time

from PySide6.QtWidgets import QApplication

from app.state.model import DeviceVariable, SessionState, VariableAttribute
from tests.widgets import station_samples


def big_state(variables: int) -> SessionState:
    """The two-EVSE sample with a device model grown to `variables` variables."""
    state = station_samples.two_evses_one_charging()
    model = state.stations["CP-0042"].device_model
    for n in range(variables - len(model)):
        entry = DeviceVariable(f"Component{n // 40:03d}", f"Variable{n % 40:02d}")
        entry.attributes["Actual"] = VariableAttribute("Actual", str(n), "ReadWrite", seq=n)
        entry.characteristics = {"dataType": "integer", "unit": "s"}
        model.variables[entry.key] = entry
    return state


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--variables", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args(argv)
    app = QApplication.instance() or QApplication([])
    from widgets.station_view import StationView

    view = StationView()
    view.resize(1400, 800)
    view.show()
    state = big_state(args.variables)
    started = time.perf_counter()
    view.set_state(state)
    app.processEvents()
    first = time.perf_counter() - started
    view.device.view.expandAll()
    variable = next(iter(state.stations["CP-0042"].device_model.variables.values()))
    started = time.perf_counter()
    for n in range(args.rounds):
        attribute = variable.attributes["Actual"]
        attribute.value, attribute.seq = str(n), 1_000_000 + n   # as the tracker sets it
        view.set_state(state)
        app.processEvents()
    again = (time.perf_counter() - started) / args.rounds
    started = time.perf_counter()
    for _ in range(args.rounds):
        view.set_state(state)
        app.processEvents()
    same = (time.perf_counter() - started) / args.rounds
    figures = {"first_ms": first * 1000, "update_ms": again * 1000, "same_ms": same * 1000}
    print(f"{args.variables} variables: first set_state {figures['first_ms']:.1f} ms, "
          f"then {figures['update_ms']:.1f} ms per update with one value changed, "
          f"{figures['same_ms']:.1f} ms with nothing changed")
    view.close()
    return figures


if __name__ == "__main__":
    main()
