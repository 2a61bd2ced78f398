"""stdout/stderr for the script: counted, capped, batched into host.write.

Batched up to 8 KiB, unless the caller reads output as it comes (`onOutput`):
then each complete line is sent as it is written, and a partial line once
it has waited a short while (at the next write, before a host call or a
request, or at the end)."""

import time

from .caps import chunks
from .errors import OutputLimitError

_BATCH = 8192
# How long a partial line may wait for the rest of it when output is streamed.
_PARTIAL_LINE_S = 0.05
_monotonic = time.monotonic


class Sink:
    """Both streams share one byte budget; going over it ends the run."""

    def __init__(self, host, cap, unwinder, chunk_bytes, lines=False):
        self._host = host
        self._lines = lines
        self._since = 0.0
        self._cap = cap
        self._chunk_bytes = chunk_bytes
        self._unwinder = unwinder
        self.used = 0
        self._stream = None
        self._pending = []
        self._pending_len = 0
        self.closed = False

    def write(self, stream, text):
        if self.closed or not text or self._unwinder.reason is not None:
            return
        size = len(text.encode("utf-8", "surrogatepass"))
        room = self._cap - self.used
        if size > room:
            head = text.encode("utf-8", "surrogatepass")[:room].decode("utf-8", "ignore")
            self._queue(stream, head)
            self.used = self._cap
            self.flush()
            self.closed = True
            exc = OutputLimitError(f"output exceeded {self._cap} bytes")
            self._unwinder.terminate(exc)
            raise exc
        self.used += size
        if self._lines and not self._pending:
            self._since = _monotonic()
        self._queue(stream, text)
        if self._pending_len >= _BATCH:
            self.flush()
        elif self._lines and ("\n" in text or _monotonic() - self._since > _PARTIAL_LINE_S):
            self.flush()

    def _queue(self, stream, text):
        if stream != self._stream:
            self.flush()
            self._stream = stream
        self._pending.append(text)
        self._pending_len += len(text)

    def flush(self):
        if not self._pending:
            return
        text = "".join(self._pending)
        self._pending = []
        self._pending_len = 0
        # One protocol message per chunk: a single write of any size under
        # the output cap is delivered, in pieces the host accepts.
        for piece in chunks(text, self._chunk_bytes):
            try:
                self._host.write(self._stream, piece)
            except Exception:
                pass

    def close(self):
        self.flush()
        self.closed = True


class Stream:
    """What sys.stdout/sys.stderr become; holds no reference to the host."""

    encoding = "utf-8"
    errors = "strict"

    def __init__(self, write, flush):
        self.write = write
        self.flush = flush

    def writable(self):
        return True

    def readable(self):
        return False

    def isatty(self):
        return False


def streams(sink):
    """Return (stdout, stderr). Each stream closes over the sink in a function."""
    def make(name):
        def write(text):
            if type(text) is not str:
                raise TypeError(f"write() argument must be str, not {type(text).__name__}")
            sink.write(name, text)
            return len(text)
        return Stream(write, sink.flush)
    return make("stdout"), make("stderr")
