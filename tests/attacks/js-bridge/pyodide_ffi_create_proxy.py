# class: js-bridge
# source: https://github.com/pydantic/pydantic-ai/issues/2332 (pyodide.ffi as a way into JavaScript)
# goal: reach JavaScript through pyodide.ffi
# expect: blocked

from pyodide.ffi import create_proxy, run_sync
print("ESCAPED", create_proxy, run_sync)
