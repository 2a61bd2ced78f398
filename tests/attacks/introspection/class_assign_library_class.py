# class: introspection
# source: pyfence guard review
# goal: __class__ assignment turns a script object into a library instance
# expect: blocked

import json
class A:
    pass
a = A()
a.__class__ = json.JSONEncoder
print("ESCAPED")
