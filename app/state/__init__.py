"""State derived from the record stream: stations, EVSEs, transactions, schedules."""
