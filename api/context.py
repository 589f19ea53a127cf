"""How a bounded context declares its HTTP side, once, in ``api/<context>/__init__.py``."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter


@dataclass(frozen=True)
class ContextHttp:
    name: str
    routers: tuple[APIRouter, ...]
