"""A name → item registry whose items are modules of one package, loaded on first use.

Entities and action types each live in a package where every module registers one item, so
adding an entity or an action type is adding one module.
"""

import importlib
import pkgutil
from collections.abc import Iterator
from typing import Generic, Protocol, TypeVar


class Named(Protocol):
    @property
    def name(self) -> str: ...


T = TypeVar("T", bound=Named)


class Registry(Generic[T]):
    def __init__(self, package: str, kind: str) -> None:
        self._package = package
        self._kind = kind
        self._items: dict[str, T] = {}
        self._loaded = False

    def register(self, item: T) -> T:
        if item.name in self._items:
            raise ValueError(f"{self._kind} {item.name!r} is registered twice")
        self._items[item.name] = item
        return item

    def _load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        package = importlib.import_module(self._package)
        for module in pkgutil.iter_modules(package.__path__):
            if not module.name.startswith("_"):
                importlib.import_module(f"{self._package}.{module.name}")

    def get(self, name: str) -> T:
        self._load()
        try:
            return self._items[name]
        except KeyError:
            known = ", ".join(self.names())
            raise KeyError(f"unknown {self._kind} {name!r}; known: {known}") from None

    def names(self) -> list[str]:
        self._load()
        return sorted(self._items)

    def __iter__(self) -> Iterator[T]:
        self._load()
        return iter([self._items[name] for name in sorted(self._items)])
