"""stdout/stderr for the script: counted, capped, batched into host.write.

Batched up to 8 KiB. When the caller reads output as it comes (`onOutput`),
the sandbox process also sends the interpreter a flush signal every 50 ms
while the script runs (`FLUSH_SIGNAL`; src/protocol/boot.ts), and whatever
is pending goes out then, complete lines and a partial one alike: output
reaches the caller within about 50 ms of being written, without a message
per line. Pending output also goes out before a host call or a request
waits, and at the end."""

import signal

from .caps import chunks
from .errors import OutputLimitError

_BATCH = 8192
# The sandbox process's `INTERRUPT.flushOutput` (src/protocol/boot.ts).
FLUSH_SIGNAL = signal.SIGUSR1


class Sink:
    """Both streams share one byte budget; going over it ends the run."""

    def __init__(self, host, cap, unwinder, chunk_bytes, stream_output=False):
        self._host = host
        self._cap = cap
        self._chunk_bytes = chunk_bytes
        self._unwinder = unwinder
        self.renew(cap, stream_output)

    def renew(self, cap, stream_output):
        """A fresh budget, nothing pending (also a session's next script)."""
        self._cap = cap
        self.used = 0
        self._stream = None
        self._pending = []
        self._pending_len = 0
        # Set while the sink changes its state: a flush signal then waits.
        self._busy = False
        self.closed = False
        if stream_output:
            signal.signal(FLUSH_SIGNAL, self._on_flush_signal)

    def _on_flush_signal(self, signum, frame):
        # Runs between any two bytecodes, the sink's own included; never raises.
        if not self._busy and not self.closed:
            self.flush()

    def write(self, stream, text):
        if self.closed or not text or self._unwinder.reason is not None:
            return
        self._busy = True
        try:
            self._write(stream, text)
        finally:
            self._busy = False

    def _write(self, stream, text):
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
        self._queue(stream, text)
        if self._pending_len >= _BATCH:
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
        busy, self._busy = self._busy, True
        try:
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
        finally:
            self._busy = busy

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
