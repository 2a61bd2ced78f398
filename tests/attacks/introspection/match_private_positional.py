# class: introspection
# source: pyfence red team, issue 8 item 2 (class patterns read attributes natively)
# goal: a private name in __match_args__ of a script subclass of a library class
# expect: blocked
import random
class C(random.Random):
    __match_args__ = ("_randbelow",)
match C():
    case C(f):
        print("ESCAPED" if callable(f) else "")
    case _:
        print("no match")
