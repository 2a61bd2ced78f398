from functools import cached_property
import statistics


class Dataset:
    def __init__(self, values):
        self.values = list(values)
        self.computed = []

    @cached_property
    def mean(self):
        self.computed.append("mean")
        return statistics.fmean(self.values)

    @cached_property
    def spread(self):
        self.computed.append("spread")
        return max(self.values) - min(self.values)

    @property
    def summary(self):
        return f"n={len(self.values)} mean={self.mean:.2f} spread={self.spread}"


class Positive:
    def __set_name__(self, owner, name):
        self.private = "_" + name

    def __get__(self, obj, objtype=None):
        if obj is None:
            return self
        return getattr(obj, self.private)

    def __set__(self, obj, value):
        if value <= 0:
            raise ValueError(f"{self.private[1:]} must be positive")
        setattr(obj, self.private, value)


class Order:
    quantity = Positive()
    price = Positive()

    def __init__(self, quantity, price):
        self.quantity = quantity
        self.price = price


d = Dataset([3, 1, 4, 1, 5, 9, 2, 6])
print(d.summary)
print(d.summary, d.computed)
o = Order(3, 2.5)
print(o.quantity * o.price, vars(o))
try:
    o.price = -1
except ValueError as e:
    print("ValueError:", e)
