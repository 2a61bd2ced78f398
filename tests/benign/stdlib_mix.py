import datetime
import itertools
import math
import random
import re
from collections import deque, ChainMap


class Node:
    __slots__ = ("value", "children")

    def __init__(self, value, *children):
        self.value = value
        self.children = list(children)

    def walk(self):
        yield self.value
        for c in self.children:
            yield from c.walk()


tree = Node(1, Node(2, Node(4)), Node(3))
print(list(tree.walk()), sum(tree.walk()))

random.seed(42)
r = random.Random(7)
print(r.randint(1, 100), len([random.random() for _ in range(5)]))

d = datetime.date(2024, 2, 28) + datetime.timedelta(days=2)
print(datetime.datetime.strptime("2021-07-09 08:05", "%Y-%m-%d %H:%M").isoformat())
print(d.isoformat(), d.weekday(), datetime.datetime(2020, 1, 1, 12, 30).strftime("%Y/%m/%d %H:%M"))

words = re.findall(r"[a-z]+", "The quick brown fox, the lazy dog.".lower())
print(words, re.sub(r"(\w+)@(\w+)", r"\2 at \1", "me@home"))
m = re.match(r"(?P<k>\w+)=(?P<v>\d+)", "x=42")
print(m.group("k"), int(m.group("v")) * 2, m.groupdict())

print(list(itertools.islice(itertools.cycle("ab"), 5)), list(itertools.accumulate([1, 2, 3])))
print([k + str(len(list(g))) for k, g in itertools.groupby("aaabcc")])
print(list(itertools.product("ab", repeat=2)), list(itertools.permutations([1, 2, 3], 2))[:3])

q = deque([1, 2, 3])
q.extendleft([0])
print(list(q), q.popleft(), ChainMap({"a": 1}, {"b": 2})["b"])


async def agen(n):
    for i in range(n):
        yield i


async def main():
    total = 0
    async for v in agen(4):
        total += v
    return total

co = main()
try:
    co.send(None)
except StopIteration as e:
    print("async result", e.value)


def gen():
    got = yield 1
    yield got * 2

g = gen()
print(next(g), g.send(21))
print(math.floor(7 / 2), divmod(17, 5), round(2.675, 2), f"{1234567.891:,.2f}")


class Temp:
    def __init__(self):
        self._c = 0.0

    @property
    def f(self):
        return self._c * 9 / 5 + 32

    @f.setter
    def f(self, v):
        self._c = (v - 32) * 5 / 9


t = Temp()
t.f = 212
print(round(t._c, 1), t.f)
