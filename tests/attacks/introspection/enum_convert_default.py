# class: introspection
# source: pyfence red team, issue 9 item 4 (private names on a metaclass are open), default policy
# goal: EnumType._convert_ copies any module's globals into enum members
# expect: blocked
import re
Enum = re.RegexFlag.mro()[5]
class E(Enum):
    pass
try:
    X = E._convert_("X", "sys", lambda n: n == "modules")
    print("ESCAPED" if "os" in X.modules.value else "")
except Exception as e:
    print(type(e).__name__, e)
