# class: import
# source: pyfence guard review
# goal: import urllib.parse (not on the allow-list)
# expect: blocked

import urllib.parse
print("ESCAPED")
