# class: import
# source: pyfence guard review
# goal: json.tool is a public submodule that imports argparse/os/sys with real builtins
# expect: blocked

import json.tool
m = json.tool
for n in ('argparse', 'sys', 'os'):
    try:
        if getattr(m, n, None) is not None:
            print("ESCAPED")
    except AttributeError:
        pass
