# class: registration
# source: pyfence red team, issue 9 item 4 (a name in a script object's own dict is trusted)
# goal: update_wrapper copies a library class's namespace into a script function
# policy: compute
# expect: blocked
import functools, re
Enum = re.RegexFlag.mro()[5]
def w(): pass
functools.update_wrapper(w, type(Enum))
try:
    conv = w._convert_
    print("ESCAPED" if conv is not None else "")
except Exception as e:
    print(type(e).__name__, e)
