"""The device model a station reported: components, variables, attributes, monitors.

NotifyReport and NotifyMonitoringReport come in parts (requestId, seqNo, tbc); the parts are
reassembled by requestId and a hole is said once the last part (tbc false) shows it: a
device model missing a part is the usual reason a variable "does not exist". GetVariables
and SetVariables results update the values they name (a SetVariables answer needs the value
its request carried).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from app.ocpp.findings import Finding, warning
from app.state.history import keep_newest_keys
from app.state.model import DeviceModel, DeviceVariable, ReportProgress, VariableAttribute
from app.state.seen import Handler, Seen
from app.state.values import as_dict, as_int, as_list, as_str

VariableKey = tuple[str, str | None, int | None, int | None, str, str | None]


def key_of(component: Any, variable: Any) -> VariableKey | None:
    """The device model's key of a component and variable object, or None if unusable."""
    component, variable = as_dict(component), as_dict(variable)
    component_name, variable_name = as_str(component.get("name")), as_str(variable.get("name"))
    if component_name is None or variable_name is None:
        return None
    evse = as_dict(component.get("evse"))
    return (component_name, as_str(component.get("instance")), as_int(evse.get("id")),
            as_int(evse.get("connectorId")), variable_name, as_str(variable.get("instance")))


def variable_of(model: DeviceModel, key: VariableKey) -> DeviceVariable:
    found = model.variables.get(key)
    if found is None:
        found = model.variables[key] = DeviceVariable(key[0], key[4], key[1], key[5], key[2],
                                                      key[3])
    return found


def _part(seen: Seen, action: str) -> list[Finding]:
    """Note one part of a multi-part report; a finding when the last part shows a hole."""
    payload = seen.payload
    request_id, seq_no = as_int(payload.get("requestId")), as_int(payload.get("seqNo"))
    if request_id is None or seq_no is None:
        return []
    reports = seen.station.device_model.reports
    progress = reports.get(request_id)
    if progress is None or progress.action != action:
        progress = reports[request_id] = ReportProgress(request_id, action,
                                                        first_seq=seen.seq)
        keep_newest_keys(seen.station, reports)
    progress.seq_nos.append(seq_no)
    if payload.get("tbc") is True:
        return []
    progress.complete = True
    missing = progress.missing
    if not missing:
        return []
    listed = ", ".join(map(str, missing[:10])) + (" …" if len(missing) > 10 else "")
    return [warning(
        "state.report-part-missing",
        f"{action} {request_id} ends here (seqNo {seq_no}, tbc false) but part"
        f"{'s' * (len(missing) != 1)} {listed} never came: the device model has a hole "
        "there (a part lost, or sent on a connection that was not observed)", "seqNo")]


def _naming_variables(entries: Any) -> Iterator[tuple[VariableKey, dict[str, Any]]]:
    """The entries of a list (report data, variable results, monitors) that name a usable
    component and variable, each with its key: every message about the device model lists
    its variables this way, and an entry that names none is skipped (the schema check has
    said what is wrong with it)."""
    for entry in as_list(entries):
        entry = as_dict(entry)
        key = key_of(entry.get("component"), entry.get("variable"))
        if key is not None:
            yield key, entry


def _notify_report(seen: Seen) -> list[Finding]:
    model = seen.station.device_model
    for key, entry in _naming_variables(seen.payload.get("reportData")):
        variable = variable_of(model, key)
        for attribute in as_list(entry.get("variableAttribute")):
            attribute = as_dict(attribute)
            kind = as_str(attribute.get("type")) or "Actual"
            persistent, constant = attribute.get("persistent"), attribute.get("constant")
            variable.attributes[kind] = VariableAttribute(
                kind, as_str(attribute.get("value")), as_str(attribute.get("mutability")),
                persistent if isinstance(persistent, bool) else None,
                constant if isinstance(constant, bool) else None, seen.seq)
        characteristics = entry.get("variableCharacteristics")
        if isinstance(characteristics, dict):
            variable.characteristics = characteristics
    return _part(seen, "NotifyReport")


def _set_value(seen: Seen, key: VariableKey, kind: str, value: str | None) -> None:
    variable = variable_of(seen.station.device_model, key)
    attribute = variable.attributes.get(kind)
    if attribute is None:
        attribute = variable.attributes[kind] = VariableAttribute(kind)
    attribute.value, attribute.seq = value, seen.seq


def _get_answer(seen: Seen) -> None:
    for key, result in _naming_variables(seen.payload.get("getVariableResult")):
        if result.get("attributeStatus") == "Accepted":
            _set_value(seen, key, as_str(result.get("attributeType")) or "Actual",
                       as_str(result.get("attributeValue")))


def _set_answer(seen: Seen) -> None:
    requested: dict[tuple[VariableKey, str], str | None] = {}
    for key, data in _naming_variables(seen.request.get("setVariableData")):
        kind = as_str(data.get("attributeType")) or "Actual"
        requested[(key, kind)] = as_str(data.get("attributeValue"))
    for key, result in _naming_variables(seen.payload.get("setVariableResult")):
        kind = as_str(result.get("attributeType")) or "Actual"
        if (key, kind) not in requested:
            continue
        if result.get("attributeStatus") in ("Accepted", "RebootRequired"):
            _set_value(seen, key, kind, requested[(key, kind)])


def _monitoring_report(seen: Seen) -> list[Finding]:
    model = seen.station.device_model
    for key, entry in _naming_variables(seen.payload.get("monitor")):
        variable = variable_of(model, key)
        for monitor in as_list(entry.get("variableMonitoring")):
            if not isinstance(monitor, dict):
                continue
            monitor_id = monitor.get("id")
            variable.monitors = [m for m in variable.monitors if m.get("id") != monitor_id]
            variable.monitors.append(monitor)
    return _part(seen, "NotifyMonitoringReport")


def _report_parts(seen: Seen) -> list[Finding]:
    return _part(seen, "NotifyReport")


def _monitoring_report_parts(seen: Seen) -> list[Finding]:
    return _part(seen, "NotifyMonitoringReport")


# A state kept for verdicts only follows the parts of the reports, not their content.
FOR_VERDICTS: dict[str, Handler] = {"NotifyReport": _report_parts,
                                    "NotifyMonitoringReport": _monitoring_report_parts}
CALLS: dict[str, Handler] = {"NotifyReport": _notify_report,
                             "NotifyMonitoringReport": _monitoring_report}
ANSWERS: dict[str, Handler] = {"GetVariables": _get_answer, "SetVariables": _set_answer}
KEEP = frozenset({"SetVariables"})
