# class: import
# source: pyfence guard review
# goal: from json import decoder, then decoder.re.sys
# expect: blocked

from json import decoder
s = decoder.re.sys
print("ESCAPED" if s else "")
