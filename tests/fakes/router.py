"""FakeMistral: the in-memory Mistral API behind both adapters (MockTransport, loopback server).

Routes live in FakeModule subclasses (chat.py, embeddings.py, catalog.py; later files, batch,
fine-tuning): decorate a method with `@route("POST", "/v1/chat/completions")` and the class
registers it when defined. Each FakeMistral creates one instance of every module on first use
(`fake.module(ChatFake)`), so state is per fake. Every JSON body is validated against the
official spec for the route's template (spec.py) before the handler runs.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from json import JSONDecodeError
from typing import TYPE_CHECKING, Any, Final, TypeVar

from tests.fakes import spec
from tests.fakes.faults import Fault, FaultMisuse, PendingFault
from tests.fakes.wire import (
    Chunk,
    Drop,
    FakeRequest,
    FakeResponse,
    Hang,
    Response,
    StreamResponse,
    api_error,
    json_response,
)

if TYPE_CHECKING:
    from tests.fakes.catalog import ModelCatalog
    from tests.fakes.chat import ChatFake
    from tests.fakes.embeddings import EmbeddingsFake

__all__ = [
    "TEST_API_KEY",
    "Chunk",
    "Drop",
    "FakeMistral",
    "FakeModule",
    "FakeRequest",
    "FakeResponse",
    "Fault",
    "Hang",
    "PathParams",
    "Response",
    "Route",
    "StreamResponse",
    "route",
]

TEST_API_KEY: Final = "sk-test-" + "0" * 32
PathParams = dict[str, str]
Handler = Callable[[Any, FakeRequest, PathParams], Response]
H = TypeVar("H", bound=Callable[..., Response])
M = TypeVar("M", bound="FakeModule")
_PENDING_ROUTES: dict[Callable[..., Response], tuple[str, str, bool]] = {}
_MADE: list[FakeMistral] = []  # every fake since the last made_fakes(): checked at teardown
_MADE_LOCK = threading.Lock()


def made_fakes() -> list[FakeMistral]:
    """Return, and forget, every FakeMistral made since the last call (fixture or by hand)."""
    with _MADE_LOCK:
        made = list(_MADE)
        _MADE.clear()
    return made


def route(method: str, template: str, *, validate: bool = True) -> Callable[[H], H]:
    """Mark a FakeModule method as the handler of `method template` (`{name}` = path parameter).

    `validate=False` skips the spec check (for routes the spec does not document).
    """

    def mark(handler: H) -> H:
        _PENDING_ROUTES[handler] = (method.upper(), template, validate)
        return handler

    return mark


@dataclass(frozen=True)
class Route:
    """A registered handler: which module class owns it, and how its path matches."""

    method: str
    template: str
    owner: type[FakeModule]
    handler: Handler
    validate: bool
    pattern: re.Pattern[str]

    @property
    def key(self) -> str:
        """Return "METHOD /template", the form `FakeMistral.inject` accepts."""
        return f"{self.method} {self.template}"


class _Registry:
    """Every route of every FakeModule subclass, shared by all fakes."""

    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], Route] = {}

    def add(self, owner: type[FakeModule], handler: Handler, spec_: tuple[str, str, bool]) -> None:
        method, template, validate = spec_
        if (method, template) in self.routes:
            raise ValueError(f"route {method} {template} is registered twice")
        regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template))
        pattern = re.compile(f"^{regex}$")
        self.routes[(method, template)] = Route(method, template, owner, handler, validate, pattern)

    def match(self, method: str, path: str) -> tuple[Route, PathParams] | int:
        """Return the route and its path parameters, or the status 404 / 405."""
        exact = self.routes.get((method, path))
        if exact is not None:
            return exact, {}
        status = 404
        for candidate in self.routes.values():
            matched = candidate.pattern.match(path)
            if matched is not None:
                if candidate.method == method:
                    return candidate, matched.groupdict()
                status = 405
        return status


ROUTES: Final = _Registry()


class FakeModule:
    """Base of a group of routes with per-fake state; subclasses register their `@route` methods."""

    def __init__(self, fake: FakeMistral) -> None:
        self.fake = fake

    def unused(self) -> list[str]:
        """What the test scripted and no request used (checked at teardown); override."""
        return []

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for attribute in vars(cls).values():
            pending = _PENDING_ROUTES.pop(attribute, None)
            if pending is not None:
                ROUTES.add(cls, attribute, pending)


class FakeMistral:
    """The fake API: auth, routing, spec validation, request log and scripted faults."""

    def __init__(self, api_key: str = TEST_API_KEY) -> None:
        self.api_key = api_key
        self.requests: list[FakeRequest] = []
        self.errors: list[BaseException] = []  # handler crashes and fault misuse, seen by teardown
        self.extra_headers: dict[str, str] = {}  # added to every response (e.g. rate-limit headers)
        self.validate = True  # False skips the spec check (~100-300 µs a request): benchmarks only
        self._faults: list[PendingFault] = []
        self._modules: dict[type[FakeModule], FakeModule] = {}
        self._lock = threading.Lock()
        with _MADE_LOCK:
            _MADE.append(self)

    # ------------------------------------------------------------ modules
    def module(self, module_type: type[M]) -> M:
        """Return this fake's instance of a module, creating it on first use."""
        found = self._modules.get(module_type)
        if found is None:
            with self._lock:
                found = self._modules.get(module_type) or module_type(self)
                self._modules[module_type] = found
        assert isinstance(found, module_type)
        return found

    @property
    def chat(self) -> ChatFake:
        """The chat completions module (scripted replies)."""
        from tests.fakes.chat import ChatFake

        return self.module(ChatFake)

    @property
    def embeddings(self) -> EmbeddingsFake:
        """The embeddings module (limits, recorded batches)."""
        from tests.fakes.embeddings import EmbeddingsFake

        return self.module(EmbeddingsFake)

    @property
    def models(self) -> ModelCatalog:
        """The model catalogue (cards, list shape)."""
        from tests.fakes.catalog import ModelCatalog

        return self.module(ModelCatalog)

    # ------------------------------------------------------------ faults
    def inject(self, route_key: str, fault: Fault, times: int = 1) -> None:
        """Script `fault` for the next `times` requests matching `route_key`.

        `route_key` is "METHOD /template" ("POST /v1/chat/completions"), "METHOD /concrete/path",
        or "*" for any route. Faults are consumed in the order they were scripted.
        """
        if route_key != "*" and not re.fullmatch(r"[A-Z]+ /\S*", route_key):
            raise ValueError(f"route must be 'METHOD /path' or '*', not {route_key!r}")
        if times < 1:
            raise ValueError("times must be at least 1")
        with self._lock:
            self._faults.append(PendingFault(route_key, fault, times))

    def unused_faults(self) -> list[PendingFault]:
        """Return the scripted faults no request consumed (yet)."""
        with self._lock:
            return list(self._faults)

    def assert_clean(self) -> None:
        """Fail when scripted faults or replies were never used or a handler crashed.

        Every test's teardown calls it on every fake the test made (tests/fakes/fixtures.py).
        """
        problems = [f"unused scripted fault: {pending}" for pending in self.unused_faults()]
        problems += [item for module in list(self._modules.values()) for item in module.unused()]
        problems += [f"fake error: {error!r}" for error in self.errors]
        assert not problems, "; ".join(problems)

    def _take_fault(self, found: Route, request: FakeRequest) -> Fault | None:
        if not self._faults:
            return None
        keys = ("*", found.key, request.route_key)
        with self._lock:
            for index, pending in enumerate(self._faults):
                if pending.route in keys:
                    if pending.times == 1:
                        del self._faults[index]
                    else:
                        self._faults[index] = PendingFault(
                            pending.route, pending.fault, pending.times - 1
                        )
                    return pending.fault
        return None

    # ------------------------------------------------------------ requests
    def requests_to(self, route_key: str) -> list[FakeRequest]:
        """Return the recorded requests whose "METHOD /path" equals `route_key`."""
        return [r for r in self.requests if r.route_key == route_key]

    def handle(self, request: FakeRequest) -> Response:
        """Answer one request; adapters call this and add nothing but framing."""
        request.request_id = os.urandom(16).hex()
        self.requests.append(request)
        try:
            response = self._dispatch(request)
        except Exception as error:  # a bug in a handler: record it, answer like a crashing server
            self.errors.append(error)
            response = json_response(500, {"detail": f"fake crashed: {error!r}"})
        return self._finish(request, response)

    def _dispatch(self, request: FakeRequest) -> Response:
        if request.headers.get("authorization") != f"Bearer {self.api_key}":
            return json_response(401, {"message": "Unauthorized", "request_id": request.request_id})
        matched = ROUTES.match(request.method, request.path)
        if isinstance(matched, int):
            detail = "Not Found" if matched == 404 else "Method Not Allowed"
            return json_response(matched, {"detail": detail, "request_id": request.request_id})
        found, params = matched
        fault = self._take_fault(found, request)
        request.fault = fault
        if fault is not None:
            early = fault.before(request)
            if early is not None:
                return early
        response = self._validated(found, request) or found.handler(
            self.module(found.owner), request, params
        )
        if fault is None:
            return response
        try:
            return fault.after(request, response)
        except FaultMisuse as error:
            self.errors.append(error)
            return response

    def _validated(self, found: Route, request: FakeRequest) -> FakeResponse | None:
        """Return a 422 when the body breaks the spec, else None."""
        if not (found.validate and self.validate):
            return None
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(spec.FORM_BODY):
            names = re.findall(
                rb'Content-Disposition: form-data; name="([^"]+)"', request.body, re.I
            )
            violations = spec.validate_form(
                found.method, found.template, {n.decode() for n in names}
            )
        else:
            try:
                body = request.json() if request.body else spec.NO_BODY
            except (JSONDecodeError, UnicodeDecodeError) as error:
                position = getattr(error, "pos", getattr(error, "start", 0))
                invalid: dict[str, object] = {
                    "type": "json_invalid",
                    "loc": ["body", position],
                    "msg": "JSON decode error",
                }
                return _unprocessable(request, [invalid])
            violations = spec.validate_request(found.method, found.template, body)
        if not violations:
            return None
        return _unprocessable(request, [violation.as_dict() for violation in violations])

    def _finish(self, request: FakeRequest, response: Response) -> Response:
        if isinstance(response, Hang):
            return response
        headers = {**self.extra_headers, **response.headers, "x-request-id": request.request_id}
        if isinstance(response, FakeResponse):
            return FakeResponse(response.status, headers, response.body)
        return StreamResponse(response.status, headers, response.parts)


def _unprocessable(request: FakeRequest, detail: list[dict[str, object]]) -> FakeResponse:
    return api_error(request, 422, {"detail": detail}, "invalid_request_error")


def now() -> int:
    """Return the current Unix time, as `created` fields carry it."""
    return int(time.time())
