# class: introspection
# source: pyfence red team, issue 8 item 2 (__match_args__ looked up through a metaclass)
# goal: a metaclass __getattribute__ answers a harmless __match_args__ first, a private one later
# expect: blocked
import random
seen = []
class M(type):
    def __getattribute__(cls, name):
        if name == "__match_args__":
            seen.append(1)
            return ("x",) if len(seen) == 1 else ("_randbelow",)
        return type.__getattribute__(cls, name)
class C(random.Random, metaclass=M):
    x = 1
match C():
    case C(f):
        print("ESCAPED" if callable(f) else "")
    case _:
        print("no match")
