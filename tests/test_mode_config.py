"""A mode's checked settings become the engine's configuration (`app/mode_config.py`): every
value reaches it, and values `app.settings.check` rejects never do."""

import ssl

import pytest

from app import mode_config, settings
from app.errors import OcppScopeError, PolicyError, UsageError


def test_defaults_make_each_engine_configuration():
    proxy = mode_config.proxy_config({})
    assert (proxy.host, proxy.port, proxy.ping_interval) == ("127.0.0.1", 9000, None)
    assert proxy.upstream_ssl is None and proxy.server_ssl is None
    csms, policy = mode_config.csms_setup({})
    assert (csms.host, csms.port, policy.heartbeat_interval) == ("127.0.0.1", 9000, 300)
    station, _ = mode_config.station_setup({})
    assert station.station_id == "CP-001" and station.heartbeat_interval is None


def test_values_reach_the_configuration():
    proxy = mode_config.proxy_config({"upstream": "wss://csms.example.com/ocpp",
                                      "insecure": True, "ping_interval": 20.0,
                                      "max_size": 65536, "record_secrets": True})
    assert proxy.upstream_ssl is not None and proxy.upstream_ssl.verify_mode == ssl.CERT_NONE
    assert (proxy.ping_interval, proxy.max_size, proxy.record_secrets) == (20.0, 65536, True)
    station, policy = mode_config.station_setup({"csms": "wss://x/ocpp", "connectors": 3,
                                                 "password": "s3cret", "strict": True,
                                                 "heartbeat_interval": 5.0})
    assert station.client_ssl is not None and station.client_ssl.verify_mode == ssl.CERT_REQUIRED
    assert (station.connectors, station.password, station.heartbeat_interval) == (
        [1, 1, 1], "s3cret", 5.0)
    assert policy.strict


def test_configuration_refuses_values_the_check_rejects():
    with pytest.raises(UsageError) as raised:
        mode_config.proxy_config({"upstream": "http://x", "listen": "x"})
    assert str(raised.value).splitlines() == settings.check(
        "proxy", {"upstream": "http://x", "listen": "x"})


def test_unusable_files_are_engine_errors(tmp_path):
    with pytest.raises(PolicyError, match="no such file"):
        mode_config.csms_setup({"responses": str(tmp_path / "none.json")})
    with pytest.raises(OcppScopeError, match="does not exist"):
        mode_config.proxy_config({"cert": str(tmp_path / "missing.pem")})


def test_keepalive_choices_reach_the_station_and_the_csms():
    station, _ = mode_config.station_setup({"ping_interval": 5.0, "pong_timeout": 2.0})
    csms, _ = mode_config.csms_setup({"ping_interval": 0.0})
    assert (station.ping_interval, station.pong_timeout) == (5.0, 2.0)
    assert (csms.ping_interval, csms.pong_timeout) == (None, None)


def test_keepalive_defaults_ping_and_leave_the_pong_timeout_to_the_interval():
    station, _ = mode_config.station_setup({})
    csms, _ = mode_config.csms_setup({})
    assert (station.ping_interval, station.pong_timeout) == (20.0, None)
    assert (csms.ping_interval, csms.pong_timeout) == (30.0, None)


def test_the_proxys_pong_timeout_reaches_its_configuration():
    assert mode_config.proxy_config({"pong_timeout": 4.0}).pong_timeout == 4.0
    assert mode_config.proxy_config({}).pong_timeout is None


def test_our_own_pings_asked_of_the_wire_transparent_proxy_are_a_caution():
    values = {"upstream": "ws://csms/ocpp", "ping_interval": 20.0}
    assert mode_config.cautions("proxy", values) == [
        "no pings of our own: the wire-transparent proxy cannot put one into the byte "
        "stream, so the ping interval applies only with --no-transparent (the peers' own "
        "pings still travel end to end)"]
    assert mode_config.cautions("proxy", {**values, "transparent": False}) == []
    assert not any("pings of our own" in caution for caution in
                   mode_config.cautions("proxy", {**values, "rules": "rules.json"}))


def test_intercept_rules_asked_of_the_wire_transparent_proxy_say_it_terminates():
    values = {"upstream": "ws://csms/ocpp", "rules": "rules.json"}
    [caution] = mode_config.cautions("proxy", values)
    assert caution.startswith("not wire-transparent: intercept rules need")
    assert mode_config.proxy_config(values).transparent is False
    assert mode_config.cautions("proxy", {**values, "transparent": False}) == []
