# class: introspection
# source: https://osv.dev/vulnerability/PYSEC-2024-186
# goal: AttributeError.obj leaks the object the lookup failed on (PYSEC-2024-186)
# expect: blocked

import random
try:
    random.Random().nope
except AttributeError as e:
    o = e.obj
    print("ESCAPED" if o is not None else "")
