# class: introspection
# source: pyfence red team, issue 8 item 2 (__match_args__ as a property on the metaclass)
# goal: a class pattern reads a private attribute natively through positional sub-patterns (the
#   target is a private helper of the guard's json.JSONDecoder stand-in, refused on any instance)
# expect: blocked
import json
class M(type):
    @property
    def __match_args__(cls):
        return ("_real",)
class C(json.JSONDecoder, metaclass=M):
    pass
match C():
    case C(x):
        print("ESCAPED" if callable(x) else "")
    case _:
        print("no match")
