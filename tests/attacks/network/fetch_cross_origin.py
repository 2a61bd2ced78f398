# class: network
# source: SECURITY_MODEL.md, "Network Requests Outside Origin"
# goal: an HTTP request to an origin the policy does not list
# expect: blocked

from pyfence import web
r = web.fetch("https://evil.example/data")
print("ESCAPED", r.status)
