# class: network
# source: https://fetch.spec.whatwg.org/#forbidden-request-header
# goal: reach another virtual host through the script's own origin by spoofing Host
# expect: blocked

from pyfence import web
r = web.fetch("/", headers={"Host": "internal.example"})
print("ESCAPED", r.status)
