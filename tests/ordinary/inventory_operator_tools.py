from operator import attrgetter, itemgetter, methodcaller
import operator
from itertools import groupby
from collections import Counter
from dataclasses import dataclass

@dataclass
class Address:
    city: str
    zone: int

@dataclass
class Warehouse:
    code: str
    address: Address

@dataclass
class Stock:
    sku: str
    name: str
    qty: int
    price: float
    where: Warehouse
    _reserved: int = 0

    def value(self, discount=0.0):
        return round(self.qty * self.price * (1 - discount), 2)

north = Warehouse("N1", Address("Oslo", 2))
south = Warehouse("S4", Address("Rome", 7))
stock = [
    Stock("B-2", "bolt", 500, 0.05, north, 40),
    Stock("N-9", "nut", 800, 0.03, south),
    Stock("W-1", "washer", 120, 0.02, north, 5),
    Stock("H-3", "hinge", 30, 2.50, south, 12),
    Stock("S-5", "spring", 75, 0.80, north),
]

by_city = attrgetter("where.address.city")
print(sorted({by_city(s) for s in stock}), attrgetter("sku", "where.code")(stock[3]))
for city, items in groupby(sorted(stock, key=attrgetter("where.address.city", "sku")), key=by_city):
    items = list(items)
    print(city, [s.sku for s in items], round(sum(map(methodcaller("value"), items)), 2))
print([s.name for s in sorted(stock, key=attrgetter("qty"), reverse=True)][:3])
print(list(map(methodcaller("value", discount=0.1), stock)))
print(sorted(stock, key=attrgetter("_reserved"))[-1].sku, [s._reserved for s in stock])
rows = [(s.sku, s.qty, s.price) for s in stock]
print(sorted(rows, key=itemgetter(2, 0)), itemgetter(1, 0)(rows[0]), list(map(itemgetter(0), rows)))
print(itemgetter(slice(1, 3))("abcd"), itemgetter("zone")({"zone": 3}), methodcaller("split", "-")("A-B-C"))
costs = [s.qty * s.price for s in stock]
print(round(sum(costs), 2), operator.mul(6, 7), operator.truediv(7, 2), operator.floordiv(7, 2), operator.mod(-7, 3))
print(operator.itemgetter(-1)(stock).name, operator.contains("abc", "b"), operator.countOf([1, 2, 1], 1), operator.indexOf("xyz", "z"))
print(operator.concat([1], [2]), operator.neg(5), operator.not_(0), operator.is_(None, None), operator.call(len, "four"))
d = {"a": 1}
operator.setitem(d, "b", 2); operator.delitem(d, "a")
print(d, operator.getitem(d, "b"), operator.index(7), operator.length_hint(iter(range(9))))
tally = Counter()
for s in stock:
    tally[s.where.code] += s.qty
print(tally.most_common(), tally.total(), +(tally - Counter(N1=700)), tally & Counter(S4=100))
for s in stock:
    setattr(s, "flag", "low" if s.qty < 100 else "ok")
print([(s.sku, getattr(s, "flag")) for s in stock if s.flag == "low"], hasattr(stock[0], "_reserved"))
op_table = {"+": operator.add, "-": operator.sub, "**": operator.pow, "<": operator.lt, "&": operator.and_}
print({sym: fn(6, 3) for sym, fn in op_table.items()})
x = [1, 2]
x = operator.iadd(x, [3])
print(x, operator.ipow(2, 10), operator.attrgetter("real", "imag")(3 + 4j))
