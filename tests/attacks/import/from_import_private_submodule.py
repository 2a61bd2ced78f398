# class: import
# source: pyfence guard review
# goal: from re import _compiler falls back to sys.modules['re._compiler'] in IMPORT_FROM
# expect: blocked

from re import _compiler
print("ESCAPED" if _compiler else "")
