class InterfaceMeta(type):
    """Classes list the methods they must provide; instances are counted."""

    def __new__(mcls, name, bases, dct):
        required = set()
        for base in bases:
            required |= set(getattr(base, "required", ()))
        missing = sorted(m for m in required if m not in dct and not any(hasattr(b, m) for b in bases))
        if missing and not dct.get("abstract", False):
            raise TypeError(f"{name} is missing {', '.join(missing)}")
        dct.setdefault("abstract", False)
        return type.__new__(mcls, name, bases, dct)

    def __call__(cls, *args, **kwargs):
        if cls.abstract:
            raise TypeError(f"cannot instantiate abstract {cls.__name__}")
        instance = super().__call__(*args, **kwargs)
        cls.created = getattr(cls, "created", 0) + 1
        return instance

    def __instancecheck__(cls, obj):
        # Structural: anything with every required method counts.
        return all(callable(getattr(obj, m, None)) for m in getattr(cls, "required", ()))


class Storage(metaclass=InterfaceMeta):
    abstract = True
    required = ("load", "save")


class MemoryStorage(Storage):
    def __init__(self):
        self.data = {}

    def load(self, key):
        return self.data.get(key)

    def save(self, key, value):
        self.data[key] = value


class Duck:
    def load(self, key):
        return key

    def save(self, key, value):
        pass


try:
    class Broken(Storage):
        def load(self, key):
            return None
except TypeError as e:
    print("TypeError:", e)

try:
    Storage()
except TypeError as e:
    print("TypeError:", e)

m = MemoryStorage()
m.save("a", 1)
MemoryStorage()
print(m.load("a"), MemoryStorage.created, isinstance(Duck(), Storage), isinstance(42, Storage))
print(type(MemoryStorage).__name__, MemoryStorage.abstract, Storage.abstract)
