from enum import Enum, IntEnum, Flag, auto, unique

@unique
class State(Enum):
    IDLE = auto()
    RUNNING = auto()
    DONE = auto()

    @property
    def active(self):
        return self is State.RUNNING

    @classmethod
    def _missing_(cls, value):
        if isinstance(value, str):
            for m in cls:
                if m.name.lower() == value.lower():
                    return m
        return None

class Priority(IntEnum):
    LOW = 1
    HIGH = 3

class Perm(Flag):
    R = auto()
    W = auto()
    X = auto()

print(list(State), State(2), State("done"), State.RUNNING.active)
print(list(State.__members__), State["IDLE"].value)
print(sorted([Priority.HIGH, Priority.LOW]), Priority.HIGH > 2, int(Priority.LOW))
rw = Perm.R | Perm.W
print(rw, Perm.W in rw, Perm.X in rw, [p.name for p in Perm])
Color = Enum("Color", "RED GREEN BLUE")
print(Color.GREEN, Color.GREEN.value, len(Color))
