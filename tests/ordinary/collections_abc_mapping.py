import collections


class Registry(collections.abc.Mapping):
    def __init__(self, **items):
        self._items = dict(items)

    def __getitem__(self, key):
        return self._items[key]

    def __iter__(self):
        return iter(self._items)

    def __len__(self):
        return len(self._items)


r = Registry(b=2, a=1)
print(isinstance(r, collections.abc.Mapping), isinstance({}, collections.abc.MutableMapping))
print(sorted(r.items()), r.get("z", 0), "a" in r, len(r))
print(isinstance([], collections.abc.Sequence), isinstance(iter([]), collections.abc.Iterator))
counts = collections.Counter("abracadabra")
print(isinstance(counts, collections.abc.Mapping), counts.most_common(2))
