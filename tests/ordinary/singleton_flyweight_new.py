class Config:
    _instance = None
    def __new__(cls, *args, **kwargs):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
            cls._instance._initialized = False
        return cls._instance
    def __init__(self, env="dev"):
        if self._initialized:
            return
        self.env = env
        self.settings = {}
        self._initialized = True

a = Config("prod")
b = Config("test")
a.settings["debug"] = False
print(a is b, b.env, b.settings)

class Color:
    _cache = {}
    __slots__ = ("r", "g", "b")
    def __new__(cls, r, g, b):
        key = (r, g, b)
        if key not in cls._cache:
            self = object.__new__(cls)
            self.r, self.g, self.b = r, g, b
            cls._cache[key] = self
        return cls._cache[key]
    @classmethod
    def from_hex(cls, text):
        text = text.lstrip("#")
        return cls(*(int(text[i:i + 2], 16) for i in (0, 2, 4)))
    def __repr__(self):
        return f"#{self.r:02x}{self.g:02x}{self.b:02x}"

red = Color(255, 0, 0)
print(red is Color.from_hex("#ff0000"), Color.from_hex("0080ff"), len(Color._cache))

class Temperature(float):
    def __new__(cls, value, unit="C"):
        celsius = (value - 32) * 5 / 9 if unit == "F" else value
        obj = super().__new__(cls, round(celsius, 2))
        obj.unit = "C"
        return obj
    def __repr__(self):
        return f"{float(self):.2f}°C"

temps = [Temperature(212, "F"), Temperature(21.5), Temperature(-40, "F")]
print(temps, sorted(temps), sum(temps), isinstance(temps[0], float))

class UpperStr(str):
    def __new__(cls, value):
        return super().__new__(cls, value.upper())
    def shout(self):
        return self + "!"

print(UpperStr("hello").shout(), UpperStr("a") == "A", type(UpperStr("x") + "y").__name__)

class Base:
    def greet(self):
        return f"hi from {type(self).__name__}"

def make_model(name, **fields):
    def __init__(self, **kw):
        for f, default in fields.items():
            setattr(self, f, kw.get(f, default))
    def __repr__(self):
        return f"{name}({', '.join(f'{f}={getattr(self, f)!r}' for f in fields)})"
    return type(name, (Base,), {"__init__": __init__, "__repr__": __repr__, "fields": tuple(fields)})

Car = make_model("Car", make="?", wheels=4)
Bike = make_model("Bike", wheels=2)
print(Car(make="vw"), Bike(), Car.fields, Car().greet(), Car.__name__, [k.__name__ for k in Car.__mro__])
print(issubclass(Bike, Base), isinstance(Bike(), Car))
