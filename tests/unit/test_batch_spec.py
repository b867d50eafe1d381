"""What `batch create` checks locally is what the vendored API spec says."""

from __future__ import annotations

from typing import Any, get_args

from jsonschema import Draft202012Validator  # type: ignore[import-untyped]  # ships no stubs

from mistral_cli.api import chat_spec
from mistral_cli.api.schemas.batch import ENDPOINTS
from mistral_cli.commands.batch import _opts
from mistral_cli.services import batch, files
from mistral_cli.services.chat import batchfile
from tests.fakes.spec import PUBLIC_SPEC, load_spec


def schemas() -> dict[str, Any]:
    found: dict[str, Any] = load_spec(PUBLIC_SPEC)["components"]["schemas"]
    return found


def test_endpoints_are_the_specs() -> None:
    assert list(ENDPOINTS) == schemas()["ApiEndpoint"]["enum"]
    assert set(batch.CREATABLE) <= set(ENDPOINTS)
    assert _opts.CHAT == batchfile.CHAT == batch.CREATABLE[0]


def test_the_request_schema_is_the_specs_chat_request() -> None:
    request = schemas()["ChatCompletionRequest"]
    assert batchfile.REQUEST_SCHEMA["properties"] is chat_spec.FIELDS
    assert set(batchfile.REQUEST_SCHEMA["required"]) == set(request["required"])
    assert batchfile.REQUEST_SCHEMA["additionalProperties"] is request["additionalProperties"]
    Draft202012Validator.check_schema(batchfile.REQUEST_SCHEMA)


def test_job_limits_are_the_specs() -> None:
    create = schemas()["CreateBatchJobRequest"]["properties"]
    metadata = create["metadata"]["anyOf"][0]
    assert metadata["propertyNames"]["maxLength"] == batch.METADATA_KEY
    assert metadata["additionalProperties"]["maxLength"] == batch.METADATA_VALUE
    hours = create["timeout_hours"]
    option = get_args(_opts.HoursOpt)[1]
    assert (hours["minimum"], hours["maximum"]) == (option.min, option.max) == (1, 168)
    assert batchfile.MAX_FILE_BYTES == files.MAX_BYTES == 512 * 1024 * 1024
