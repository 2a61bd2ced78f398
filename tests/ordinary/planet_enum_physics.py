from enum import Enum, IntEnum, StrEnum, auto, unique, EnumMeta
G = 6.67300E-11

class Planet(Enum):
    MERCURY = (3.303e+23, 2.4397e6)
    VENUS = (4.869e+24, 6.0518e6)
    EARTH = (5.976e+24, 6.37814e6)
    MARS = (6.421e+23, 3.3972e6)
    def __init__(self, mass, radius):
        self.mass = mass
        self.radius = radius
    @property
    def surface_gravity(self):
        return G * self.mass / (self.radius * self.radius)

for p in Planet:
    print(f"{p.name:<8} g={p.surface_gravity:6.2f} weight(75kg)={75 * p.surface_gravity:8.1f}")

class Coin(Enum):
    PENNY = (1, "copper")
    DIME = (10, "silver")
    def __new__(cls, cents, metal):
        obj = object.__new__(cls)
        obj._value_ = cents
        obj.metal = metal
        return obj

print(Coin(10), Coin(10).metal, Coin.PENNY.value, [c.metal for c in Coin])

class Shade(StrEnum):
    LIGHT = auto()
    DARK = auto()

class Ordinal(Enum):
    @staticmethod
    def _generate_next_value_(name, start, count, last_values):
        return f"{count + 1}:{name.lower()}"
    FIRST = auto()
    SECOND = auto()

print(Shade.DARK, Shade.LIGHT.upper(), "dark" == Shade.DARK, [o.value for o in Ordinal])

@unique
class Level(IntEnum):
    DEBUG = 10
    INFO = 20
    ERROR = 40
    @classmethod
    def _missing_(cls, value):
        if isinstance(value, int):
            return max((m for m in cls if m <= value), default=cls.DEBUG)
        return None

print(Level(25), Level(99), Level(3), Level.INFO + 5, sorted(Level, reverse=True))
print({name: m.value for name, m in Level.__members__.items()})

class ContainsMeta(EnumMeta):
    def __contains__(cls, item):
        if isinstance(item, str):
            return item in cls.__members__
        return super().__contains__(item)

class Fruit(Enum, metaclass=ContainsMeta):
    APPLE = 1
    PEAR = 2

print("APPLE" in Fruit, "KIWI" in Fruit, Fruit.PEAR in Fruit)
Animal = Enum("Animal", [("CAT", 1), ("DOG", 2)])
Signal = IntEnum("Signal", "HUP INT QUIT", start=1)
print(Animal.DOG, Animal["CAT"].value, list(Signal), Signal.QUIT == 3)
try:
    Planet.EARTH.mass = 1
    print("reassigned mass", Planet.EARTH.mass == 1)
except AttributeError as e:
    print("cannot", e)
try:
    Level("loud")
except ValueError as e:
    print("ValueError:", e)
