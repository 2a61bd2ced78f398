# class: network
# source: SECURITY_MODEL.md §4 (XMLHttpRequest allowed with appropriate restrictions)
# goal: a synchronous XMLHttpRequest to another origin
# expect: blocked

from pyfence import web
x = web.XMLHttpRequest()
x.open("GET", "http://127.0.0.1:1/")
x.send()
print("ESCAPED", x.status)
