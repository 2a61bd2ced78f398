# class: import
# source: pyfence guard review
# goal: import tempfile (not on the allow-list)
# expect: blocked

import tempfile
print("ESCAPED")
