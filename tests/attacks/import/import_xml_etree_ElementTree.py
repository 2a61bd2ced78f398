# class: import
# source: pyfence guard review
# goal: import xml.etree.ElementTree (not on the allow-list)
# expect: blocked

import xml.etree.ElementTree
print("ESCAPED")
