"""Session states built by hand for the Transactions view's tests and screenshots: what the
state tracker would derive from a realistic session, without running one."""

from __future__ import annotations

import copy
from datetime import datetime

from app.state.model import (
    Change,
    MeterSample,
    SessionState,
    StationState,
    TransactionState,
)

# 14:02:10 local time on a day in spring: times in a screenshot read like a real session
START = datetime(2024, 4, 18, 14, 2, 10).timestamp()
FORTY_MINUTES = 40 * 60


def _samples(start: float, minutes: int, seq: int, phases: int = 3,
             energy_unit: str = "Wh", taper: bool = True,
             peak_kw: float = 22.0) -> tuple[list[MeterSample], list[int]]:
    """A charging curve sampled each minute: energy register, power, current per phase,
    voltage L1-N, SoC from 22 %. Returns the samples and the seq of each MeterValues frame."""
    samples: list[MeterSample] = []
    seqs: list[int] = []
    register = 18_250_000.0 if energy_unit == "Wh" else 18_250.0
    soc = 22.0
    for minute in range(minutes + 1):
        time = start + minute * 60
        # ramps up in 3 minutes, tapers over the last ten as the battery fills
        kw = peak_kw * min(1.0, (minute + 1) / 3) * (1.0 if not taper or minute < minutes - 10
                                                  else max(0.25, (minutes - minute) / 10))
        amps = kw * 1000 / (3 * 230) if phases == 3 else kw * 1000 / 230
        seqs.append(seq)
        samples.append(MeterSample(time, seq, "Energy.Active.Import.Register", register,
                                   energy_unit))
        samples.append(MeterSample(time, seq, "Power.Active.Import", kw * 1000, "W"))
        for index, phase in enumerate(("L1", "L2", "L3")[:phases]):
            samples.append(MeterSample(time, seq, "Current.Import", amps + 0.2 * index, "A",
                                       phase=phase))
        samples.append(MeterSample(time, seq, "Voltage", 230.0 + (minute % 3) * 0.8, "V",
                                   phase="L1-N"))
        samples.append(MeterSample(time, seq, "SoC", soc, "Percent"))
        register += kw * 1000 / 60 if energy_unit == "Wh" else kw / 60
        soc = min(100.0, soc + 1.6)
        seq += 2
    return samples, seqs


def finished_forty_minutes(station: str = "CP-HALL-01", first_seq: int = 100
                           ) -> TransactionState:
    """A 40-minute three-phase charge, ended by the driver, with a seqNo gap (4 lost)."""
    meter, meter_seqs = _samples(START, 40, first_seq + 2)
    end = START + FORTY_MINUTES
    last = meter_seqs[-1] + 2
    return TransactionState(
        transaction_id="1a2b3c4d-5e6f-4a0b-9c1d-2e3f4a5b6c7d", station=station, evse_id=1,
        connector_id=1, id_token="04E91C2A7B5D80", started=START, ended=end,
        charging_states=[Change(START, first_seq, "EVConnected", "TransactionEvent"),
                         Change(START + 20, first_seq + 2, "Charging", "TransactionEvent"),
                         Change(end - 30, last - 2, "SuspendedEV", "TransactionEvent"),
                         Change(end, last, "EVConnected", "TransactionEvent")],
        trigger_reasons=[Change(START, first_seq, "Started: Authorized"),
                         Change(START + 20, first_seq + 2, "Updated: ChargingStateChanged"),
                         Change(START + 600, first_seq + 22, "Updated: MeterValuePeriodic"),
                         Change(end, last, "Ended: StopAuthorized")],
        stopped_reason="Local", seq_nos=[0, 1, 2, 3, 5, 6, 7],
        missing_seq_nos=[4], meter=meter,
        record_seqs=[first_seq, first_seq + 1, *[s for m in meter_seqs for s in (m, m + 1)],
                     last, last + 1])


def running_single_phase(station: str = "CP-YARD-07", first_seq: int = 300,
                         minutes: int = 12) -> TransactionState:
    """A charge still running at 7.4 kW, single-phase, its energy register in kWh."""
    start = START + 25 * 60
    meter, meter_seqs = _samples(start, minutes, first_seq + 2, phases=1, energy_unit="kWh",
                                 taper=False, peak_kw=7.4)
    return TransactionState(
        transaction_id="TX-77", station=station, evse_id=2, connector_id=1,
        id_token="FLEET-2231", started=start,
        charging_states=[Change(start, first_seq, "Charging", "TransactionEvent")],
        trigger_reasons=[Change(start, first_seq, "Started: CablePluggedIn")],
        seq_nos=list(range(minutes + 1)), meter=meter,
        record_seqs=[first_seq, first_seq + 1, *[s for m in meter_seqs for s in (m, m + 1)]])


def _station(name: str, transactions: list[TransactionState], last_seen: float) -> StationState:
    return StationState(station=name, vendor="Ampere Works", model="AW-22",
                        registration="Accepted", first_seen=START - 300, last_seen=last_seen,
                        transactions={t.transaction_id: t for t in transactions})


def two_stations() -> SessionState:
    """CP-HALL-01 with a finished 40-minute charge, CP-YARD-07 with one still running."""
    running = running_single_phase()
    return SessionState(stations={
        "CP-HALL-01": _station("CP-HALL-01", [finished_forty_minutes()],
                               START + FORTY_MINUTES + 60),
        "CP-YARD-07": _station("CP-YARD-07", [running], running.meter[-1].time)},
        upto_seq=400)


def two_stations_later(minutes: int = 15) -> SessionState:
    """The same session a few minutes on: the running charge has more meter values."""
    later = copy.deepcopy(two_stations())
    running = running_single_phase(minutes=minutes)
    yard = later.stations["CP-YARD-07"]
    yard.transactions = {running.transaction_id: running}
    yard.last_seen = running.meter[-1].time
    later.upto_seq = 500
    return later


def many_transactions(count: int = 60) -> SessionState:
    """Several stations with short finished charges, for sorting and filtering."""
    state = SessionState()
    for number in range(count):
        name = f"CP-{number % 4:02d}"
        start = START + number * 300
        transaction = TransactionState(
            transaction_id=f"T{number:03d}", station=name, evse_id=1, connector_id=1,
            id_token=f"TAG{number}", started=start, ended=start + 240,
            stopped_reason="EVDisconnected",
            meter=[MeterSample(start, number * 10, "Energy.Active.Import.Register", 0.0, "Wh"),
                   MeterSample(start + 240, number * 10 + 4, "Energy.Active.Import.Register",
                               1000.0 + number * 900, "Wh")],
            record_seqs=[number * 10 + i for i in range(6)])
        station = state.stations.setdefault(name, StationState(station=name))
        station.transactions[transaction.transaction_id] = transaction
        station.last_seen = start + 300
    return state
