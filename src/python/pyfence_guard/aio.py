"""asyncio for scripts, top-level `await`, and `time.sleep`, with nothing of
JavaScript in reach.

Pyodide's own event loop schedules callbacks with JavaScript timers (and
its `asyncio.run` imports `pyodide_js`): callbacks could outlive the run,
and the guard hides `pyodide_js`. Instead, every run gets an event loop of
its own (asyncio's `BaseEventLoop`) that runs entirely inside the guard's
call: with nothing ready, it sleeps through the host (`host.sleep`, which
never outlasts the deadline; the deadline's interrupt arrives as it
wakes), and it implements no I/O at all: sockets, subprocesses, pipes,
signals and executor threads are each a violation (and asyncio's own
`socket` holds no way to make one). A task's `get_stack()` yields no
frames."""

import asyncio
import asyncio.base_events
import asyncio.base_tasks
import asyncio.events
import asyncio.runners
import enum
import math
import signal
import socket as _socket
import sys
import types

# Taken at import time, before the guard removes `pyodide` from sys.modules.
from pyodide.ffi import run_sync

from .provenance import forget

_real_run = asyncio.runners.run
_get_running_loop = asyncio.events._get_running_loop
_set_running_loop = asyncio.events._set_running_loop
_getsignal, _signal, _SIGINT = signal.getsignal, signal.signal, signal.SIGINT
_get_asyncgen_hooks = sys.get_asyncgen_hooks
_set_asyncgen_hooks = sys.set_asyncgen_hooks
# Pyodide's own loop, through which a JavaScript promise resolves (found per run).
_pyodide_loop = []
# setTimeout's longest delay (ms); the host cuts any sleep at the deadline anyway.
_MAX_SLEEP_MS = 2 ** 31 - 1
CO_COROUTINE = 0x80

_NETWORK = (
    "create_connection", "create_server", "create_datagram_endpoint", "create_unix_connection",
    "create_unix_server", "connect_accepted_socket", "sock_recv", "sock_recv_into", "sock_recvfrom",
    "sock_recvfrom_into", "sock_sendall", "sock_sendto", "sock_connect", "sock_accept",
    "sock_sendfile", "sendfile", "start_tls", "getaddrinfo", "getnameinfo",
)
_PROCESS = (
    "subprocess_exec", "subprocess_shell", "connect_read_pipe", "connect_write_pipe", "add_reader",
    "remove_reader", "add_writer", "remove_writer", "add_signal_handler", "remove_signal_handler",
    "run_in_executor", "set_default_executor",
)


def _no_stack(task, limit):
    """What every task's get_stack() answers during a run: no frames."""
    return []


def _socket_constants(run):
    """What `asyncio.base_events` sees as `socket` during a run: constants and
    exception types, no function and no class that makes a socket. (Its
    BaseEventLoop's methods are reachable through the loop's type, called
    with the run's loop; they must find no socket either.)"""

    class Sockets(types.ModuleType):
        def __getattr__(self, name):
            value = getattr(_socket, name)
            t = type(value)
            if issubclass(t, (int, str, bool, enum.Enum)) or (
                    issubclass(t, type) and issubclass(value, (BaseException, enum.Enum))):
                return value
            run.violation("network", f"asyncio: socket.{name} is not available in the sandbox")

    return Sockets("socket")



def wait_host(call, *args):
    """Call a host function that returns a promise (`host.fetch`,
    `host.sleep`) and wait for it, suspending the interpreter (JSPI). A
    JavaScript promise becomes a future of the running event loop: Pyodide's
    own is made the running one meanwhile (the run's loop, if any, is
    suspended with everything else), so no callback of the script's is ever
    scheduled on it."""
    loop = _get_running_loop()
    # Pyodide's loop installs itself, and its async generator hooks, whenever
    # it runs a callback: both are put back, or a generator the script starts
    # later would be finalised by JavaScript timers, outside the run.
    hooks = _get_asyncgen_hooks()
    # Meanwhile Pyodide's callbacks run Python outside the guard's call: the
    # deadline's interrupt is held until the wait is over, and raised here
    # (an exception there would escape into JavaScript and crash the worker).
    handler = _getsignal(_SIGINT)
    held = []
    _signal(_SIGINT, lambda signum, frame: held.append(signum))
    _set_running_loop(_pyodide_loop[0])
    try:
        return run_sync(call(*args))
    finally:
        _signal(_SIGINT, handler)
        _set_running_loop(loop)
        _set_asyncgen_hooks(*hooks)
        if held and callable(handler):
            handler(_SIGINT, None)


def make_asyncio(run, host):
    """Install this run's event loop policy; return the members the script
    sees instead of the modules' own (`asyncio.run`, `time.sleep`), keyed like stdlib.make_replacements."""

    if not _pyodide_loop:
        _pyodide_loop.append(_get_running_loop() or asyncio.events._get_event_loop_policy().get_event_loop())

    def sleep_seconds(seconds):
        if seconds > 0:
            # What the script printed so far reaches the caller before it sleeps.
            run.sink.flush()
            wait_host(host.sleep, min(seconds * 1000, _MAX_SLEEP_MS))

    def sleep(secs):
        """Suspend for `secs` seconds (the deadline still ends the run)."""
        t = type(secs)
        if issubclass(t, bool) or not issubclass(t, (int, float)):
            raise TypeError(f"'{t.__name__}' object cannot be interpreted as an integer or float")
        value = float.__float__(secs) if issubclass(t, float) else int.__index__(secs)
        if math.isnan(value):
            raise ValueError("Invalid value NaN (not a number)")
        if value < 0:
            raise ValueError("sleep length must be non-negative")
        sleep_seconds(value)

    sleep.__module__ = "time"
    sleep.__qualname__ = "sleep"

    class _Selector:
        """No I/O to wait for: waiting is sleeping until the next timer."""

        def select(self, timeout):
            sleep_seconds(_MAX_SLEEP_MS / 1000 if timeout is None else timeout)
            return []

        def close(self):
            pass

    def refused(name, kind):
        def method(self, *args, **kwargs):
            run.violation(kind, f"asyncio: loop.{name}() is not available in the sandbox")
        method.__name__ = method.__qualname__ = name
        return method

    namespace = {
        "__doc__": "The run's event loop: timers and tasks, no I/O.",
        "__module__": "asyncio",
        "_process_events": lambda self, event_list: None,
        "_write_to_self": lambda self: None,
    }
    for name in _NETWORK:
        namespace[name] = refused(name, "network")
    for name in _PROCESS:
        namespace[name] = refused(name, "builtin")

    def __init__(self):
        asyncio.base_events.BaseEventLoop.__init__(self)
        self._selector = _Selector()

    namespace["__init__"] = __init__
    EventLoop = type("EventLoop", (asyncio.base_events.BaseEventLoop,), namespace)
    Policy = type("EventLoopPolicy", (asyncio.events._BaseDefaultEventLoopPolicy,),
                  {"_loop_factory": EventLoop, "__module__": "asyncio"})
    asyncio.events._set_event_loop_policy(Policy())
    # Pyodide marks its own loop as always running; the script's is not yet.
    asyncio.events._set_running_loop(None)
    # Task.get_stack() (C and Python tasks alike) calls this function; the C
    # module holds its own reference, so its code is what is replaced.
    asyncio.base_tasks._task_get_stack.__code__ = _no_stack.__code__
    forget(asyncio.base_tasks._task_get_stack)
    asyncio.base_events.socket = _socket_constants(run)
    return {
        ("asyncio", "run"): _real_run,
        ("time", "sleep"): sleep,
    }


def run_main(coro):
    """Run the script's top-level coroutine, as `asyncio.run` would."""
    return _real_run(coro)
