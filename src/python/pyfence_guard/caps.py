"""Cutting what the guard sends to the protocol's caps (configured in bytes
of UTF-8, see src/protocol/caps.ts): details, names and messages are cut,
never dropped, and the cut says how long the original was."""

import re

_TYPE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.]{0,99}\Z")


def cut(text, limit):
    """`text` cut to at most `limit` UTF-8 bytes, marking the cut and the original size."""
    data = text.encode("utf-8", "surrogatepass")
    if len(data) <= limit:
        return text
    marker = f" … [cut: {len(data)} bytes]"
    room = max(0, limit - len(marker.encode("utf-8")))
    return data[:room].decode("utf-8", "ignore") + marker


def chunks(text, limit):
    """Pieces of `text` of at most `limit` UTF-8 bytes each, split between characters."""
    data = text.encode("utf-8", "surrogatepass")
    if len(data) <= limit:
        return [text]
    out = []
    start = 0
    while start < len(data):
        end = min(start + limit, len(data))
        # Back off to a character boundary (continuation bytes are 10xxxxxx).
        while end < len(data) and end > start and data[end] & 0xC0 == 0x80:
            end -= 1
        out.append(data[start:end].decode("utf-8", "surrogatepass"))
        start = end
    return out


def type_name(cls):
    """The name the protocol reports for an exception class: its own when it
    is a plain identifier, else the nearest built-in base's (a script may
    rename its classes to anything)."""
    for c in type.__dict__["__mro__"].__get__(cls):
        name = type.__dict__["__name__"].__get__(c)
        if type(name) is str and _TYPE_NAME.match(name):
            return name
    return "Exception"


def shown(value):
    """repr() of a value a guard message names, without running a method of
    the script's: a str (subclass or not) by its text, anything else by its
    type's name."""
    if issubclass(type(value), str):
        return str.__repr__(value)
    return f"<{type_name(type(value))} object>"
