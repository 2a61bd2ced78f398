# class: import
# source: pyfence guard review
# goal: import codecs (not on the allow-list)
# expect: blocked

import codecs
print("ESCAPED")
