from collections import OrderedDict


class OrderedMeta(type):
    @classmethod
    def __prepare__(mcls, name, bases, **kwargs):
        return OrderedDict()

    def __new__(mcls, name, bases, namespace, **kwargs):
        cls = super().__new__(mcls, name, bases, dict(namespace))
        cls._field_order = [k for k in namespace if not k.startswith("__")]
        return cls


class Record(metaclass=OrderedMeta):
    zeta = 1
    alpha = 2
    mid = 3

    def total(self):
        return self.zeta + self.alpha + self.mid


class NoDuplicates(dict):
    def __setitem__(self, key, value):
        if key in self and not key.startswith("__"):
            raise TypeError(f"duplicate definition of {key!r}")
        super().__setitem__(key, value)


class StrictMeta(type):
    @classmethod
    def __prepare__(mcls, name, bases):
        return NoDuplicates()

    def __new__(mcls, name, bases, ns):
        return super().__new__(mcls, name, bases, dict(ns))


class Api(metaclass=StrictMeta):
    def get(self):
        return "get"

    def post(self):
        return "post"


try:
    class Twice(metaclass=StrictMeta):
        def get(self):
            return 1

        def get(self):
            return 2
except TypeError as e:
    print("refused:", e)

print(Record._field_order, Record().total())
print(Api().get(), Api().post(), type(Api).__name__)
