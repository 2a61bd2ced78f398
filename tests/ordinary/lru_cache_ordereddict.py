from collections import OrderedDict
from typing import Generic, TypeVar, Callable, Hashable
import functools
K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

class LRUCache(Generic[K, V]):
    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._data: OrderedDict[K, V] = OrderedDict()
        self.hits = self.misses = self.evictions = 0
    def get(self, key: K, default=None):
        if key in self._data:
            self._data.move_to_end(key)
            self.hits += 1
            return self._data[key]
        self.misses += 1
        return default
    def put(self, key: K, value: V) -> None:
        if key in self._data:
            self._data.move_to_end(key)
        self._data[key] = value
        if len(self._data) > self.capacity:
            old, _ = self._data.popitem(last=False)
            self.evictions += 1
            print(f"  evict {old!r}")
    def __contains__(self, key):
        return key in self._data
    def __len__(self):
        return len(self._data)
    def __repr__(self):
        items = ", ".join(f"{k!r}: {v!r}" for k, v in self._data.items())
        return f"LRUCache[{self.capacity}]({items})"

def memoize(cache: LRUCache) -> Callable:
    def deco(fn):
        @functools.wraps(fn)
        def wrapper(*args):
            hit = cache.get(args)
            if hit is None:
                hit = fn(*args)
                cache.put(args, hit)
            return hit
        wrapper.cache = cache
        return wrapper
    return deco

c: LRUCache[str, int] = LRUCache(3)
for k, v in [("a", 1), ("b", 2), ("c", 3)]:
    c.put(k, v)
print(c.get("a"), c.get("z", -1))
c.put("d", 4)
c.put("b", 20)
c.put("e", 5)
print(c, len(c), "a" in c, "c" in c)
print(f"hits={c.hits} misses={c.misses} evictions={c.evictions}")

@memoize(LRUCache(4))
def slow_square(n):
    print(f"  computing {n}")
    return n * n

print([slow_square(n) for n in (1, 2, 1, 3, 4, 5, 1, 2)])
print(slow_square.cache, slow_square.__name__, slow_square.cache.hits)
od = OrderedDict.fromkeys("abcde")
od.move_to_end("b"); od.move_to_end("e", last=False)
print("".join(od), od.popitem(), list(reversed(od)))
