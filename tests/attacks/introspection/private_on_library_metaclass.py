# class: introspection
# source: pyfence red team, issue 9 item 4 (private methods defined on a library metaclass)
# goal: a script enum's class reads EnumType's private helpers
# expect: blocked
import re
Enum = re.RegexFlag.mro()[5]
class E(Enum):
    A = 1
found = []
for n in ("_convert_", "_check_for_existing_members_", "_find_data_type_", "_get_mixins_"):
    try:
        found.append(getattr(E, n))
    except AttributeError:
        pass
print("ESCAPED" if found else "")
