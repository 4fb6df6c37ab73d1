"""Suite-wide: no emulator of the test suite ever sees a write.

Every ``tunnelcheck.emulator.Emulator`` started during the session is registered; after each test, the
write attempts its emulators logged during it must be none, unless the test is marked
``@pytest.mark.provokes_writes`` (a test of the emulator's own read-only guard, which sends writes around
tunnelcheck on purpose). At the end of the session, every write attempt logged by any emulator must have
been made by such a test. (Emulators in other processes, e.g. ``tunnelcheck emulate`` run by a CLI test,
are out of reach; the per-run checks of those tests cover them.)
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from typing import Any

import pytest

_SESSION: weakref.WeakSet[Any] = weakref.WeakSet()  # every emulator started, for the session-end check
_CURRENT: list[Any] = []  # the emulators started during the current test (kept alive until it is checked)
_ALLOWED: list[Any] = []  # write attempts made by marked tests (kept alive: identities stay unique)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "provokes_writes: the test sends writes to an emulator on purpose "
                            "(the suite-wide read-only check accepts them)")


@pytest.fixture(scope="session", autouse=True)
def _emulator_registry() -> Iterator[None]:
    from tunnelcheck.emulator import server

    original = server.Emulator.start

    def start(self: Any) -> Any:
        _SESSION.add(self)
        _CURRENT.append(self)
        return original(self)

    server.Emulator.start = start  # type: ignore[method-assign]
    try:
        yield
    finally:
        server.Emulator.start = original  # type: ignore[method-assign]
    allowed = {id(w) for w in _ALLOWED}
    stray = [w for emu in list(_SESSION) for w in emu.write_attempts if id(w) not in allowed]
    assert not stray, f"emulators of this session saw writes no marked test provoked: {stray}"


@pytest.fixture(autouse=True)
def _no_write_reaches_an_emulator(request: pytest.FixtureRequest, _emulator_registry: None) -> Iterator[None]:
    before = {id(w) for emu in list(_SESSION) for w in emu.write_attempts}
    yield
    emulators = {id(e): e for e in [*_SESSION, *_CURRENT]}.values()
    _CURRENT.clear()
    new = [w for emu in emulators for w in emu.write_attempts if id(w) not in before]
    if request.node.get_closest_marker("provokes_writes") is not None:
        _ALLOWED.extend(new)
    elif new:
        pytest.fail(f"{request.node.nodeid}: an emulator saw a write (mark the test provokes_writes if it "
                    f"is deliberate): {[(w.method, w.path) for w in new]}", pytrace=False)
