# class: format-string
# source: https://github.com/zopefoundation/RestrictedPython/security/advisories/GHSA-hp3v-5vw7-fx9w
# goal: string.Formatter().get_field walks attributes (GHSA-hp3v-5vw7-fx9w)
# expect: blocked

import string
print("ESCAPED" if string.Formatter().format("{0.__class__}", 1) else "")
