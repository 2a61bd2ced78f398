"""open(): a read-only view of config.files, nothing else."""

import io

from .caps import shown


def make_open(run):
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
        if set(mode) - set("rbt") or mode.count("b") + mode.count("t") > 1 or mode.count("r") > 1:
            deny(f"open({path!r}, {mode!r}): the file system is read-only")
        if opener is not None:
            deny("open() with an opener is not allowed")
        problem = run.config.file_name_problem(path)
        if problem is not None:
            deny(f"open({path[:200]!r}): the name {problem}")
        name = "/".join(p for p in path.split("/") if p not in ("", "."))
        data = files.get(name)
        if data is None:
            raise FileNotFoundError(2, "No such file or directory", path)
        if "b" in mode:
            if encoding is not None or errors is not None or newline is not None:
                raise ValueError("binary mode doesn't take an encoding, errors or newline argument")
            return io.BytesIO(data)
        return io.TextIOWrapper(io.BytesIO(data), encoding=encoding or "utf-8", errors=errors, newline=newline)

    return open
