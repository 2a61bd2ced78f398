from dataclasses import dataclass, field, fields, asdict


class ModelMeta(type):
    models = []

    def __new__(mcls, name, bases, ns, **kwargs):
        cls = super().__new__(mcls, name, bases, ns, **kwargs)
        if bases:
            mcls.models.append(name)
        return cls


class Model(metaclass=ModelMeta):
    __slots__ = ()

    def to_row(self):
        return tuple(getattr(self, f.name) for f in fields(self))


@dataclass(slots=True, order=True)
class Product(Model):
    sku: str
    price: float
    tags: list = field(default_factory=list)

    def discounted(self, pct):
        return round(self.price * (1 - pct / 100), 2)


items = sorted([Product("b-2", 9.5), Product("a-1", 12.0, ["new"])])
print([p.sku for p in items], items[0].discounted(10))
print(items[0].to_row(), asdict(items[1]))
print(ModelMeta.models, hasattr(items[0], "__dict__"), Product.__slots__)
try:
    items[0].colour = "red"
except AttributeError:
    print("slots: no new attributes")
