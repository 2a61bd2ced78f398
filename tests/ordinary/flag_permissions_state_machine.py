from enum import Flag, IntFlag, Enum, auto, unique, verify, UNIQUE, CONTINUOUS, member, nonmember
from collections import defaultdict

class Perm(Flag):
    READ = auto()
    WRITE = auto()
    EXEC = auto()
    DELETE = auto()
    RW = READ | WRITE
    ALL = READ | WRITE | EXEC | DELETE
    def __str__(self):
        return "+".join(m.name.lower() for m in self) or "none"

roles = {"guest": Perm.READ, "editor": Perm.RW, "admin": Perm.ALL, "runner": Perm.READ | Perm.EXEC}
for role, perms in roles.items():
    print(f"{role:<7} {str(perms):<24} len={len(perms)} write={Perm.WRITE in perms} value={perms.value}")
print(Perm.ALL & ~Perm.DELETE, Perm(0), bool(Perm(0)), Perm(5), list(Perm), Perm.RW.name, (Perm.READ | Perm.EXEC).name)
print(Perm.RW in Perm.ALL, Perm.ALL ^ Perm.RW, [m.name for m in Perm.__members__.values()])

class Mode(IntFlag):
    R = 4
    W = 2
    X = 1

def octal(*modes):
    return "".join(str(int(m)) for m in modes)

print(Mode.R | Mode.W, int(Mode.R | Mode.X), octal(Mode.R | Mode.W | Mode.X, Mode.R | Mode.X, Mode.R), Mode(6) & 2, Mode.W + 1)

@verify(UNIQUE, CONTINUOUS)
class Stage(Enum):
    DRAFT = 1
    REVIEW = 2
    PUBLISHED = 3
    ARCHIVED = 4
    transitions = nonmember({1: (2,), 2: (1, 3), 3: (4,), 4: ()})
    def can_go(self, other):
        return other.value in self.transitions[self.value]
    @property
    def label(self):
        return self.name.title()

class Doc:
    def __init__(self, title):
        self.title = title
        self.stage = Stage.DRAFT
        self.audit = []
    def move(self, target: Stage):
        if not self.stage.can_go(target):
            raise ValueError(f"{self.stage.label} -> {target.label} not allowed")
        self.audit.append((self.stage.name, target.name))
        self.stage = target
        return self

d = Doc("spec")
d.move(Stage.REVIEW).move(Stage.DRAFT).move(Stage.REVIEW).move(Stage.PUBLISHED)
try:
    d.move(Stage.DRAFT)
except ValueError as e:
    print("refused:", e)
print(d.stage, d.stage.label, d.audit, Stage.transitions[2], len(Stage))
try:
    @verify(CONTINUOUS)
    class Gappy(Enum):
        A = 1
        C = 3
except ValueError as e:
    print("verify:", str(e).split(":")[0])

class Op(Enum):
    ADD = member(lambda a, b: a + b)
    MUL = member(lambda a, b: a * b)
    def __call__(self, *args):
        return self.value(*args)

print(Op.ADD(2, 3), Op.MUL(4, 5), [o.name for o in Op])
by_count = defaultdict(list)
for role, perms in sorted(roles.items()):
    by_count[len(perms)].append(role)
print(dict(sorted(by_count.items())), Perm["WRITE"], Perm(3) is Perm.RW, Stage(3) > Stage(1) if False else Stage(3).value > 1)
