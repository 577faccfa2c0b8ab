"""Reading SetChargingProfile requests from a file as installed profiles."""

from __future__ import annotations

import json

import pytest

from app.errors import InputError
from app.state.profiles_file import ProfilesFileError, profiles_from_file


def test_requests_become_profiles_installed_in_the_order_listed(tmp_path):
    path = tmp_path / "p.json"
    path.write_text(json.dumps([
        {"evseId": 0, "chargingProfile": {"id": 1}},
        {"evseId": 2, "chargingProfile": {"id": 9, "chargingProfilePurpose": "TxProfile"}}]))
    first, second = profiles_from_file(path)
    assert (first.evse_id, first.profile_id, second.evse_id, second.purpose) == (
        0, 1, 2, "TxProfile")
    assert first.installed < second.installed and first.seq < second.seq


def test_one_request_alone_is_read_too(tmp_path):
    path = tmp_path / "p.json"
    path.write_text('{"evseId": 1, "chargingProfile": {"id": 3}}')
    assert [p.profile_id for p in profiles_from_file(path)] == [3]


def test_a_directory_is_a_clear_input_error(tmp_path):
    with pytest.raises(ProfilesFileError, match="is a directory") as caught:
        profiles_from_file(tmp_path)
    assert isinstance(caught.value, InputError)
