# class: introspection
# source: pyfence guard review
# goal: object.__new__(type(module)) to forge a module proxy
# expect: blocked

import json
P = type(json)
p = object.__new__(P)
print("ESCAPED" if p.loads else "")
