# class: import
# source: pyfence guard review
# goal: import ast (not on the allow-list)
# expect: blocked

import ast
print("ESCAPED")
