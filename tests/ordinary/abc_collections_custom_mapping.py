from collections.abc import MutableMapping, Sequence, Mapping, Iterable, Sized, Callable, Hashable
from collections import UserDict, UserList, UserString

class CaseInsensitiveDict(MutableMapping):
    def __init__(self, data=(), **kw):
        self._store = {}
        self.update(data, **kw)
    def __getitem__(self, key):
        return self._store[key.lower()][1]
    def __setitem__(self, key, value):
        self._store[key.lower()] = (key, value)
    def __delitem__(self, key):
        del self._store[key.lower()]
    def __iter__(self):
        return (orig for orig, _ in self._store.values())
    def __len__(self):
        return len(self._store)
    def __repr__(self):
        return f"CaseInsensitiveDict({dict(self.items())})"

h = CaseInsensitiveDict({"Content-Type": "text/html"}, Accept="*/*")
h["content-type"] = "application/json"
print(h, h["CONTENT-TYPE"], "accept" in h, h.get("x-missing", "-"), len(h))
print(h.setdefault("X-Id", "7"), h.pop("accept"), sorted(h.keys()), list(h.values()))
print(isinstance(h, Mapping), isinstance(h, MutableMapping), isinstance({}, MutableMapping))

class Countdown(Sequence):
    def __init__(self, start):
        self.start = start
    def __len__(self):
        return self.start
    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if not -len(self) <= i < len(self):
            raise IndexError(i)
        return self.start - (i % len(self))

cd = Countdown(5)
print(list(cd), cd[1:4], cd[-1], 3 in cd, cd.index(2), cd.count(4), list(reversed(cd)))

class Stats(UserDict):
    def __setitem__(self, key, value):
        super().__setitem__(key, max(value, self.data.get(key, value)))
    def __missing__(self, key):
        return 0

s = Stats(a=3)
s["a"] = 1; s["b"] = 5; s["b"] = 9
print(s, s["zzz"], s.data, dict(s))

class History(UserList):
    def append(self, item):
        if not self.data or self.data[-1] != item:
            super().append(item)

hist = History(["home"])
for page in ["home", "about", "about", "shop", "home"]:
    hist.append(page)
print(hist, len(hist), hist[-2:], type(hist[-2:]).__name__)

class Tag(UserString):
    def __init__(self, seq):
        super().__init__(str(seq).strip().lower().replace(" ", "-"))

t = Tag("  Python Tips ")
print(t, t.upper(), t + "!", isinstance(t, str), t.data, len(t))
checks = [([], Iterable), (len, Callable), ("s", Sized), ([], Hashable), ((1,), Hashable)]
print([isinstance(v, abc) for v, abc in checks])

class Bag:
    def __len__(self):
        return 3

print(isinstance(Bag(), Sized), issubclass(Bag, Iterable))
try:
    class Half(Mapping):
        def __getitem__(self, k):
            return k
    Half()
except TypeError as e:
    print("TypeError:", str(e).split(" with")[0])
