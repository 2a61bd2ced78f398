# class: frame-walk
# source: https://github.com/zopefoundation/RestrictedPython/security/advisories/GHSA-gmj9-h825-chq2
# goal: except* group members carry __traceback__ (GHSA-gmj9-h825-chq2)
# expect: blocked

try:
    raise ExceptionGroup("g", [ValueError(1)])
except* ValueError as eg:
    tb = getattr(eg.exceptions[0], '__trace' + 'back__')
    f = getattr(tb, 'tb_' + 'frame')
    print("ESCAPED")
