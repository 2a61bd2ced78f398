# class: introspection
# source: pyfence red team, issue 8 item 2 (__match_args__ as a property on the metaclass)
# goal: a class pattern reads a private attribute natively through positional sub-patterns
# expect: blocked
import random
class M(type):
    @property
    def __match_args__(cls):
        return ("_randbelow",)
class C(random.Random, metaclass=M):
    pass
match C():
    case C(x):
        print("ESCAPED" if callable(x) else "")
    case _:
        print("no match")
