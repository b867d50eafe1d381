"""AppContext: settings, Output and a lazily built API client, shared by every command."""

from __future__ import annotations

import os
import random
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from mistral_cli import config, envtrust
from mistral_cli.errors import AuthError, UsageError
from mistral_cli.output import Output

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence
    from pathlib import Path

    from mistral_cli.api.client import ApiClient
    from mistral_cli.services.model_cards import Card
    from mistral_cli.services.models import ModelCache
    from mistral_cli.services.pricing import PriceTable


# What the CLI keeps in its folders (glob patterns): tightened to 0600 (folders 0700) if looser
DATA_STATE = ("conversations.sqlite3*", "history", "batch")
CACHE_STATE = ("*.json", "*.txt", "*.tmp")


class HasRoot(Protocol):
    """The part of typer.Context used here (context.py must not import typer)."""

    obj: Any

    def find_root(self) -> HasRoot:
        """The root command's context."""
        ...


@dataclass
class AppContext:
    """Everything a command needs; tests build one with a fake transport and pass it as obj."""

    settings: config.Settings
    out: Output = field(default_factory=Output)
    transport: Any = None  # an httpx.BaseTransport in tests; None means the network
    sleep: Callable[[float], None] = time.sleep
    rand: Callable[[], float] = random.random  # retry and poll jitter (tests inject)
    clock: Callable[[], float] = time.monotonic  # how long a wait has taken (tests inject)
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    _client: ApiClient | None = None
    _secured: set[Path] = field(default_factory=set, repr=False)  # state folders checked

    @property
    def debug(self) -> bool:
        """--debug or MISTRAL_DEBUG: tracebacks and a request log on stderr."""
        return self.settings.debug

    def client(self) -> ApiClient:
        """The API client, built on first use (so `config path` needs no key)."""
        if self._client is None:
            self._client = self._build_client()
        return self._client

    def _build_client(self) -> ApiClient:
        key = self.settings.api_key
        if key is None or not key.get_secret_value():
            raise AuthError(
                "no API key found.",
                hint=(
                    "set MISTRAL_API_KEY, put MISTRAL_API_KEY=... in a .env file here, "
                    "or run `mistral auth login`"
                ),
            )
        self._warn_if_exposed()
        return self.new_client(key.get_secret_value(), key_source=self.settings.source("api_key"))

    def _warn_if_exposed(self) -> None:
        from mistral_cli.services.auth import exposed_files

        for path in exposed_files(self.settings, config.config_file(self.environ)):
            self.out.warn(f"{path} holds the API key and others can read it; run: chmod 600 {path}")

    def new_client(self, api_key: str, *, key_source: str) -> ApiClient:
        """A client for a given key (`auth login` checks a key before saving it)."""
        from mistral_cli.api.client import ApiClient

        self._refuse_plain_http()
        return ApiClient(
            api_key=api_key,
            base_url=self.settings.base_url,
            timeout=self.settings.timeout,
            connect_timeout=self.settings.connect_timeout,
            total_timeout=self.settings.total_timeout,
            ca_bundle=self.settings.ca_bundle,
            max_retries=self.settings.max_retries,
            key_source=key_source,
            transport=self.transport,
            sleep=self.sleep,
            rand=self.rand,
            on_retry=self.out.notice,
            on_warning=self.out.warn,
            trace=self.out.debug if self.debug else None,
        )

    def _refuse_plain_http(self) -> None:
        """Exit 2 before any connection when the key would cross the network unencrypted."""
        host = envtrust.plain_http_host(self.settings.base_url)
        if host is None or self.settings.allow_http:
            return
        source = self.settings.source("base_url")
        raise UsageError(
            f"refusing to send the API key over plain http:// to {host} (base_url from {source})",
            hint=(
                f"use https://{host}, or set {envtrust.ALLOW_HTTP}=1 in the environment "
                "if the network between you and that host is trusted"
            ),
        )

    # ------------------------------------------------------------ directories

    def cache_dir(self) -> Path:
        """MISTRAL_CACHE_DIR, else platformdirs' user cache dir; private (see _private)."""
        return self._private(self.settings.folder("cache_dir"), CACHE_STATE)

    def data_dir(self) -> Path:
        """MISTRAL_DATA_DIR, else platformdirs' user data dir (history, conversations)."""
        return self._private(self.settings.folder("data_dir"), DATA_STATE)

    def _private(self, folder: Path, patterns: tuple[str, ...]) -> Path:
        """Once per run: the folder 0700 and our files in it 0600, each tightening said once.

        A folder that can't be made (read-only disk) is left to the writer to report.
        """
        from mistral_cli import fsio

        if folder not in self._secured:
            self._secured.add(folder)
            try:
                changed = fsio.private_state(folder, patterns)
            except OSError:
                changed = []
            for item in changed:
                self.out.warn(item.notice())
        return folder

    # ------------------------------------------------------------ models

    def model_cache(self) -> ModelCache:
        """The model-list cache for this server and key."""
        from mistral_cli.services.models import ModelCache

        key = self.settings.api_key
        return ModelCache.for_account(
            self.cache_dir(), self.settings.base_url, key.get_secret_value() if key else ""
        )

    def models(self, *, refresh: bool = False) -> list[Card]:
        """The model list (cached for a day)."""
        from mistral_cli.services import models as svc

        return svc.list_models(self.client, self.model_cache(), refresh=refresh)

    def resolve_model(self, name: str | None, *, default: str | None = None) -> str:
        """Resolve a -m value (or the configured default) to an id the API accepts.

        A fresh cache is read without pydantic (services/model_cards.py); a missing or stale
        one is fetched and saved as `models()` does.
        """
        from mistral_cli.services import model_names as svc

        check_model_flag(name)
        wanted = name or default or self.settings.model
        cards: Sequence[svc.Named] | None = self.model_cache().load()
        if cards is None:
            cards = self.models(refresh=True)
        try:
            resolved = svc.resolve(wanted, cards, self.settings.aliases)
        except svc.UnknownModel:
            cards = self.models(refresh=True)  # the cache may predate a new model
            resolved = svc.resolve(wanted, cards, self.settings.aliases)
        card = svc.find(resolved, cards)
        if card is not None and card.deprecation:
            replacement = card.deprecation_replacement_model or "a current model"
            self.out.warn(f"{resolved} is deprecated ({card.deprecation[:10]}); use {replacement}")
        if self.debug:
            self.out.debug(f"model {wanted!r} resolved to {resolved!r}")
        return resolved

    # ------------------------------------------------------------ prices

    def prices(self) -> PriceTable:
        """The shipped prices with the user's prices.toml (config directory) over them."""
        from mistral_cli.services import pricing

        return pricing.load(config.config_dir(self.environ))

    def close(self) -> None:
        """Release the client's connections."""
        if self._client is not None:
            self._client.close()


def check_model_flag(name: str | None) -> None:
    """`-m ''` (or only spaces) is a usage error (exit 2), never a silent fall back."""
    if name is not None and not name.strip():
        raise UsageError(
            "-m/--model is empty", hint="name a model; `mistral models list` shows them"
        )


def app_context(ctx: HasRoot, *, new_profile: bool = False) -> AppContext:
    """The AppContext for this invocation: given by a test, or built from flags and config.

    A --profile (or MISTRAL_PROFILE) the config file lacks is exit 2, except for the commands
    that create one (`new_profile`: `config set`, `auth login`).
    """
    root = ctx.find_root()
    if isinstance(root.obj, AppContext):
        if not new_profile:
            root.obj.settings.require_profile()
        return root.obj
    flags: dict[str, object | None] = dict(root.obj or {})
    settings = config.load(flags)
    if not new_profile:
        settings.require_profile()
    actx = AppContext(settings=settings, out=Output(raw=bool(flags.get("raw"))))
    for note in settings.notes:  # a .env skipped, or values of it skipped, and why
        actx.out.warn(note)
    root.obj = actx
    return actx
