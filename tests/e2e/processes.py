"""Running `ocppscope` as a user does, for the whole-program tests: a real process, its
lines, and Ctrl-C (SIGINT) to end it."""

import asyncio
import re
import signal
import sys

OCPPSCOPE = [sys.executable, "-m", "app"]


async def start(*args, env=None):
    """Start `ocppscope ARGS` with its output piped."""
    return await asyncio.create_subprocess_exec(
        *OCPPSCOPE, *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        env=env)


async def start_listening(*args, env=None):
    """Start a listening command; the process, the URL it listens on, and the lines it
    wrote to stderr until then."""
    process = await start(*args, env=env)
    said = []
    while True:
        line = (await asyncio.wait_for(process.stderr.readline(), 20)).decode()
        assert line, "the command ended before listening:\n" + "".join(said)
        said.append(line)
        match = re.search(r"listening on (\S+)/<stationId>", line)
        if match:
            return process, match.group(1), said


async def interrupt(process):
    """Ctrl-C; the exit status and everything written to stdout and (the rest of) stderr."""
    process.send_signal(signal.SIGINT)
    out, err = await asyncio.wait_for(process.communicate(), 20)
    return process.returncode, out.decode(), err.decode()
