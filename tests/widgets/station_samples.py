"""Hand-made session states for the Station view's tests and screenshots, each named after
what it shows. Times are fixed epoch seconds; seqs are small and distinct so a test can
tell which record a row points to."""

from __future__ import annotations

from app.state.model import (
    Change,
    Connection,
    ConnectorState,
    DeviceModel,
    DeviceVariable,
    EvseState,
    MeterSample,
    ReportProgress,
    Reservation,
    SessionState,
    StationState,
    TransactionState,
    VariableAttribute,
)

T0 = 1_718_000_000.0        # a June 2024 morning
CHARGING_TX = "c3f1a9e2-7b41-4d0e-9a57-1f2e3d4c5b6a"


def no_station() -> SessionState:
    return SessionState()


def connector(evse_id: int, connector_id: int, *changes: tuple[float, int, str]) -> ConnectorState:
    history = [Change(T0 + t, seq, status, "StatusNotification") for t, seq, status in changes]
    return ConnectorState(evse_id, connector_id, history[-1].value if history else None, history)


def charging_transaction() -> TransactionState:
    meter = []
    seq = 40
    for minute, (wh, watts, amps, soc) in enumerate(
            [(120_000.0, 0.0, 0.0, 38.0), (121_200.0, 7_300.0, 31.6, 44.0),
             (122_430.0, 7_400.0, 32.0, 51.0), (123_665.0, 7_360.0, 31.9, 58.0)]):
        t = T0 + 70 + minute * 600
        seq += 2
        meter.append(MeterSample(t, seq, "Energy.Active.Import.Register", wh, "Wh"))
        meter.append(MeterSample(t, seq, "Power.Active.Import", watts, "W"))
        meter.append(MeterSample(t, seq, "Current.Import", amps, "A", phase="L1"))
        meter.append(MeterSample(t, seq, "SoC", soc, "Percent"))
    return TransactionState(
        CHARGING_TX, "CP-0042", evse_id=1, connector_id=1, id_token="04A1B2C3D4E5F6",
        started=T0 + 60,
        charging_states=[Change(T0 + 60, 30, "EVConnected", "TransactionEvent"),
                         Change(T0 + 75, 34, "Charging", "TransactionEvent")],
        seq_nos=[0, 1, 2, 3, 4], meter=meter, record_seqs=[30, 31, 34, 35])


def boot_info(station: StationState) -> StationState:
    station.vendor, station.model = "Voltaro", "WallBox Duo 22"
    station.serial, station.firmware = "VX22-004211", "3.8.1-rc2"
    station.boot_reason = "PowerUp"
    station.registration, station.interval = "Accepted", 300
    station.first_seen, station.last_seen = T0, T0 + 1900
    station.last_heartbeat = T0 + 1800
    station.frames, station.invalid = 214, 3
    station.connections = [Connection("conn-1", T0, 1, "ocpp2.0.1")]
    return station


def two_evses_one_charging() -> SessionState:
    """CP-0042: EVSE 1 charging on connector 1 (a running transaction with meter values),
    EVSE 2 Available with a reservation, a device model of about fifty variables and one
    NotifyReport that lost its part 2."""
    station = boot_info(StationState("CP-0042"))
    station.evses = {
        1: EvseState(1, {1: connector(1, 1, (5, 3, "Available"), (55, 28, "Occupied"))},
                     availability="Operative",
                     availability_history=[Change(T0 + 2, 2, "Operative", "BootNotification")],
                     transaction_id=CHARGING_TX),
        2: EvseState(2, {1: connector(2, 1, (5, 4, "Available")),
                         2: connector(2, 2, (5, 5, "Available"), (600, 60, "Unavailable"),
                                      (660, 64, "Available"))},
                     availability="Operative"),
    }
    station.transactions = {CHARGING_TX: charging_transaction()}
    station.reservations = {7: Reservation(7, 2, "FLEET-0099", "2024-06-10T08:30:00Z",
                                           "Accepted", 70, T0 + 900)}
    station.firmware_status = [Change(T0 - 3600, 0, "Installed", "FirmwareStatusNotification")]
    station.device_model = fifty_variables()
    return SessionState({"CP-0042": station}, upto_seq=120)


def fifty_variables() -> DeviceModel:
    """About fifty variables over a dozen components, with characteristics, a Target
    attribute, a monitor, EVSE and connector scopes; report 7 is missing part 2."""
    model = DeviceModel()
    seq = 80

    def add(component: str, variable: str, value: str, *, evse: int | None = None,
            connector_id: int | None = None, instance: str | None = None,
            mutability: str = "ReadOnly", unit: str | None = None, data_type: str = "string",
            **traits: object) -> DeviceVariable:
        nonlocal seq
        seq += 1
        entry = DeviceVariable(component, variable, component_instance=instance,
                               evse_id=evse, connector_id=connector_id)
        entry.attributes["Actual"] = VariableAttribute("Actual", value, mutability,
                                                       persistent=mutability != "ReadOnly",
                                                       constant=mutability == "ReadOnly",
                                                       seq=seq)
        entry.characteristics = {"dataType": data_type, **({"unit": unit} if unit else {}),
                                 **traits}
        model.variables[entry.key] = entry
        return entry

    add("ChargingStation", "Model", "WallBox Duo 22")
    add("ChargingStation", "VendorName", "Voltaro")
    add("ChargingStation", "SupplyPhases", "3", data_type="integer")
    add("ChargingStation", "AvailabilityState", "Available", data_type="OptionList",
        valuesList="Available,Occupied,Reserved,Unavailable,Faulted")
    add("ChargingStation", "Available", "true", data_type="boolean")
    add("OCPPCommCtrlr", "HeartbeatInterval", "300", mutability="ReadWrite", unit="s",
        data_type="integer", minLimit=10, maxLimit=86400)
    add("OCPPCommCtrlr", "NetworkProfileConnectionAttempts", "3", mutability="ReadWrite",
        data_type="integer")
    add("OCPPCommCtrlr", "OfflineThreshold", "600", mutability="ReadWrite", unit="s",
        data_type="integer")
    add("OCPPCommCtrlr", "MessageTimeout", "30", instance="Default", mutability="ReadWrite",
        unit="s", data_type="integer")
    add("OCPPCommCtrlr", "WebSocketPingInterval", "60", mutability="ReadWrite", unit="s",
        data_type="integer")
    add("OCPPCommCtrlr", "ResetRetries", "2", mutability="ReadWrite", data_type="integer")
    add("OCPPCommCtrlr", "FileTransferProtocols", "HTTPS,FTPS", data_type="MemberList",
        valuesList="FTP,FTPS,HTTP,HTTPS")
    add("SampledDataCtrlr", "TxUpdatedMeasurands",
        "Energy.Active.Import.Register,Power.Active.Import,Current.Import,SoC",
        mutability="ReadWrite", data_type="MemberList")
    add("SampledDataCtrlr", "TxUpdatedInterval", "600", mutability="ReadWrite", unit="s",
        data_type="integer")
    add("SampledDataCtrlr", "TxEndedMeasurands", "Energy.Active.Import.Register",
        mutability="ReadWrite", data_type="MemberList")
    add("SampledDataCtrlr", "TxEndedInterval", "0", mutability="ReadWrite", unit="s",
        data_type="integer")
    add("SampledDataCtrlr", "Enabled", "true", data_type="boolean")
    add("TxCtrlr", "EVConnectionTimeOut", "120", mutability="ReadWrite", unit="s",
        data_type="integer")
    add("TxCtrlr", "StopTxOnEVSideDisconnect", "true", mutability="ReadWrite",
        data_type="boolean")
    add("TxCtrlr", "TxStartPoint", "PowerPathClosed", mutability="ReadWrite",
        data_type="MemberList", valuesList="ParkingBayOccupancy,EVConnected,Authorized,"
        "PowerPathClosed,EnergyTransfer,DataSigned")
    add("TxCtrlr", "TxStopPoint", "EVConnected,Authorized", mutability="ReadWrite",
        data_type="MemberList")
    add("TxCtrlr", "StopTxOnInvalidId", "true", mutability="ReadWrite", data_type="boolean")
    add("AuthCtrlr", "AuthorizeRemoteStart", "true", mutability="ReadWrite",
        data_type="boolean")
    add("AuthCtrlr", "LocalAuthorizeOffline", "true", mutability="ReadWrite",
        data_type="boolean")
    add("AuthCtrlr", "LocalPreAuthorize", "false", mutability="ReadWrite",
        data_type="boolean")
    add("AuthCacheCtrlr", "Enabled", "true", mutability="ReadWrite", data_type="boolean")
    add("AuthCacheCtrlr", "LifeTime", "86400", mutability="ReadWrite", unit="s",
        data_type="integer")
    add("LocalAuthListCtrlr", "Entries", "12", data_type="integer")
    add("LocalAuthListCtrlr", "ItemsPerMessage", "50", data_type="integer")
    limit = add("SmartChargingCtrlr", "LimitChangeSignificance", "10", mutability="ReadWrite",
                unit="Percent", data_type="decimal")
    limit.attributes["Target"] = VariableAttribute("Target", "5", "ReadWrite", True, False,
                                                   seq=96)
    add("SmartChargingCtrlr", "ProfileStackLevel", "8", data_type="integer")
    add("SmartChargingCtrlr", "RateUnit", "A,W", data_type="MemberList", valuesList="A,W")
    add("SmartChargingCtrlr", "PeriodsPerSchedule", "24", data_type="integer")
    add("SmartChargingCtrlr", "Entries", "3", instance="ChargingProfiles", data_type="integer")
    add("SecurityCtrlr", "SecurityProfile", "2", data_type="integer")
    add("SecurityCtrlr", "OrganizationName", "Voltaro Field Ops")
    add("SecurityCtrlr", "CertificateEntries", "4", data_type="integer")
    add("ClockCtrlr", "DateTime", "2024-06-10T06:13:20Z", data_type="dateTime")
    add("ClockCtrlr", "TimeSource", "NTP,Heartbeat", mutability="ReadWrite",
        data_type="SequenceList")
    add("DeviceDataCtrlr", "BytesPerMessage", "65000", instance="GetReport",
        data_type="integer")
    add("DeviceDataCtrlr", "ItemsPerMessage", "100", instance="GetVariables",
        data_type="integer")
    for evse in (1, 2):
        add("EVSE", "AvailabilityState", "Occupied" if evse == 1 else "Available", evse=evse,
            data_type="OptionList")
        add("EVSE", "Power", "22000", evse=evse, unit="W", data_type="decimal", maxLimit=22000)
        add("EVSE", "SupplyPhases", "3", evse=evse, data_type="integer")
        add("Connector", "ConnectorType", "cType2", evse=evse, connector_id=1)
    current = add("EVSE", "DCInputPhaseControl", "false", evse=1, data_type="boolean")
    current.monitors.append({"id": 3, "type": "Delta", "value": 1.0, "severity": 5,
                             "transaction": False})
    add("Connector", "ConnectorType", "sType3", evse=2, connector_id=2)
    add("Connector", "AvailabilityState", "Available", evse=2, connector_id=2,
        data_type="OptionList")
    model.reports[7] = ReportProgress(7, "NotifyReport", seq_nos=[0, 1, 3, 4], complete=True,
                                      first_seq=81)
    model.reports[8] = ReportProgress(8, "NotifyMonitoringReport", seq_nos=[0], complete=True,
                                      first_seq=110)
    return model


def second_station() -> StationState:
    """CP-0107: booted, then disconnected (1006 by the station), one EVSE Faulted."""
    station = StationState("CP-0107", vendor="Ampere Works", model="PolePro",
                           serial="AW-77", firmware="1.2.0", registration="Accepted",
                           interval=60, last_heartbeat=T0 + 500, first_seen=T0)
    station.connections = [Connection("conn-9", T0, 9, "ocpp2.0.1", closed=T0 + 520,
                                      closed_seq=99, closed_by="station", code=1006,
                                      reason="keep-alive timeout")]
    station.evses = {1: EvseState(1, {1: connector(1, 1, (3, 90, "Available"),
                                                   (500, 98, "Faulted"))})}
    return station


def two_stations() -> SessionState:
    state = two_evses_one_charging()
    state.stations["CP-0107"] = second_station()
    return state
