from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from enum import Enum
from collections import namedtuple

class Dir(Enum):
    N = "north"
    S = "south"
    E = "east"
    W = "west"

@dataclass
class Player:
    name: str
    hp: int
    pos: tuple = (0, 0)

Item = namedtuple("Item", "name weight")

def command(line: str, player: Player) -> str:
    match line.split():
        case []:
            return "say something"
        case ["look"]:
            return f"{player.name} is at {player.pos}"
        case ["go", ("north" | "south" | "east" | "west") as d]:
            return f"going {Dir(d).name}"
        case ["go", *_]:
            return "go where?"
        case ["take", *items] if len(items) > 2:
            return f"too many: {len(items)}"
        case ["take", first, *rest]:
            return f"took {first}" + (f" and {', '.join(rest)}" if rest else "")
        case ["heal", amount] if amount.isdigit():
            player.hp = min(100, player.hp + int(amount))
            return f"hp now {player.hp}"
        case [verb, *_]:
            return f"unknown verb {verb!r}"

p = Player("ann", 70)
for line in ["", "look", "go north", "go up", "take key", "take a b", "take a b c", "heal 45", "heal lots", "dance now"]:
    print(f"{line!r:<14} {command(line, p)}")

def describe(event) -> str:
    match event:
        case {"type": "move", "dir": Dir() as d, **rest}:
            return f"move {d.value} extra={rest}"
        case {"type": "msg", "text": str(text)} if len(text) > 10:
            return f"long message ({len(text)})"
        case {"type": "msg", "text": str() as text}:
            return f"message {text!r}"
        case Player(name=n, hp=0):
            return f"{n} fainted"
        case Player(name=n, pos=(x, y)) if x == y:
            return f"{n} on the diagonal at {x}"
        case Item(name, w) if w > 10:
            return f"heavy {name}"
        case Item(name=name):
            return f"item {name}"
        case date(year=2024, month=m, day=d):
            return f"2024 date {m}/{d}"
        case Fraction(numerator=n, denominator=1):
            return f"whole fraction {n}"
        case complex(real=r, imag=i) if i:
            return f"complex {r}+{i}j"
        case int(n) | float(n) if n < 0:
            return f"negative {n}"
        case bool() | None:
            return f"flag {event}"
        case int() | float():
            return f"number {event}"
        case (a, b, *more):
            return f"sequence head={a!r},{b!r} rest={len(more)}"
        case Dir.N | Dir.S:
            return "vertical"
        case _:
            return f"other {type(event).__name__}"

events = [
    {"type": "move", "dir": Dir.E, "speed": 2}, {"type": "msg", "text": "hi"}, {"type": "msg", "text": "x" * 12},
    Player("bo", 0), Player("cy", 5, (3, 3)), Player("di", 5, (1, 2)), Item("anvil", 50), Item("feather", 0.1),
    date(2024, 2, 29), date(2023, 1, 1), Fraction(8, 4), Fraction(1, 3), 3 + 4j, -2.5, True, None, 7,
    (1, "a", 3, 4), [9, 8], Dir.S, Dir.W, "text",
]
for e in events:
    print(describe(e))
print(Player.__match_args__, Item.__match_args__, date.__match_args__ if hasattr(date, "__match_args__") else "-")
