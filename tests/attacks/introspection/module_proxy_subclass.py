# class: introspection
# source: pyfence guard review
# goal: subclass the module proxy type to get at its target
# expect: blocked

import json
class X(type(json)):
    def peek(self):
        return vars(self)
print("ESCAPED")
