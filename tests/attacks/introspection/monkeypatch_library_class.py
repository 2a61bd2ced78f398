# class: introspection
# source: pyfence guard review
# goal: patch a library class so library code calls into the script with internals
# expect: blocked

import json
def d(self, o):
    return o
json.JSONEncoder.default = d
print("ESCAPED")
