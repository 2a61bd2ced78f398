class AutoNumber(dict):
    """A class namespace where a bare name becomes the next number."""

    def __init__(self):
        super().__init__()
        self.next_value = 1

    def __missing__(self, key):
        if key.startswith("__") or key in ("print", "len", "range", "str"):
            raise KeyError(key)
        self[key] = self.next_value
        self.next_value += 1
        return self[key]


class ConstantsMeta(type):
    @classmethod
    def __prepare__(mcls, name, bases):
        return AutoNumber()

    def __new__(mcls, name, bases, ns):
        members = {k: v for k, v in ns.items() if not k.startswith("__") and isinstance(v, int)}
        cls = super().__new__(mcls, name, bases, dict(ns))
        cls.members = members
        return cls

    def __iter__(cls):
        return iter(sorted(cls.members.items(), key=lambda kv: kv[1]))

    def __len__(cls):
        return len(cls.members)


class Color(metaclass=ConstantsMeta):
    RED
    GREEN
    BLUE
    ALIAS = 10


print(Color.RED, Color.GREEN, Color.BLUE, Color.ALIAS, len(Color))
print([name for name, _ in Color])
