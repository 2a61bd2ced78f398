# class: resource-recursion
# source: pyfence guard review (the depth check reads strings as the scanner does)
# goal: deep arrays whose strings hold escaped backslashes and escaped quotes, so a depth check that misreads escapes counts the brackets as inside strings
# expect: limit

import json
level = '["\\\\", "\\"]", "\\\\\\"[", '
json.loads(level * 100000 + "1" + "]" * 100000)
