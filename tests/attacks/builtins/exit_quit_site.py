# class: builtins
# source: https://github.com/jailctf/pyjailbreaker (get_builtins gadgets: exit/quit are _sitebuiltins.Quitter)
# goal: exit.__call__.__globals__ / exit.__self__ reach site/sys
# expect: blocked

c = getattr(exit, '__call__')
g = getattr(c, '__glob' + 'als__', None) or getattr(getattr(c, '__se' + 'lf__'), '__glob' + 'als__')
if 'sys' in g or '__builtins__' in g:
    print("ESCAPED")
