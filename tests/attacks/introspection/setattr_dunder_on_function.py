# class: introspection
# source: pyfence guard review
# goal: setattr __code__/__globals__ on a script function
# expect: blocked

import json
def f():
    return 1
setattr(f, '__co' + 'de__', None)
print("ESCAPED")
