"""Name registries for classes users create by name (MXNet 1.x's ``mxnet.registry``).

``mx.init``, ``mx.metric`` and ``mx.optimizer`` each keep one registry keyed on their base
class. Names are case-insensitive (stored lower-cased); registering another class under a taken
name warns and overrides; an unknown name raises ValueError listing the registered ones."""
from __future__ import annotations

import json
import warnings

from .base import string_types  # noqa: F401  (MXNet's registry exports it)

__all__ = ["get_alias_func", "get_create_func", "get_register_func", "get_registry", "lookup", "string_types"]

_REGISTRY: dict[type, dict[str, type]] = {}


def _registry(base_class: type) -> dict[str, type]:
    """The live name -> class dict of base_class."""
    return _REGISTRY.setdefault(base_class, {})


def get_registry(base_class: type) -> dict[str, type]:
    """A copy of the classes registered under base_class, by lower-cased name."""
    return dict(_registry(base_class))


def get_register_func(base_class: type, nickname: str):
    """``register(klass, name=None)``: registers a subclass of base_class under name (default:
    its class name), lower-cased; usable as a class decorator."""
    registry = _registry(base_class)

    def register(klass: type, name: str | None = None) -> type:
        if not (isinstance(klass, type) and issubclass(klass, base_class)):
            raise TypeError(f"Can only register subclasses of {base_class.__name__}, got {klass!r}")
        key = (name or klass.__name__).lower()
        old = registry.get(key)
        if old is not None and old is not klass:
            warnings.warn(f"New {nickname} {klass.__module__}.{klass.__name__} registered with name {key} is "
                          f"overriding existing {nickname} {old.__module__}.{old.__name__}", UserWarning,
                          stacklevel=2)
        registry[key] = klass
        return klass

    register.__doc__ = f"Registers a {base_class.__name__} subclass by name for create()."
    return register


def get_alias_func(base_class: type, nickname: str):
    """``alias(*names)``: a class decorator registering the class under each of names too."""
    register = get_register_func(base_class, nickname)

    def alias(*aliases: str):
        def reg(klass: type) -> type:
            for name in aliases:
                register(klass, name)
            return klass
        return reg

    alias.__doc__ = f"Class decorator registering a {base_class.__name__} under extra names: @alias('a', 'b')."
    return alias


def lookup(base_class: type, nickname: str, name: str) -> type:
    """The class registered under name (any case); ValueError listing the names when none is."""
    registry = _registry(base_class)
    klass = registry.get(name.lower())
    if klass is None:
        raise ValueError(f"Cannot find {nickname} {name}; registered {nickname}s: {', '.join(sorted(registry))}")
    return klass


def get_create_func(base_class: type, nickname: str):
    """``create(x, *args, **kwargs)``: an instance of base_class from x, which is an instance
    (returned as is), a registered name (the class is built with args and kwargs), a
    ``'["name", {kwargs}]'`` string (what ``dumps()`` writes), a JSON object string or a dict
    (keyword arguments, the name under the key nickname). x may also be passed as nickname=x."""

    def create(*args, **kwargs):
        if args:
            name, args = args[0], args[1:]
        elif nickname in kwargs:
            name = kwargs.pop(nickname)
        else:
            raise TypeError(f"create() needs a {nickname} name, instance or JSON string")
        if isinstance(name, base_class):
            if args or kwargs:
                raise ValueError(f"{nickname} is already an instance. Additional arguments are invalid")
            return name
        if isinstance(name, dict):
            return create(**name)
        if not isinstance(name, str):
            raise TypeError(f"{nickname} must be a name, a {base_class.__name__}, a dict or a JSON string, "
                            f"got {type(name).__name__}")
        if name.startswith(("[", "{")):
            if args or kwargs:
                raise ValueError(f"a JSON {nickname} string takes no further arguments")
            if name.startswith("["):
                name, kwargs = json.loads(name)
                return create(name, **kwargs)
            return create(**json.loads(name))
        return lookup(base_class, nickname, name)(*args, **kwargs)

    create.__doc__ = f"Creates a {base_class.__name__} from a name, an instance, a dict or a JSON string."
    return create
