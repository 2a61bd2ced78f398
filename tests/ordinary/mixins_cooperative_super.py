import json

class ReprMixin:
    def __repr__(self):
        attrs = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if not k.startswith("_"))
        return f"{type(self).__name__}({attrs})"

class JsonMixin:
    def to_json(self):
        return json.dumps(self, default=lambda o: {k: v for k, v in o.__dict__.items() if not k.startswith("_")}, sort_keys=True)

class ComparableMixin:
    def _cmp_key(self):
        raise NotImplementedError
    def __eq__(self, other):
        return type(self) is type(other) and self._cmp_key() == other._cmp_key()
    def __lt__(self, other):
        return self._cmp_key() < other._cmp_key()
    def __hash__(self):
        return hash(self._cmp_key())

class Entity:
    required = ()
    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        missing = [name for name in cls.required if not hasattr(cls, name)]
        if missing:
            raise TypeError(f"{cls.__name__} lacks {missing}")
    def __init__(self, *, id, **kwargs):
        super().__init__(**kwargs)
        self.id = id
        self._trail = ["Entity"]

class Named:
    def __init__(self, *, name, **kwargs):
        super().__init__(**kwargs)
        self.name = name

class Timestamped:
    def __init__(self, *, created="2024-01-01", **kwargs):
        super().__init__(**kwargs)
        self.created = created

class Product(ReprMixin, JsonMixin, ComparableMixin, Entity, Named, Timestamped):
    required = ("price",)
    price = 0
    def __init__(self, *, price, **kwargs):
        super().__init__(**kwargs)
        self.price = price
        self._trail.append("Product")
    def _cmp_key(self):
        return (self.price, self.name)

class Service(Product):
    def __init__(self, hours=1, **kwargs):
        super(Product, self).__init__(**kwargs)
        self.price = 50 * hours
        self.hours = hours

p1 = Product(id=1, name="pen", price=3)
p2 = Product(id=2, name="ink", price=3, created="2023-05-05")
s = Service(hours=2, id=3, name="repair")
print(p1, p2, s, sep="\n")
print(p1.to_json(), s.to_json())
print(sorted([s, p1, p2]), p1 == Product(id=9, name="pen", price=3), len({p1, p2, Product(id=4, name="pen", price=3)}))
print([c.__name__ for c in Product.__mro__])
print([c.__name__ for c in Service.mro()], Service.__bases__[0].__name__, s._trail)
try:
    class Broken(Entity):
        required = ("sku", "weight")
except TypeError as e:
    print("TypeError:", e)
print(super(Service, s).__repr__() == repr(s), isinstance(s, ComparableMixin), issubclass(Service, Named))
