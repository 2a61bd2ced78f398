# class: resource-recursion
# source: pyfence guard review (raw_decode's start read once for the check, once for the scanner)
# goal: an __index__ that says 0 to the depth check (a JSON string) and 1 to the scanner (deep arrays inside it); read once, the start finds the string, and the deep arrays that follow end at the limit as they must
# expect: limit

import json
class Start:
    asked = 0
    def __index__(self):
        Start.asked += 1
        return 0 if Start.asked == 1 else 1
text = '"' + "[" * 200000 + "]" * 200000 + '"'
found, end = json.JSONDecoder().raw_decode(text, Start())
assert type(found) is str and end == len(text), "the scanner did not start where the check looked"
json.JSONDecoder().raw_decode(text, 1)
