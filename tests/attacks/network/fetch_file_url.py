# class: network
# source: https://portswigger.net/web-security/ssrf (non-HTTP schemes)
# goal: read a host file through a file: URL
# expect: blocked

from pyfence import web
r = web.fetch("file:///etc/passwd")
print("ESCAPED", r.text())
