# class: import
# source: pyfence guard review
# goal: json.decoder.re.sys after importing json.decoder
# expect: blocked

import json.decoder
print("ESCAPED" if json.decoder.re.sys else "")
