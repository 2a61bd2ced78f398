# class: resource-recursion
# source: pyfence guard review
# goal: json C scanner on deep objects
# expect: limit

import json
json.loads('{"a":' * 200000 + '1' + '}' * 200000)
