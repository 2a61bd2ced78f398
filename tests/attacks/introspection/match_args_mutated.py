# class: introspection
# source: pyfence red team, issue 8 item 2 (__match_args__ changed after the guard looked)
# goal: a value pattern's __eq__ rewrites __match_args__ before the class pattern runs
# expect: blocked
import random
class C(random.Random):
    __match_args__ = ("x",)
    x = 1
class V:
    def __eq__(self, other):
        try:
            setattr(C, "__match" + "_args__", ("_randbelow",))
        except Exception:
            pass
        return False
match C():
    case V():
        pass
    case C(f):
        print("ESCAPED" if callable(f) else "")
    case _:
        print("no match")
