# class: resource-recursion
# source: pyfence guard review
# goal: regex parser recursion on nested groups
# expect: limit

import re
re.compile('(' * 100000 + ')' * 100000)
