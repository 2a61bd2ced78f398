"""`pyfence.host`: the functions the caller exposed for this run (`run(code,
{ expose: { lookup } })`), and `HostError`. Only the names the caller gave
exist; each is a guard function that sends a host call (calls.py), so the
script never holds anything of the host's."""

import keyword
import types

from .calls import HostError
from .config import ConfigError


def _host_function(channel, name):
    label = f"{name}()"

    def call(*args, **kwargs):
        if kwargs:
            raise TypeError(f"{label} takes positional arguments only")
        return channel.call("host", name, args, label)

    async def call_async(*args, **kwargs):
        return call(*args, **kwargs)

    doc = (f"Call the host function {name!r}: plain data in, plain data out; "
           "HostError if it fails. `await f.call_async(...)` in async code.")
    for f, qualname in ((call, name), (call_async, f"{name}.call_async")):
        f.__name__ = f.__qualname__ = qualname
        f.__module__ = "pyfence.host"
        f.__doc__ = doc
    call.call_async = call_async
    return call


def host_modules(package, channel, names):
    """The `pyfence.host` module for one run, also set on `package`."""
    module = types.ModuleType("pyfence.host")
    module.__doc__ = "Functions the host exposed to this script, and HostError."
    module.HostError = HostError
    for name in names:
        # The host refuses such names first; this keeps the module's own names whatever it sent.
        if type(name) is not str or not name.isidentifier() or name[:1] == "_" \
                or keyword.iskeyword(name) or name in vars(module):
            raise ConfigError(f"host_functions: {name!r} cannot be a host function's name")
        setattr(module, name, _host_function(channel, name))
    package.host = module
    return {"pyfence.host": module}
