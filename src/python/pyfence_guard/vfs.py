"""open(): the caller's read-only files and, when the policy has one
(`filesystem.writable`), the run's writable area: relative paths, in memory,
within a byte and a file-count quota. What the script wrote is sent to the
host when it ends (send_written). The path rule lives here, once: the
static check (check.py) applies the same function to literal paths."""

import binascii
import errno
import gc
import io

from .caps import shown
from .operations import operation

# One segment of a written file's name, as file systems allow it (UTF-8).
MAX_SEGMENT_BYTES = 255
_CONTROL = frozenset(chr(c) for c in range(32)) | {"\x7f"}
_MODE_CHARS = frozenset("rwxab+t")


def normal_name(path):
    """`./a//b.txt` -> `a/b.txt` (for a path the rule admits)."""
    return "/".join(p for p in path.split("/") if p not in ("", "."))


def _parse_mode(mode):
    """(read, write, create, truncate, append, exclusive, binary) as open() reads `mode`."""
    chars = set(mode)
    kinds = [c for c in mode if c in "rwxa"]
    if chars - _MODE_CHARS or len(kinds) != 1 or len(mode) != len(chars) or ("b" in chars and "t" in chars):
        raise ValueError(f"invalid mode: {mode!r}")
    kind = kinds[0]
    plus = "+" in chars
    return (kind == "r" or plus, kind != "r" or plus, kind != "r", kind == "w", kind == "a", kind == "x",
            "b" in chars)


class Area:
    """The writable area of one run: name -> bytearray, in creation order."""

    def __init__(self, config):
        self._inputs = config.files
        self._max_bytes = config.write_bytes
        self._max_files = config.write_files
        self._max_path = config.caps["path_bytes"]
        self.files = {}
        self.used = 0
        self.sealed = False
        # Every directory some file name implies (a name is a file or a directory, never both).
        self._dirs = set()
        for name in self._inputs:
            self._add_dirs(name)

    def _add_dirs(self, name):
        parts = name.split("/")
        for i in range(1, len(parts)):
            self._dirs.add("/".join(parts[:i]))

    def get(self, name):
        return self.files.get(name)

    def exists(self, name):
        return name in self.files or name in self._inputs


    def check_name(self, name, path):
        if not name:
            raise FileNotFoundError(errno.ENOENT, "No such file or directory", path)
        if any(c in _CONTROL for c in name):
            raise OSError(errno.EINVAL, "Invalid argument: a file name may not contain control characters",
                          path)
        encoded = name.encode("utf-8", "surrogatepass")
        if len(encoded) > self._max_path or any(len(p) > MAX_SEGMENT_BYTES for p in encoded.split(b"/")):
            raise OSError(errno.ENAMETOOLONG, "File name too long", path)
        try:
            encoded.decode("utf-8")
        except UnicodeDecodeError:
            raise OSError(errno.EINVAL, "Invalid argument: a file name must be valid Unicode", path) from None
        if name in self._dirs:
            raise IsADirectoryError(errno.EISDIR, "Is a directory", path)
        parts = name.split("/")
        for i in range(1, len(parts)):
            if self.exists("/".join(parts[:i])):
                raise NotADirectoryError(errno.ENOTDIR, "Not a directory", path)

    def create(self, name, path, initial=b""):
        if self.sealed:
            raise OSError(errno.EROFS, "Read-only file system: the run has ended", path)
        if len(self.files) >= self._max_files:
            raise OSError(errno.EDQUOT, f"Disk quota exceeded: the writable area holds at most "
                                        f"{self._max_files} files", path)
        self.reserve(len(initial), path)
        data = self.files[name] = bytearray(initial)
        self._add_dirs(name)
        return data

    def reserve(self, growth, path):
        """Account for `growth` more bytes, or OSError (EDQUOT) past the quota."""
        if self.sealed:
            raise OSError(errno.EROFS, "Read-only file system: the run has ended", path)
        if growth > 0 and self.used + growth > self._max_bytes:
            raise OSError(errno.EDQUOT, f"Disk quota exceeded: the writable area holds at most "
                                        f"{self._max_bytes} bytes", path)
        self.used += growth

    def send(self, host, chunk_bytes):
        """Send every written file to the host, in pieces of base64 of at
        most `chunk_bytes`; nothing more can be written afterwards. The
        collector stays off meanwhile: no script finalizer runs in between."""
        self.sealed = True
        collecting = gc.isenabled()
        gc.disable()
        try:
            raw = chunk_bytes // 4 * 3
            for name, data in list(self.files.items()):
                content = bytes(data)
                for start in range(0, max(len(content), 1), raw):
                    piece = binascii.b2a_base64(content[start:start + raw], newline=False).decode("ascii")
                    host.file(name, piece)
        finally:
            if collecting:
                gc.enable()


class AreaFile(io.BufferedIOBase):
    """A file of the writable area: unbuffered, so every write is in the
    area at once (nothing is left to flush when the run ends)."""

    def __init__(self, area, name, path, data, mode, readable, writable, append):
        self._area = area
        self._data = data
        self._path = path
        self._pos = 0
        self._mode = mode
        self._readable = readable
        self._writable = writable
        self._append = append
        self.name = path

    @property
    def mode(self):
        return self._mode

    def readable(self):
        self._check_open()
        return self._readable

    def writable(self):
        self._check_open()
        return self._writable

    def seekable(self):
        self._check_open()
        return True

    def _check_open(self):
        if self.closed:
            raise ValueError("I/O operation on closed file.")

    def read(self, size=-1):
        self._check_open()
        if not self._readable:
            raise io.UnsupportedOperation("read")
        size = -1 if size is None else size.__index__()
        end = len(self._data) if size < 0 else min(len(self._data), self._pos + size)
        out = bytes(self._data[self._pos:end])
        self._pos = max(self._pos, end)
        return out

    read1 = read

    def readinto(self, buffer):
        data = self.read(len(memoryview(buffer).cast("B")))
        memoryview(buffer).cast("B")[: len(data)] = data
        return len(data)

    readinto1 = readinto

    def write(self, b):
        self._check_open()
        if not self._writable:
            raise io.UnsupportedOperation("write")
        if issubclass(type(b), str):
            raise TypeError("a bytes-like object is required, not 'str'")
        with memoryview(b) as view:
            size = view.nbytes
            if self._append:
                self._pos = len(self._data)
            end = self._pos + size
            self._area.reserve(end - len(self._data), self._path)
            chunk = view.tobytes()
        if self._pos > len(self._data):
            self._data.extend(bytes(self._pos - len(self._data)))
        self._data[self._pos:end] = chunk
        self._pos = end
        return size

    def seek(self, offset, whence=0):
        self._check_open()
        offset = offset.__index__()
        if whence == 0:
            pos = offset
        elif whence == 1:
            pos = self._pos + offset
        elif whence == 2:
            pos = len(self._data) + offset
        else:
            raise ValueError(f"invalid whence ({whence}, should be 0, 1 or 2)")
        if pos < 0:
            raise OSError(errno.EINVAL, "Invalid argument", self._path)
        self._pos = pos
        return pos

    def tell(self):
        self._check_open()
        return self._pos

    def truncate(self, size=None):
        self._check_open()
        if not self._writable:
            raise io.UnsupportedOperation("truncate")
        size = self._pos if size is None else size.__index__()
        if size < 0:
            raise OSError(errno.EINVAL, "Invalid argument", self._path)
        self._area.reserve(size - len(self._data), self._path)
        if size < len(self._data):
            self._area.used -= len(self._data) - size
            del self._data[size:]
        else:
            self._data.extend(bytes(size - len(self._data)))
        return size

    def detach(self):
        raise io.UnsupportedOperation("detach")


def make_open(run, area):
    """The script's open(): `area` is the run's writable Area, or None."""
    files = run.config.files

    def deny(detail):
        run.violation("filesystem", detail)

    def open(file, mode="r", buffering=-1, encoding=None, errors=None, newline=None, closefd=True, opener=None):
        if not issubclass(type(file), str):
            deny(f"open() needs a relative path string, got {shown(file)}")
        path = str.__str__(file)
        if not issubclass(type(mode), str):
            raise TypeError("open() argument 'mode' must be str")
        mode = str.__str__(mode)
        if area is None and (set(mode) - set("rbt") or mode.count("b") + mode.count("t") > 1
                             or mode.count("r") > 1):
            deny(f"open({path!r}, {mode!r}): the file system is read-only")
        if opener is not None:
            deny("open() with an opener is not allowed")
        problem = run.config.file_name_problem(path)
        if problem is not None:
            deny(f"open({shown(path)}): the name {problem}")
        readable, writable, create, truncate, append, exclusive, binary = _parse_mode(mode)
        if binary and (encoding is not None or errors is not None or newline is not None):
            raise ValueError("binary mode doesn't take an encoding, errors or newline argument")
        name = normal_name(path)
        data = area.get(name) if area is not None else None
        if not writable:
            if data is None:
                content = files.get(name)
                if content is None:
                    raise FileNotFoundError(errno.ENOENT, "No such file or directory", path)
                raw = io.BytesIO(content)
            else:
                raw = AreaFile(area, name, path, data, mode, True, False, False)
            operation(run, "file.read", name)
        else:
            exists = area.exists(name)
            if exclusive and exists:
                raise FileExistsError(errno.EEXIST, "File exists", path)
            if not create and not exists:
                raise FileNotFoundError(errno.ENOENT, "No such file or directory", path)
            if data is None:
                area.check_name(name, path)
                data = area.create(name, path, b"" if truncate else files.get(name, b""))
            elif truncate:
                area.reserve(0, path)
                area.used -= len(data)
                del data[:]
            raw = AreaFile(area, name, path, data, mode, readable, True, append)
            operation(run, "file.write", name)
        if binary:
            return raw
        return io.TextIOWrapper(raw, encoding=encoding or "utf-8", errors=errors, newline=newline,
                                write_through=True)

    return open

