# class: introspection
# source: pyfence red team, issue 8 item 2 (class patterns read attributes natively)
# goal: a private name in __match_args__ of a script subclass of a library class (since issue 15 a
#   method a library class defines is readable on the script's own instance, like a public one; the
#   private helpers of the guard's own stand-ins stay refused: json.JSONDecoder._real is the real decoder)
# expect: blocked
import json
class C(json.JSONDecoder):
    __match_args__ = ("_real",)
match C():
    case C(f):
        print("ESCAPED" if callable(f) else "")
    case _:
        print("no match")
