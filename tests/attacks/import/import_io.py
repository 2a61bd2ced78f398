# class: import
# source: pyfence guard review
# goal: import io (not on the allow-list)
# expect: blocked

import io
print("ESCAPED")
