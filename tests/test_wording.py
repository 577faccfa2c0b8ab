from app.wording import count, were


def test_counts_read_right():
    assert count(1, "record") == "1 record"
    assert count(0, "record") == "0 records"
    assert count(1234, "frame") == "1,234 frames"
    assert count(3, "entry", "entries") == "3 entries"
    assert were(1, "record") == "1 record was" and were(2, "record") == "2 records were"
