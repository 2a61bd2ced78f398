# class: js-bridge
# source: ../shared/corpus/README.md lesson 1 (a module carries its whole __dict__)
# goal: find sys (and so sys.modules['js']) through an allowed module's namespace
# expect: blocked

import json
sys = json.decoder.re.sys
js = sys.modules["js"]
js.Deno.readTextFileSync("/etc/passwd")
print("ESCAPED")
