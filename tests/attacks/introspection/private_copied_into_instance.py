# class: introspection
# source: pyfence red team, issue 9 item 4 (a name in a script object's own dict is trusted)
# goal: put a library private method into a script instance's dict, then read it back by its private name
# expect: blocked
import re
Enum = re.RegexFlag.mro()[5]
class Holder:
    pass
h = Holder()
try:
    h.__dict__["_convert_"] = type(Enum).mro()[0].__dict__["_convert_"]
except Exception as e:
    print(type(e).__name__)
try:
    print("ESCAPED" if h._convert_ else "")
except Exception as e:
    print(type(e).__name__)
