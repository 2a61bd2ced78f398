"""str.format, str.format_map and string.Formatter without the attribute
walk in C: `"{0.__globals__}".format(f)` reads attributes by name, around
the guard. Templates with no attribute fields still use the real (C)
methods; the others go through a Formatter whose field lookups are the
guard's. The stand-in shares nothing with the real string.Formatter (no
base class, so no mro()/__bases__ path back to it)."""

import _string
import types

_str_format = str.format
_str_format_map = str.format_map
_split = _string.formatter_field_name_split
_parse = _string.formatter_parser


def walks_attributes(template, depth=2):
    """True when formatting `template` would read an attribute by name."""
    if "." not in template:
        return False
    for _, field, spec, _ in _parse(template):
        if field:
            _, rest = _split(field)
            for is_attr, _ in rest:
                if is_attr:
                    return True
        if spec and "{" in spec and depth > 0 and walks_attributes(spec, depth - 1):
            return True
    return False


def make_formatting(getattr_guarded, as_name, entry):
    """The stand-ins for one run; field attributes are read with `getattr_guarded`;
    `entry` makes each stand-in a guard entry point that fails closed."""

    class Formatter:
        """string.Formatter, with every field attribute read through the guard."""

        def format(self, format_string, /, *args, **kwargs):
            return self.vformat(format_string, args, kwargs)

        def vformat(self, format_string, args, kwargs):
            used_args = set()
            result, _ = self._vformat(format_string, args, kwargs, used_args, 2)
            self.check_unused_args(used_args, args, kwargs)
            return result

        def _vformat(self, format_string, args, kwargs, used_args, recursion_depth, auto_arg_index=0):
            if recursion_depth < 0:
                raise ValueError("Max string recursion exceeded")
            result = []
            for literal_text, field_name, format_spec, conversion in self.parse(format_string):
                if literal_text:
                    result.append(literal_text)
                if field_name is None:
                    continue
                field_first, _ = _split(field_name)
                if field_first == "":
                    if auto_arg_index is False:
                        raise ValueError("cannot switch from manual field specification to automatic field numbering")
                    field_name = str(auto_arg_index) + field_name
                    auto_arg_index += 1
                elif type(field_first) is int:
                    if auto_arg_index:
                        raise ValueError("cannot switch from automatic field numbering to manual field specification")
                    auto_arg_index = False
                obj, arg_used = self.get_field(field_name, args, kwargs)
                used_args.add(arg_used)
                obj = self.convert_field(obj, conversion)
                format_spec, auto_arg_index = self._vformat(
                    format_spec, args, kwargs, used_args, recursion_depth - 1, auto_arg_index=auto_arg_index)
                result.append(self.format_field(obj, format_spec))
            return "".join(result), auto_arg_index

        def get_value(self, key, args, kwargs):
            if type(key) is int:
                return args[key]
            return kwargs[key]

        def check_unused_args(self, used_args, args, kwargs):
            pass

        def format_field(self, value, format_spec):
            return format(value, format_spec)

        def convert_field(self, value, conversion):
            if conversion is None:
                return value
            if conversion == "s":
                return str(value)
            if conversion == "r":
                return repr(value)
            if conversion == "a":
                return ascii(value)
            raise ValueError(f"Unknown conversion specifier {conversion!s}")

        def parse(self, format_string):
            return _parse(format_string)

        def get_field(self, field_name, args, kwargs):
            first, rest = _split(field_name)
            obj = self.get_value(first, args, kwargs)
            for is_attr, key in rest:
                obj = getattr_guarded(obj, as_name(key)) if is_attr else obj[key]
            return obj, first

    Formatter.__module__ = "string"
    Formatter.__qualname__ = "Formatter"
    formatter = Formatter()

    @entry
    def format_with(template, args, kwargs):
        if walks_attributes(template):
            return formatter.vformat(template, args, kwargs)
        return _str_format(template, *args, **kwargs)

    @entry
    def format_map_with(template, mapping):
        if walks_attributes(template):
            return formatter.vformat(template, (), mapping)
        return _str_format_map(template, mapping)

    def bound(s, name):
        """What `s.format` / `s.format_map` read as."""
        template = str.__str__(s)
        if name == "format":
            def format(*args, **kwargs):
                return format_with(template, args, kwargs)
            return format

        def format_map(mapping):
            return format_map_with(template, mapping)
        return format_map

    def unbound_format(s, /, *args, **kwargs):
        if not issubclass(type(s), str):
            raise TypeError("descriptor 'format' for 'str' objects doesn't apply to a '%s' object" % type(s).__name__)
        return format_with(str.__str__(s), args, kwargs)

    def unbound_format_map(s, mapping):
        if not issubclass(type(s), str):
            raise TypeError("descriptor 'format_map' for 'str' objects doesn't apply to a '%s' object" % type(s).__name__)
        return format_map_with(str.__str__(s), mapping)

    return types.SimpleNamespace(
        Formatter=Formatter, bound=bound, format_with=format_with, format_map_with=format_map_with,
        unbound_format=unbound_format, unbound_format_map=unbound_format_map,
    )
