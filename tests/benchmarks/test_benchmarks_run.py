"""The benchmarks must keep running; their figures are read by people, not asserted."""

from tests.benchmarks import validation


def test_validation_benchmark_runs_and_reports_every_figure(capsys):
    results = validation.main(["--seconds", "0.05"])
    assert len(results) == 4
    assert all(rate > 0 for rate in results.pop("value spans").values())
    for figures in results.values():
        assert set(figures) == {"ours", "jsonschema_fresh", "jsonschema_cached"}
        assert all(rate > 0 for rate in figures.values())
    assert "ours is" in capsys.readouterr().out


def test_benchmark_traffic_is_what_it_claims():
    """The 'valid' frames of the mix are valid and the invalid ones are caught."""
    from app.ocpp.checker import FrameChecker

    checker = FrameChecker()
    verdicts = [checker.check(t, direction=d) for t, d in validation.exchanges(0)]
    invalid = [v for v in verdicts if not v.valid]
    assert len(invalid) == 3
    report = [checker.check(t, direction=d) for t, d in validation.notify_report()]
    assert all(v.valid for v in report)


def test_proxy_benchmark_runs_and_loses_no_frame(capsys):
    """A tiny run of every part; losing a frame is a bug at any speed, so that one is asserted."""
    from tests.benchmarks import proxy

    results = proxy.main(["--round-trips", "50", "--seconds", "0.3", "--stations", "20",
                          "--station-seconds", "1.5"])
    assert set(results) >= {"latency", "throughput", "stations", "validation", "log_warnings"}
    latency = results["latency"]
    for route in ("direct", "proxy", "relay"):
        assert 0 < latency[f"{route}_p50_ms"] <= latency[f"{route}_p99_ms"]
    assert "added_p50_ms" in latency
    throughput = results["throughput"]
    assert all(throughput[f"{route}_per_s"] > 0 for route in ("direct", "proxy", "relay"))
    assert throughput["ratio"] > 0

    stations = results["stations"]
    assert stations["connected"] == 20
    assert stations["sent"] == 40  # two CALLs each in 1.5 s
    assert stations["lost"] == dict.fromkeys(stations["lost"], 0)
    assert stations["no_frame_lost"], stations["problems"]
    assert stations["recorded_in_file"] == stations["recorded_calls"] + stations[
        "recorded_answers"] == 80
    assert 0 <= stations["cpu_proxy_run"] <= 1.5
    assert results["validation"]["invalid"] == 0  # the benchmark's traffic is valid OCPP
    out = capsys.readouterr().out
    assert "proxy adds" in out and "no frame lost" in out and "ONE process" in out


def test_proxy_benchmark_frame_is_a_realistic_valid_call():
    """The CALL measured is the ~600-byte TransactionEvent it claims, and valid, so the proxy
    does the full schema work on it; the CSMS stand-in's answer is valid too."""
    from app.ocpp.checker import FrameChecker
    from app.ocpp.conversation import Direction
    from tests.benchmarks import proxy

    text = proxy.call_frame("LAT-proxy-000001")
    assert 550 <= len(text) <= 750
    checker = FrameChecker()
    assert checker.check(text, direction=Direction.STATION_TO_CSMS).valid
    answer = checker.check(f'[3,"LAT-proxy-000001",{proxy._ANSWER}]',
                           direction=Direction.CSMS_TO_STATION)
    assert answer.valid and answer.call is not None


def test_session_load_benchmark_runs_and_loads_every_message(capsys):
    """A tiny run; a message lost while loading is a bug at any size, so that is asserted."""
    from tests.benchmarks import session_load

    results = session_load.main(["--sizes", "2000"])
    figures = results[2000]
    assert set(figures) >= {
        "messages", "file_bytes", "generate_s", "lines", "line_count_s", "json_loads_s",
        "json_loads_discard_s", "loader_s", "reader_s", "steps", "max_step_ms",
        "gc_full_collect_ms", "loaded", "skipped", "text_bytes", "traced_bytes",
        "traced_overhead_per_message", "budget",
    }
    assert figures["loaded"] == figures["messages"] == 2000
    assert figures["lines"] == 2001 and figures["skipped"] == 0
    assert figures["steps"] >= 1 and figures["max_step_ms"] > 0
    assert all(figures[key] > 0 for key in ("line_count_s", "json_loads_s", "loader_s",
                                            "reader_s", "text_bytes", "traced_bytes"))
    assert figures["judge_parallel_s"] > 0 and not figures["judge_serial_fallback"]
    assert len(figures["judge_worker_cpu_s"]) == figures["judge_workers"]
    assert figures["filter_invalid_rows"] == figures["invalid"] > 0
    assert figures["filter_station_rows"] > 0 and figures["filter_text_rows"] > 0
    out = capsys.readouterr().out
    assert "the list of json.loads" in out and "bytes a message beyond the text" in out


def test_live_memory_benchmark_runs_and_loses_no_record(capsys):
    """A tiny run of both ways; a record lost or left in memory is a bug at any size."""
    from tests.benchmarks import live_memory

    results = live_memory.main(["--frames", "300", "--repeat", "1"])
    assert set(results) == {"list", "store"}
    for figures in results.values():
        assert figures["frames"] == 300 and figures["lost"] == 0
        assert figures["frames_per_s"] > 0 and figures["annotations"] > 0
    assert results["store"]["held"] == 0 and results["store"]["index_per_record"] < 100
    assert "bytes a record" in capsys.readouterr().out


def test_headless_memory_figure_is_measured_over_the_frames_asked_for():
    from tests.benchmarks import session_load

    marks = session_load.headless_memory(200)
    assert marks["frames"] == 200
    assert 0 < marks["rss_tenth"] <= marks["rss_half"] + 1 and marks["rss_end"] > 0
    assert marks["growth"] > 0


def test_headless_benchmark_traffic_is_a_valid_endless_transaction():
    """The loop the headless figure measures is valid OCPP, every CALL answered, and its
    TransactionEvents count their seqNo up without a gap (no finding at all)."""
    from app.ocpp.checker import FrameChecker
    from tests.benchmarks import session_load

    checker = FrameChecker()
    verdicts = [checker.check(text, direction=direction, time=None)
                for direction, text in session_load.proxy_loop(100)]
    assert len(verdicts) == 100
    assert [v.findings for v in verdicts if v.findings] == []
    assert checker.pending() == []
    [tx] = checker.state.stations[""].transactions.values()
    assert tx.seq_nos == list(range(len(tx.seq_nos))) and len(tx.seq_nos) > 10


def test_filtering_benchmark_runs_and_finds_rows():
    from tests.benchmarks import filtering

    results = filtering.main(["--sizes", "3000"])
    figures = results[3000]
    assert figures["records"] == 3000
    assert figures["text 'heartbeat'_rows"] > 0 and figures["only invalid_rows"] > 0


def test_gui_forwarding_benchmark_runs_and_no_round_trip_fails(capsys):
    """A tiny run of the three phases; a failed round trip is a bug at any load."""
    from tests.benchmarks import gui_forwarding

    results = gui_forwarding.main(["--stations", "2", "--rate", "10", "--seconds", "0.5"])
    assert set(results) >= {"direct", "idle", "busy", "ratios", "records"}
    for phase in ("direct", "idle", "busy"):
        figures = results[phase]
        assert figures["failed"] == 0, figures["failures"]
        assert figures["round_trips"] == 10
        assert 0 < figures["p50_ms"] <= figures["p99_ms"] <= figures["max_ms"]
        assert figures["stall_max_ms"] >= 0
    assert results["busy"]["gui_actions"] >= 1
    assert set(results["ratios"]) >= {"idle/direct_p50", "busy/direct_p99", "busy/idle_max"}
    assert "GUI stall ms" in capsys.readouterr().out


def test_hostile_benchmark_runs_and_drops_nothing(capsys):
    """A tiny run; a dropped connection, a lost frame or an internal error is a bug at any
    volume, so those are asserted."""
    from tests.benchmarks import hostile

    results = hostile.main(["--frames", "400"])
    for route in ("proxy", "csms"):
        figures = results[route]
        assert figures["still_open"] and figures["internal_errors"] == 0
        assert figures["logged_errors"] == 0 and figures["ratio_to_valid"] > 0
    assert results["proxy"]["far_side_got"] == results["proxy"]["recorded"] == 400
    assert "hostile frames" in capsys.readouterr().out


def test_timeline_paint_benchmark_runs_and_derives_info_lines(capsys, qapp):
    from tests.benchmarks import timeline_paint

    results = timeline_paint.main(["--messages", "3000", "--pages", "5"])
    assert results["rows"]["records"] == 3000 and results["rows"]["lines_derived"] > 0
    assert all(results[name]["median_ms"] > 0 for name in ("jump", "wheel", "again"))
    assert "timeline repaint" in capsys.readouterr().out


def test_query_benchmark_agrees_with_plain_python_and_reports_a_ratio(capsys):
    from tests.benchmarks import query

    results = query.main(["--records", "2000"])
    assert set(results) == {"one field", "three fields", "set and size", "payload path"}
    assert all(figures["ratio"] > 0 and figures["matched"] > 0 for figures in results.values())
    assert "plain Python" in capsys.readouterr().out


def test_proxy_modes_benchmark_runs_every_route_and_loses_no_fleet_frame(capsys):
    """A tiny run of every route, each middle box in its own process; a lost round trip or
    a frame missing from a proxy's recording is a bug at any speed, so those are asserted."""
    from tests.benchmarks import proxy_modes

    results = proxy_modes.main(["--seconds", "0.2", "--rounds", "1", "--fleet", "10",
                                "--fleet-seconds", "2", "--deflate", "off"])
    medians = results["plain"]["medians"]
    assert all(medians[(route, n)]["per_s"] > 0
               for route in proxy_modes.ROUTES for n in proxy_modes.SIZES)
    for figures in results["plain"]["fleet"].values():
        assert figures["connected"] == 10 and figures["lost"] == 0 and figures["done"] == 20
    for mode in proxy_modes.PROXIES:  # stopped by Ctrl-C: every frame is in its recording
        recorded = results["plain"]["recorded"][mode]
        sent = results["plain"]["sent"][mode]
        assert recorded == {"station_to_csms": sent, "csms_to_station": sent}
    assert "% relay" in capsys.readouterr().out


def test_validate_command_benchmark_runs_and_compares(capsys):
    from tests.benchmarks import validate_command

    results = validate_command.main(["--messages", "2000", "--rounds", "1"])
    assert results["frames"] > 1900
    assert results["ours_per_s"] > 0 and results["jsonschema_cached_per_s"] > 0
    assert results["ours_one_process_per_s"] > 0
    assert "ours is" in capsys.readouterr().out


def test_startup_benchmark_runs_every_command_case(capsys):
    from tests.benchmarks import startup

    results = startup.main(["--rounds", "1", "--no-window"])
    assert set(results) == {"import jsonschema", "ocppscope --help",
                            "ocppscope validate (one line)"}
    assert all(figures["median_s"] > 0 for figures in results.values())
    assert "x import jsonschema" in capsys.readouterr().out
