# class: resource-recursion
# source: pyfence guard review
# goal: JSONDecoder().raw_decode/scan_once on deep arrays
# expect: limit

import json
json.JSONDecoder().raw_decode('[' * 200000 + ']' * 200000)
