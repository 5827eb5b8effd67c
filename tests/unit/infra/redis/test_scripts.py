"""Lua scripts are read from the .lua files beside their modules, and registered once per
client."""

from importlib.resources import files

from redis.asyncio import Redis

from app.infra.redis.client import lua, script

SCRIPTS = sorted(
    entry.name.removesuffix(".lua")
    for entry in files("app.infra.redis").iterdir()
    if entry.name.endswith(".lua")
)


def test_the_rate_limit_scripts_start_with_their_shared_opening() -> None:
    opening = lua("rate_limit_open")
    for name in SCRIPTS:
        if name.startswith("rate_limit_") and name != "rate_limit_open":
            assert lua(name).startswith(opening), name


def test_a_script_is_registered_once_per_client() -> None:
    first, second = Redis(), Redis()
    for name in SCRIPTS:
        assert script(name, first) is script(name, first)
        assert script(name, first) is not script(name, second)
        assert script(name, first).script == lua(name)


def test_every_rate_limit_script_returns_through_done_which_keeps_the_sums() -> None:
    """A return that skipped `done` would leave the logs' kept sums behind their changes
    (returns inside a script's own local functions aside)."""
    opening = lua("rate_limit_open")
    for name in SCRIPTS:
        if name.startswith("rate_limit_") and name != "rate_limit_open":
            returns, in_function = [], False
            for line in lua(name).removeprefix(opening).splitlines():
                if line.startswith("local function"):
                    in_function = True
                elif in_function and line == "end":
                    in_function = False
                elif not in_function and "return" in line.split("--")[0]:
                    returns.append(line.strip())
            assert returns, name
            assert all(line.startswith("return done(") for line in returns), (name, returns)
