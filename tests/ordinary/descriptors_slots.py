class Positive:
    def __set_name__(self, owner, name):
        self.name = "_" + name
    def __get__(self, obj, objtype=None):
        return getattr(obj, self.name)
    def __set__(self, obj, value):
        if value <= 0:
            raise ValueError(f"{self.name[1:]} must be positive")
        setattr(obj, self.name, value)

class Order:
    qty = Positive()
    price = Positive()
    def __init__(self, qty, price):
        self.qty = qty
        self.price = price
    @property
    def total(self):
        return self.qty * self.price

o = Order(3, 2.5)
print(o.total, o._qty)
try:
    o.qty = -1
except ValueError as e:
    print(e)

class Slotted:
    __slots__ = ("a", "b")
    def __init__(self):
        self.a = 1
        self.b = 2
s = Slotted()
print(s.a + s.b, hasattr(s, "__dict__"))
try:
    s.c = 3
except AttributeError as e:
    print("AttributeError")

class Temperature:
    def __init__(self):
        self._celsius = 0
    @property
    def fahrenheit(self):
        return self._celsius * 9 / 5 + 32
    @fahrenheit.setter
    def fahrenheit(self, f):
        self._celsius = (f - 32) * 5 / 9
t = Temperature(); t.fahrenheit = 212
print(t._celsius, getattr(t, "_celsius"), hasattr(t, "_missing"))
