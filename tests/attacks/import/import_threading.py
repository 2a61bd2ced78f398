# class: import
# source: pyfence guard review
# goal: import threading (not on the allow-list)
# expect: blocked

import threading
print("ESCAPED")
