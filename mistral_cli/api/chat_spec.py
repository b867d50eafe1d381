"""ChatCompletionRequest, as the API spec describes it: each field's JSON Schema (generated).

Do not edit: written by scripts/gen-chat-schema from tests/fakes/spec/openapi-public-doc.yaml
(sha256 61436a496404607a7c27f7d2d45989bc51bd699d2106690fd6cc76a3a6c9b692).
tests/unit/test_chat_spec.py fails when this file drifts from the spec.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:  # the TypedDict is for mypy only: building it costs ~4 ms at import
    from typing import Literal, Required, TypedDict

# Each field of the request body, with its schema ($refs inlined, annotations left out).
FIELDS: Final[dict[str, dict[str, Any]]] = {
    "model": {
        "type": "string",
    },
    "temperature": {
        "anyOf": [
            {
                "type": "number",
                "maximum": 1.5,
                "minimum": 0,
            },
            {
                "type": "null",
            },
        ],
    },
    "top_p": {
        "anyOf": [
            {
                "exclusiveMinimum": 0,
                "type": "number",
                "maximum": 1,
            },
            {
                "type": "null",
            },
        ],
    },
    "max_tokens": {
        "anyOf": [
            {
                "type": "integer",
                "minimum": 0,
            },
            {
                "type": "null",
            },
        ],
    },
    "stream": {
        "type": "boolean",
    },
    "stop": {
        "anyOf": [
            {
                "type": "string",
            },
            {
                "type": "array",
                "items": {
                    "type": "string",
                },
            },
            {
                "type": "null",
            },
        ],
    },
    "random_seed": {
        "anyOf": [
            {
                "type": "integer",
                "minimum": 0,
            },
            {
                "type": "null",
            },
        ],
    },
    "metadata": {
        "anyOf": [
            {
                "type": "object",
                "additionalProperties": True,
            },
            {
                "type": "null",
            },
        ],
    },
    "messages": {
        "type": "array",
        "items": {
            "oneOf": [
                {
                    "type": "object",
                    "properties": {
                        "role": {
                            "type": "string",
                            "const": "system",
                        },
                        "content": {
                            "anyOf": [
                                {
                                    "type": "string",
                                },
                                {
                                    "type": "array",
                                    "items": {
                                        "oneOf": [
                                            {
                                                "type": "object",
                                                "properties": {
                                                    "type": {
                                                        "type": "string",
                                                        "const": "text",
                                                    },
                                                    "text": {
                                                        "type": "string",
                                                    },
                                                },
                                                "required": [
                                                    "text",
                                                ],
                                                "additionalProperties": False,
                                            },
                                            {
                                                "type": "object",
                                                "properties": {
                                                    "type": {
                                                        "type": "string",
                                                        "const": "thinking",
                                                    },
                                                    "thinking": {
                                                        "type": "array",
                                                        "items": {
                                                            "anyOf": [
                                                                {
                                                                    "type": "object",
                                                                    "properties": {
                                                                        "type": {
                                                                            "type": "string",
                                                                            "const": "text",
                                                                        },
                                                                        "text": {
                                                                            "type": "string",
                                                                        },
                                                                    },
                                                                    "required": [
                                                                        "text",
                                                                    ],
                                                                    "additionalProperties": False,
                                                                },
                                                                {
                                                                    "type": "object",
                                                                    "properties": {
                                                                        "type": {
                                                                            "type": "string",
                                                                            "const": "tool_reference",
                                                                        },
                                                                        "tool": {
                                                                            "anyOf": [
                                                                                {
                                                                                    "type": "string",
                                                                                    "enum": [
                                                                                        "web_search",
                                                                                        "web_search_premium",
                                                                                        "code_interpreter",
                                                                                        "image_generation",
                                                                                        "document_library",
                                                                                    ],
                                                                                },
                                                                                {
                                                                                    "type": "string",
                                                                                },
                                                                            ],
                                                                        },
                                                                        "title": {
                                                                            "type": "string",
                                                                        },
                                                                        "url": {
                                                                            "anyOf": [
                                                                                {
                                                                                    "type": "string",
                                                                                },
                                                                                {
                                                                                    "type": "null",
                                                                                },
                                                                            ],
                                                                        },
                                                                        "favicon": {
                                                                            "anyOf": [
                                                                                {
                                                                                    "type": "string",
                                                                                },
                                                                                {
                                                                                    "type": "null",
                                                                                },
                                                                            ],
                                                                        },
                                                                        "description": {
                                                                            "anyOf": [
                                                                                {
                                                                                    "type": "string",
                                                                                },
                                                                                {
                                                                                    "type": "null",
                                                                                },
                                                                            ],
                                                                        },
                                                                    },
                                                                    "required": [
                                                                        "tool",
                                                                        "title",
                                                                    ],
                                                                    "additionalProperties": False,
                                                                },
                                                                {
                                                                    "type": "object",
                                                                    "properties": {
                                                                        "type": {
                                                                            "type": "string",
                                                                            "const": "reference",
                                                                        },
                                                                        "reference_ids": {
                                                                            "type": "array",
                                                                            "items": {
                                                                                "anyOf": [
                                                                                    {
                                                                                        "type": "integer",
                                                                                    },
                                                                                    {
                                                                                        "type": "string",
                                                                                    },
                                                                                ],
                                                                            },
                                                                        },
                                                                    },
                                                                    "required": [
                                                                        "reference_ids",
                                                                    ],
                                                                    "additionalProperties": False,
                                                                },
                                                            ],
                                                        },
                                                    },
                                                    "signature": {
                                                        "anyOf": [
                                                            {
                                                                "type": "string",
                                                            },
                                                            {
                                                                "type": "null",
                                                            },
                                                        ],
                                                    },
                                                    "closed": {
                                                        "type": "boolean",
                                                    },
                                                },
                                                "required": [
                                                    "thinking",
                                                ],
                                                "additionalProperties": False,
                                            },
                                        ],
                                    },
                                },
                            ],
                        },
                    },
                    "required": [
                        "content",
                    ],
                    "additionalProperties": False,
                },
                {
                    "type": "object",
                    "properties": {
                        "role": {
                            "type": "string",
                            "const": "user",
                        },
                        "content": {
                            "anyOf": [
                                {
                                    "type": "string",
                                },
                                {
                                    "type": "null",
                                },
                                {
                                    "type": "array",
                                    "items": {
                                        "oneOf": [
                                            {
                                                "type": "object",
                                                "properties": {
                                                    "type": {
                                                        "type": "string",
                                                        "const": "text",
                                                    },
                                                    "text": {
                                                        "type": "string",
                                                    },
                                                },
                                                "required": [
                                                    "text",
                                                ],
                                                "additionalProperties": False,
                                            },
                                            {
                                                "type": "object",
                                                "properties": {
                                                    "type": {
                                                        "type": "string",
                                                        "const": "image_url",
                                                    },
                                                    "image_url": {
                                                        "anyOf": [
                                                            {
                                                                "type": "object",
                                                                "properties": {
                                                                    "url": {
                                                                        "type": "string",
                                                                    },
                                                                    "detail": {
                                                                        "anyOf": [
                                                                            {
                                                                                "type": "string",
                                                                                "enum": [
                                                                                    "low",
                                                                                    "auto",
                                                                                    "high",
                                                                                ],
                                                                            },
                                                                            {
                                                                                "type": "null",
                                                                            },
                                                                        ],
                                                                    },
                                                                },
                                                                "required": [
                                                                    "url",
                                                                ],
                                                                "additionalProperties": False,
                                                            },
                                                            {
                                                                "type": "string",
                                                            },
                                                        ],
                                                    },
                                                },
                                                "required": [
                                                    "image_url",
                                                ],
                                                "additionalProperties": False,
                                            },
                                            {
                                                "type": "object",
                                                "properties": {
                                                    "type": {
                                                        "type": "string",
                                                        "const": "document_url",
                                                    },
                                                    "document_url": {
                                                        "type": "string",
                                                    },
                                                    "document_name": {
                                                        "anyOf": [
                                                            {
                                                                "type": "string",
                                                            },
                                                            {
                                                                "type": "null",
                                                            },
                                                        ],
                                                    },
                                                },
                                                "required": [
                                                    "document_url",
                                                ],
                                                "additionalProperties": False,
                                            },
                                            {
                                                "type": "object",
                                                "properties": {
                                                    "type": {
                                                        "type": "string",
                                                        "const": "reference",
                                                    },
                                                    "reference_ids": {
                                                        "type": "array",
                                                        "items": {
                                                            "anyOf": [
                                                                {
                                                                    "type": "integer",
                                                                },
                                                                {
                                                                    "type": "string",
                                                                },
                                                            ],
                                                        },
                                                    },
                                                },
                                                "required": [
                                                    "reference_ids",
                                                ],
                                                "additionalProperties": False,
                                            },
                                            {
                                                "type": "object",
                                                "properties": {
                                                    "type": {
                                                        "type": "string",
                                                        "const": "file",
                                                    },
                                                    "file_id": {
                                                        "type": "string",
                                                        "format": "uuid",
                                                    },
                                                },
                                                "required": [
                                                    "file_id",
                                                ],
                                                "additionalProperties": False,
                                            },
                                            {
                                                "type": "object",
                                                "properties": {
                                                    "type": {
                                                        "type": "string",
                                                        "const": "thinking",
                                                    },
                                                    "thinking": {
                                                        "type": "array",
                                                        "items": {
                                                            "anyOf": [
                                                                {
                                                                    "type": "object",
                                                                    "properties": {
                                                                        "type": {
                                                                            "type": "string",
                                                                            "const": "text",
                                                                        },
                                                                        "text": {
                                                                            "type": "string",
                                                                        },
                                                                    },
                                                                    "required": [
                                                                        "text",
                                                                    ],
                                                                    "additionalProperties": False,
                                                                },
                                                                {
                                                                    "type": "object",
                                                                    "properties": {
                                                                        "type": {
                                                                            "type": "string",
                                                                            "const": "tool_reference",
                                                                        },
                                                                        "tool": {
                                                                            "anyOf": [
                                                                                {
                                                                                    "type": "string",
                                                                                    "enum": [
                                                                                        "web_search",
                                                                                        "web_search_premium",
                                                                                        "code_interpreter",
                                                                                        "image_generation",
                                                                                        "document_library",
                                                                                    ],
                                                                                },
                                                                                {
                                                                                    "type": "string",
                                                                                },
                                                                            ],
                                                                        },
                                                                        "title": {
                                                                            "type": "string",
                                                                        },
                                                                        "url": {
                                                                            "anyOf": [
                                                                                {
                                                                                    "type": "string",
                                                                                },
                                                                                {
                                                                                    "type": "null",
                                                                                },
                                                                            ],
                                                                        },
                                                                        "favicon": {
                                                                            "anyOf": [
                                                                                {
                                                                                    "type": "string",
                                                                                },
                                                                                {
                                                                                    "type": "null",
                                                                                },
                                                                            ],
                                                                        },
                                                                        "description": {
                                                                            "anyOf": [
                                                                                {
                                                                                    "type": "string",
                                                                                },
                                                                                {
                                                                                    "type": "null",
                                                                                },
                                                                            ],
                                                                        },
                                                                    },
                                                                    "required": [
                                                                        "tool",
                                                                        "title",
                                                                    ],
                                                                    "additionalProperties": False,
                                                                },
                                                                {
                                                                    "type": "object",
                                                                    "properties": {
                                                                        "type": {
                                                                            "type": "string",
                                                                            "const": "reference",
                                                                        },
                                                                        "reference_ids": {
                                                                            "type": "array",
                                                                            "items": {
                                                                                "anyOf": [
                                                                                    {
                                                                                        "type": "integer",
                                                                                    },
                                                                                    {
                                                                                        "type": "string",
                                                                                    },
                                                                                ],
                                                                            },
                                                                        },
                                                                    },
                                                                    "required": [
                                                                        "reference_ids",
                                                                    ],
                                                                    "additionalProperties": False,
                                                                },
                                                            ],
                                                        },
                                                    },
                                                    "signature": {
                                                        "anyOf": [
                                                            {
                                                                "type": "string",
                                                            },
                                                            {
                                                                "type": "null",
                                                            },
                                                        ],
                                                    },
                                                    "closed": {
                                                        "type": "boolean",
                                                    },
                                                },
                                                "required": [
                                                    "thinking",
                                                ],
                                                "additionalProperties": False,
                                            },
                                            {
                                                "type": "object",
                                                "properties": {
                                                    "type": {
                                                        "type": "string",
                                                        "const": "input_audio",
                                                    },
                                                    "input_audio": {
                                                        "anyOf": [
                                                            {
                                                                "type": "string",
                                                            },
                                                            {
                                                                "type": "string",
                                                                "format": "binary",
                                                            },
                                                        ],
                                                    },
                                                },
                                                "required": [
                                                    "input_audio",
                                                ],
                                                "additionalProperties": False,
                                            },
                                        ],
                                    },
                                },
                            ],
                        },
                    },
                    "required": [
                        "content",
                    ],
                    "additionalProperties": False,
                },
                {
                    "type": "object",
                    "properties": {
                        "role": {
                            "type": "string",
                            "const": "assistant",
                        },
                        "content": {
                            "anyOf": [
                                {
                                    "type": "string",
                                },
                                {
                                    "type": "null",
                                },
                                {
                                    "type": "array",
                                    "items": {
                                        "oneOf": [
                                            {
                                                "type": "object",
                                                "properties": {
                                                    "type": {
                                                        "type": "string",
                                                        "const": "text",
                                                    },
                                                    "text": {
                                                        "type": "string",
                                                    },
                                                },
                                                "required": [
                                                    "text",
                                                ],
                                                "additionalProperties": False,
                                            },
                                            {
                                                "type": "object",
                                                "properties": {
                                                    "type": {
                                                        "type": "string",
                                                        "const": "image_url",
                                                    },
                                                    "image_url": {
                                                        "anyOf": [
                                                            {
                                                                "type": "object",
                                                                "properties": {
                                                                    "url": {
                                                                        "type": "string",
                                                                    },
                                                                    "detail": {
                                                                        "anyOf": [
                                                                            {
                                                                                "type": "string",
                                                                                "enum": [
                                                                                    "low",
                                                                                    "auto",
                                                                                    "high",
                                                                                ],
                                                                            },
                                                                            {
                                                                                "type": "null",
                                                                            },
                                                                        ],
                                                                    },
                                                                },
                                                                "required": [
                                                                    "url",
                                                                ],
                                                                "additionalProperties": False,
                                                            },
                                                            {
                                                                "type": "string",
                                                            },
                                                        ],
                                                    },
                                                },
                                                "required": [
                                                    "image_url",
                                                ],
                                                "additionalProperties": False,
                                            },
                                            {
                                                "type": "object",
                                                "properties": {
                                                    "type": {
                                                        "type": "string",
                                                        "const": "document_url",
                                                    },
                                                    "document_url": {
                                                        "type": "string",
                                                    },
                                                    "document_name": {
                                                        "anyOf": [
                                                            {
                                                                "type": "string",
                                                            },
                                                            {
                                                                "type": "null",
                                                            },
                                                        ],
                                                    },
                                                },
                                                "required": [
                                                    "document_url",
                                                ],
                                                "additionalProperties": False,
                                            },
                                            {
                                                "type": "object",
                                                "properties": {
                                                    "type": {
                                                        "type": "string",
                                                        "const": "reference",
                                                    },
                                                    "reference_ids": {
                                                        "type": "array",
                                                        "items": {
                                                            "anyOf": [
                                                                {
                                                                    "type": "integer",
                                                                },
                                                                {
                                                                    "type": "string",
                                                                },
                                                            ],
                                                        },
                                                    },
                                                },
                                                "required": [
                                                    "reference_ids",
                                                ],
                                                "additionalProperties": False,
                                            },
                                            {
                                                "type": "object",
                                                "properties": {
                                                    "type": {
                                                        "type": "string",
                                                        "const": "file",
                                                    },
                                                    "file_id": {
                                                        "type": "string",
                                                        "format": "uuid",
                                                    },
                                                },
                                                "required": [
                                                    "file_id",
                                                ],
                                                "additionalProperties": False,
                                            },
                                            {
                                                "type": "object",
                                                "properties": {
                                                    "type": {
                                                        "type": "string",
                                                        "const": "thinking",
                                                    },
                                                    "thinking": {
                                                        "type": "array",
                                                        "items": {
                                                            "anyOf": [
                                                                {
                                                                    "type": "object",
                                                                    "properties": {
                                                                        "type": {
                                                                            "type": "string",
                                                                            "const": "text",
                                                                        },
                                                                        "text": {
                                                                            "type": "string",
                                                                        },
                                                                    },
                                                                    "required": [
                                                                        "text",
                                                                    ],
                                                                    "additionalProperties": False,
                                                                },
                                                                {
                                                                    "type": "object",
                                                                    "properties": {
                                                                        "type": {
                                                                            "type": "string",
                                                                            "const": "tool_reference",
                                                                        },
                                                                        "tool": {
                                                                            "anyOf": [
                                                                                {
                                                                                    "type": "string",
                                                                                    "enum": [
                                                                                        "web_search",
                                                                                        "web_search_premium",
                                                                                        "code_interpreter",
                                                                                        "image_generation",
                                                                                        "document_library",
                                                                                    ],
                                                                                },
                                                                                {
                                                                                    "type": "string",
                                                                                },
                                                                            ],
                                                                        },
                                                                        "title": {
                                                                            "type": "string",
                                                                        },
                                                                        "url": {
                                                                            "anyOf": [
                                                                                {
                                                                                    "type": "string",
                                                                                },
                                                                                {
                                                                                    "type": "null",
                                                                                },
                                                                            ],
                                                                        },
                                                                        "favicon": {
                                                                            "anyOf": [
                                                                                {
                                                                                    "type": "string",
                                                                                },
                                                                                {
                                                                                    "type": "null",
                                                                                },
                                                                            ],
                                                                        },
                                                                        "description": {
                                                                            "anyOf": [
                                                                                {
                                                                                    "type": "string",
                                                                                },
                                                                                {
                                                                                    "type": "null",
                                                                                },
                                                                            ],
                                                                        },
                                                                    },
                                                                    "required": [
                                                                        "tool",
                                                                        "title",
                                                                    ],
                                                                    "additionalProperties": False,
                                                                },
                                                                {
                                                                    "type": "object",
                                                                    "properties": {
                                                                        "type": {
                                                                            "type": "string",
                                                                            "const": "reference",
                                                                        },
                                                                        "reference_ids": {
                                                                            "type": "array",
                                                                            "items": {
                                                                                "anyOf": [
                                                                                    {
                                                                                        "type": "integer",
                                                                                    },
                                                                                    {
                                                                                        "type": "string",
                                                                                    },
                                                                                ],
                                                                            },
                                                                        },
                                                                    },
                                                                    "required": [
                                                                        "reference_ids",
                                                                    ],
                                                                    "additionalProperties": False,
                                                                },
                                                            ],
                                                        },
                                                    },
                                                    "signature": {
                                                        "anyOf": [
                                                            {
                                                                "type": "string",
                                                            },
                                                            {
                                                                "type": "null",
                                                            },
                                                        ],
                                                    },
                                                    "closed": {
                                                        "type": "boolean",
                                                    },
                                                },
                                                "required": [
                                                    "thinking",
                                                ],
                                                "additionalProperties": False,
                                            },
                                            {
                                                "type": "object",
                                                "properties": {
                                                    "type": {
                                                        "type": "string",
                                                        "const": "input_audio",
                                                    },
                                                    "input_audio": {
                                                        "anyOf": [
                                                            {
                                                                "type": "string",
                                                            },
                                                            {
                                                                "type": "string",
                                                                "format": "binary",
                                                            },
                                                        ],
                                                    },
                                                },
                                                "required": [
                                                    "input_audio",
                                                ],
                                                "additionalProperties": False,
                                            },
                                        ],
                                    },
                                },
                            ],
                        },
                        "tool_calls": {
                            "anyOf": [
                                {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "properties": {
                                            "id": {
                                                "type": "string",
                                            },
                                            "type": {
                                                "type": "string",
                                                "enum": [
                                                    "function",
                                                ],
                                            },
                                            "function": {
                                                "type": "object",
                                                "properties": {
                                                    "name": {
                                                        "type": "string",
                                                    },
                                                    "arguments": {
                                                        "anyOf": [
                                                            {
                                                                "type": "object",
                                                                "additionalProperties": True,
                                                            },
                                                            {
                                                                "type": "string",
                                                            },
                                                        ],
                                                    },
                                                },
                                                "required": [
                                                    "name",
                                                    "arguments",
                                                ],
                                                "additionalProperties": False,
                                            },
                                            "index": {
                                                "type": "integer",
                                            },
                                        },
                                        "required": [
                                            "function",
                                        ],
                                        "additionalProperties": False,
                                    },
                                },
                                {
                                    "type": "null",
                                },
                            ],
                        },
                        "prefix": {
                            "type": "boolean",
                        },
                    },
                    "additionalProperties": False,
                },
                {
                    "type": "object",
                    "properties": {
                        "role": {
                            "type": "string",
                            "const": "tool",
                        },
                        "content": {
                            "anyOf": [
                                {
                                    "type": "string",
                                },
                                {
                                    "type": "null",
                                },
                                {
                                    "type": "array",
                                    "items": {
                                        "oneOf": [
                                            {
                                                "type": "object",
                                                "properties": {
                                                    "type": {
                                                        "type": "string",
                                                        "const": "text",
                                                    },
                                                    "text": {
                                                        "type": "string",
                                                    },
                                                },
                                                "required": [
                                                    "text",
                                                ],
                                                "additionalProperties": False,
                                            },
                                            {
                                                "type": "object",
                                                "properties": {
                                                    "type": {
                                                        "type": "string",
                                                        "const": "image_url",
                                                    },
                                                    "image_url": {
                                                        "anyOf": [
                                                            {
                                                                "type": "object",
                                                                "properties": {
                                                                    "url": {
                                                                        "type": "string",
                                                                    },
                                                                    "detail": {
                                                                        "anyOf": [
                                                                            {
                                                                                "type": "string",
                                                                                "enum": [
                                                                                    "low",
                                                                                    "auto",
                                                                                    "high",
                                                                                ],
                                                                            },
                                                                            {
                                                                                "type": "null",
                                                                            },
                                                                        ],
                                                                    },
                                                                },
                                                                "required": [
                                                                    "url",
                                                                ],
                                                                "additionalProperties": False,
                                                            },
                                                            {
                                                                "type": "string",
                                                            },
                                                        ],
                                                    },
                                                },
                                                "required": [
                                                    "image_url",
                                                ],
                                                "additionalProperties": False,
                                            },
                                            {
                                                "type": "object",
                                                "properties": {
                                                    "type": {
                                                        "type": "string",
                                                        "const": "document_url",
                                                    },
                                                    "document_url": {
                                                        "type": "string",
                                                    },
                                                    "document_name": {
                                                        "anyOf": [
                                                            {
                                                                "type": "string",
                                                            },
                                                            {
                                                                "type": "null",
                                                            },
                                                        ],
                                                    },
                                                },
                                                "required": [
                                                    "document_url",
                                                ],
                                                "additionalProperties": False,
                                            },
                                            {
                                                "type": "object",
                                                "properties": {
                                                    "type": {
                                                        "type": "string",
                                                        "const": "reference",
                                                    },
                                                    "reference_ids": {
                                                        "type": "array",
                                                        "items": {
                                                            "anyOf": [
                                                                {
                                                                    "type": "integer",
                                                                },
                                                                {
                                                                    "type": "string",
                                                                },
                                                            ],
                                                        },
                                                    },
                                                },
                                                "required": [
                                                    "reference_ids",
                                                ],
                                                "additionalProperties": False,
                                            },
                                            {
                                                "type": "object",
                                                "properties": {
                                                    "type": {
                                                        "type": "string",
                                                        "const": "file",
                                                    },
                                                    "file_id": {
                                                        "type": "string",
                                                        "format": "uuid",
                                                    },
                                                },
                                                "required": [
                                                    "file_id",
                                                ],
                                                "additionalProperties": False,
                                            },
                                            {
                                                "type": "object",
                                                "properties": {
                                                    "type": {
                                                        "type": "string",
                                                        "const": "thinking",
                                                    },
                                                    "thinking": {
                                                        "type": "array",
                                                        "items": {
                                                            "anyOf": [
                                                                {
                                                                    "type": "object",
                                                                    "properties": {
                                                                        "type": {
                                                                            "type": "string",
                                                                            "const": "text",
                                                                        },
                                                                        "text": {
                                                                            "type": "string",
                                                                        },
                                                                    },
                                                                    "required": [
                                                                        "text",
                                                                    ],
                                                                    "additionalProperties": False,
                                                                },
                                                                {
                                                                    "type": "object",
                                                                    "properties": {
                                                                        "type": {
                                                                            "type": "string",
                                                                            "const": "tool_reference",
                                                                        },
                                                                        "tool": {
                                                                            "anyOf": [
                                                                                {
                                                                                    "type": "string",
                                                                                    "enum": [
                                                                                        "web_search",
                                                                                        "web_search_premium",
                                                                                        "code_interpreter",
                                                                                        "image_generation",
                                                                                        "document_library",
                                                                                    ],
                                                                                },
                                                                                {
                                                                                    "type": "string",
                                                                                },
                                                                            ],
                                                                        },
                                                                        "title": {
                                                                            "type": "string",
                                                                        },
                                                                        "url": {
                                                                            "anyOf": [
                                                                                {
                                                                                    "type": "string",
                                                                                },
                                                                                {
                                                                                    "type": "null",
                                                                                },
                                                                            ],
                                                                        },
                                                                        "favicon": {
                                                                            "anyOf": [
                                                                                {
                                                                                    "type": "string",
                                                                                },
                                                                                {
                                                                                    "type": "null",
                                                                                },
                                                                            ],
                                                                        },
                                                                        "description": {
                                                                            "anyOf": [
                                                                                {
                                                                                    "type": "string",
                                                                                },
                                                                                {
                                                                                    "type": "null",
                                                                                },
                                                                            ],
                                                                        },
                                                                    },
                                                                    "required": [
                                                                        "tool",
                                                                        "title",
                                                                    ],
                                                                    "additionalProperties": False,
                                                                },
                                                                {
                                                                    "type": "object",
                                                                    "properties": {
                                                                        "type": {
                                                                            "type": "string",
                                                                            "const": "reference",
                                                                        },
                                                                        "reference_ids": {
                                                                            "type": "array",
                                                                            "items": {
                                                                                "anyOf": [
                                                                                    {
                                                                                        "type": "integer",
                                                                                    },
                                                                                    {
                                                                                        "type": "string",
                                                                                    },
                                                                                ],
                                                                            },
                                                                        },
                                                                    },
                                                                    "required": [
                                                                        "reference_ids",
                                                                    ],
                                                                    "additionalProperties": False,
                                                                },
                                                            ],
                                                        },
                                                    },
                                                    "signature": {
                                                        "anyOf": [
                                                            {
                                                                "type": "string",
                                                            },
                                                            {
                                                                "type": "null",
                                                            },
                                                        ],
                                                    },
                                                    "closed": {
                                                        "type": "boolean",
                                                    },
                                                },
                                                "required": [
                                                    "thinking",
                                                ],
                                                "additionalProperties": False,
                                            },
                                            {
                                                "type": "object",
                                                "properties": {
                                                    "type": {
                                                        "type": "string",
                                                        "const": "input_audio",
                                                    },
                                                    "input_audio": {
                                                        "anyOf": [
                                                            {
                                                                "type": "string",
                                                            },
                                                            {
                                                                "type": "string",
                                                                "format": "binary",
                                                            },
                                                        ],
                                                    },
                                                },
                                                "required": [
                                                    "input_audio",
                                                ],
                                                "additionalProperties": False,
                                            },
                                        ],
                                    },
                                },
                            ],
                        },
                        "tool_call_id": {
                            "anyOf": [
                                {
                                    "type": "string",
                                },
                                {
                                    "type": "null",
                                },
                            ],
                        },
                        "name": {
                            "anyOf": [
                                {
                                    "type": "string",
                                },
                                {
                                    "type": "null",
                                },
                            ],
                        },
                    },
                    "required": [
                        "content",
                    ],
                    "additionalProperties": False,
                },
            ],
        },
    },
    "response_format": {
        "type": "object",
        "properties": {
            "type": {
                "type": "string",
                "enum": [
                    "text",
                    "json_object",
                    "json_schema",
                ],
            },
            "json_schema": {
                "anyOf": [
                    {
                        "type": "object",
                        "properties": {
                            "name": {
                                "type": "string",
                            },
                            "description": {
                                "anyOf": [
                                    {
                                        "type": "string",
                                    },
                                    {
                                        "type": "null",
                                    },
                                ],
                            },
                            "schema": {
                                "type": "object",
                                "additionalProperties": True,
                            },
                            "strict": {
                                "type": "boolean",
                            },
                        },
                        "required": [
                            "name",
                            "schema",
                        ],
                        "additionalProperties": False,
                    },
                    {
                        "type": "null",
                    },
                ],
            },
        },
        "additionalProperties": False,
    },
    "tools": {
        "anyOf": [
            {
                "type": "array",
                "items": {
                    "oneOf": [
                        {
                            "type": "object",
                            "properties": {
                                "type": {
                                    "type": "string",
                                    "enum": [
                                        "function",
                                    ],
                                },
                                "function": {
                                    "type": "object",
                                    "properties": {
                                        "name": {
                                            "type": "string",
                                        },
                                        "description": {
                                            "type": "string",
                                        },
                                        "strict": {
                                            "type": "boolean",
                                        },
                                        "parameters": {
                                            "type": "object",
                                            "additionalProperties": True,
                                        },
                                    },
                                    "required": [
                                        "name",
                                        "parameters",
                                    ],
                                    "additionalProperties": False,
                                },
                            },
                            "required": [
                                "function",
                            ],
                            "additionalProperties": False,
                        },
                        {
                            "type": "object",
                            "properties": {
                                "tool_configuration": {
                                    "anyOf": [
                                        {
                                            "type": "object",
                                            "properties": {
                                                "exclude": {
                                                    "anyOf": [
                                                        {
                                                            "type": "array",
                                                            "items": {
                                                                "type": "string",
                                                            },
                                                        },
                                                        {
                                                            "type": "null",
                                                        },
                                                    ],
                                                },
                                                "include": {
                                                    "anyOf": [
                                                        {
                                                            "type": "array",
                                                            "items": {
                                                                "type": "string",
                                                            },
                                                        },
                                                        {
                                                            "type": "null",
                                                        },
                                                    ],
                                                },
                                                "requires_confirmation": {
                                                    "anyOf": [
                                                        {
                                                            "type": "array",
                                                            "items": {
                                                                "type": "string",
                                                            },
                                                        },
                                                        {
                                                            "type": "null",
                                                        },
                                                    ],
                                                },
                                            },
                                            "additionalProperties": False,
                                        },
                                        {
                                            "type": "null",
                                        },
                                    ],
                                },
                                "type": {
                                    "type": "string",
                                    "enum": [
                                        "web_search",
                                    ],
                                },
                            },
                            "additionalProperties": False,
                        },
                        {
                            "type": "object",
                            "properties": {
                                "tool_configuration": {
                                    "anyOf": [
                                        {
                                            "type": "object",
                                            "properties": {
                                                "exclude": {
                                                    "anyOf": [
                                                        {
                                                            "type": "array",
                                                            "items": {
                                                                "type": "string",
                                                            },
                                                        },
                                                        {
                                                            "type": "null",
                                                        },
                                                    ],
                                                },
                                                "include": {
                                                    "anyOf": [
                                                        {
                                                            "type": "array",
                                                            "items": {
                                                                "type": "string",
                                                            },
                                                        },
                                                        {
                                                            "type": "null",
                                                        },
                                                    ],
                                                },
                                                "requires_confirmation": {
                                                    "anyOf": [
                                                        {
                                                            "type": "array",
                                                            "items": {
                                                                "type": "string",
                                                            },
                                                        },
                                                        {
                                                            "type": "null",
                                                        },
                                                    ],
                                                },
                                            },
                                            "additionalProperties": False,
                                        },
                                        {
                                            "type": "null",
                                        },
                                    ],
                                },
                                "type": {
                                    "type": "string",
                                    "enum": [
                                        "web_search_premium",
                                    ],
                                },
                            },
                            "additionalProperties": False,
                        },
                        {
                            "type": "object",
                            "properties": {
                                "tool_configuration": {
                                    "anyOf": [
                                        {
                                            "type": "object",
                                            "properties": {
                                                "exclude": {
                                                    "anyOf": [
                                                        {
                                                            "type": "array",
                                                            "items": {
                                                                "type": "string",
                                                            },
                                                        },
                                                        {
                                                            "type": "null",
                                                        },
                                                    ],
                                                },
                                                "include": {
                                                    "anyOf": [
                                                        {
                                                            "type": "array",
                                                            "items": {
                                                                "type": "string",
                                                            },
                                                        },
                                                        {
                                                            "type": "null",
                                                        },
                                                    ],
                                                },
                                                "requires_confirmation": {
                                                    "anyOf": [
                                                        {
                                                            "type": "array",
                                                            "items": {
                                                                "type": "string",
                                                            },
                                                        },
                                                        {
                                                            "type": "null",
                                                        },
                                                    ],
                                                },
                                            },
                                            "additionalProperties": False,
                                        },
                                        {
                                            "type": "null",
                                        },
                                    ],
                                },
                                "type": {
                                    "type": "string",
                                    "enum": [
                                        "code_interpreter",
                                    ],
                                },
                            },
                            "additionalProperties": False,
                        },
                        {
                            "type": "object",
                            "properties": {
                                "tool_configuration": {
                                    "anyOf": [
                                        {
                                            "type": "object",
                                            "properties": {
                                                "exclude": {
                                                    "anyOf": [
                                                        {
                                                            "type": "array",
                                                            "items": {
                                                                "type": "string",
                                                            },
                                                        },
                                                        {
                                                            "type": "null",
                                                        },
                                                    ],
                                                },
                                                "include": {
                                                    "anyOf": [
                                                        {
                                                            "type": "array",
                                                            "items": {
                                                                "type": "string",
                                                            },
                                                        },
                                                        {
                                                            "type": "null",
                                                        },
                                                    ],
                                                },
                                                "requires_confirmation": {
                                                    "anyOf": [
                                                        {
                                                            "type": "array",
                                                            "items": {
                                                                "type": "string",
                                                            },
                                                        },
                                                        {
                                                            "type": "null",
                                                        },
                                                    ],
                                                },
                                            },
                                            "additionalProperties": False,
                                        },
                                        {
                                            "type": "null",
                                        },
                                    ],
                                },
                                "type": {
                                    "type": "string",
                                    "enum": [
                                        "image_generation",
                                    ],
                                },
                            },
                            "additionalProperties": False,
                        },
                        {
                            "type": "object",
                            "properties": {
                                "tool_configuration": {
                                    "anyOf": [
                                        {
                                            "type": "object",
                                            "properties": {
                                                "exclude": {
                                                    "anyOf": [
                                                        {
                                                            "type": "array",
                                                            "items": {
                                                                "type": "string",
                                                            },
                                                        },
                                                        {
                                                            "type": "null",
                                                        },
                                                    ],
                                                },
                                                "include": {
                                                    "anyOf": [
                                                        {
                                                            "type": "array",
                                                            "items": {
                                                                "type": "string",
                                                            },
                                                        },
                                                        {
                                                            "type": "null",
                                                        },
                                                    ],
                                                },
                                                "requires_confirmation": {
                                                    "anyOf": [
                                                        {
                                                            "type": "array",
                                                            "items": {
                                                                "type": "string",
                                                            },
                                                        },
                                                        {
                                                            "type": "null",
                                                        },
                                                    ],
                                                },
                                            },
                                            "additionalProperties": False,
                                        },
                                        {
                                            "type": "null",
                                        },
                                    ],
                                },
                                "type": {
                                    "type": "string",
                                    "enum": [
                                        "document_library",
                                    ],
                                },
                                "library_ids": {
                                    "type": "array",
                                    "items": {
                                        "type": "string",
                                    },
                                    "minItems": 1,
                                },
                            },
                            "required": [
                                "library_ids",
                            ],
                            "additionalProperties": False,
                        },
                        {
                            "type": "object",
                            "properties": {
                                "type": {
                                    "type": "string",
                                    "enum": [
                                        "connector",
                                    ],
                                },
                                "connector_id": {
                                    "type": "string",
                                },
                                "authorization": {
                                    "anyOf": [
                                        {
                                            "oneOf": [
                                                {
                                                    "type": "object",
                                                    "properties": {
                                                        "type": {
                                                            "type": "string",
                                                            "enum": [
                                                                "oauth2-token",
                                                            ],
                                                        },
                                                        "value": {
                                                            "type": "string",
                                                        },
                                                    },
                                                    "required": [
                                                        "value",
                                                    ],
                                                    "additionalProperties": False,
                                                },
                                                {
                                                    "type": "object",
                                                    "properties": {
                                                        "type": {
                                                            "type": "string",
                                                            "enum": [
                                                                "api-key",
                                                            ],
                                                        },
                                                        "value": {
                                                            "type": "string",
                                                        },
                                                    },
                                                    "required": [
                                                        "value",
                                                    ],
                                                    "additionalProperties": False,
                                                },
                                            ],
                                        },
                                        {
                                            "type": "null",
                                        },
                                    ],
                                },
                                "tool_configuration": {
                                    "anyOf": [
                                        {
                                            "type": "object",
                                            "properties": {
                                                "exclude": {
                                                    "anyOf": [
                                                        {
                                                            "type": "array",
                                                            "items": {
                                                                "type": "string",
                                                            },
                                                        },
                                                        {
                                                            "type": "null",
                                                        },
                                                    ],
                                                },
                                                "include": {
                                                    "anyOf": [
                                                        {
                                                            "type": "array",
                                                            "items": {
                                                                "type": "string",
                                                            },
                                                        },
                                                        {
                                                            "type": "null",
                                                        },
                                                    ],
                                                },
                                                "requires_confirmation": {
                                                    "anyOf": [
                                                        {
                                                            "type": "array",
                                                            "items": {
                                                                "type": "string",
                                                            },
                                                        },
                                                        {
                                                            "type": "null",
                                                        },
                                                    ],
                                                },
                                            },
                                            "additionalProperties": False,
                                        },
                                        {
                                            "type": "null",
                                        },
                                    ],
                                },
                            },
                            "required": [
                                "connector_id",
                            ],
                            "additionalProperties": False,
                        },
                    ],
                },
            },
            {
                "type": "null",
            },
        ],
    },
    "tool_choice": {
        "anyOf": [
            {
                "type": "object",
                "properties": {
                    "type": {
                        "type": "string",
                        "enum": [
                            "function",
                        ],
                    },
                    "function": {
                        "type": "object",
                        "properties": {
                            "name": {
                                "type": "string",
                            },
                        },
                        "required": [
                            "name",
                        ],
                        "additionalProperties": False,
                    },
                },
                "required": [
                    "function",
                ],
                "additionalProperties": False,
            },
            {
                "type": "string",
                "enum": [
                    "auto",
                    "none",
                    "any",
                    "required",
                ],
            },
        ],
    },
    "presence_penalty": {
        "anyOf": [
            {
                "type": "number",
                "maximum": 2,
                "minimum": -2,
            },
            {
                "type": "null",
            },
        ],
    },
    "frequency_penalty": {
        "anyOf": [
            {
                "type": "number",
                "maximum": 2,
                "minimum": -2,
            },
            {
                "type": "null",
            },
        ],
    },
    "n": {
        "anyOf": [
            {
                "type": "integer",
                "minimum": 1,
            },
            {
                "type": "null",
            },
        ],
    },
    "prediction": {
        "type": "object",
        "properties": {
            "type": {
                "type": "string",
                "const": "content",
            },
            "content": {
                "type": "string",
            },
        },
        "additionalProperties": False,
    },
    "parallel_tool_calls": {
        "type": "boolean",
    },
    "reasoning_effort": {
        "anyOf": [
            {
                "type": "string",
                "enum": [
                    "none",
                    "minimal",
                    "low",
                    "medium",
                    "high",
                    "xhigh",
                ],
            },
            {
                "type": "null",
            },
        ],
    },
    "prompt_mode": {
        "anyOf": [
            {
                "type": "string",
                "enum": [
                    "reasoning",
                ],
            },
            {
                "type": "null",
            },
        ],
    },
    "guardrails": {
        "anyOf": [
            {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "block_on_error": {
                            "type": "boolean",
                        },
                        "moderation_llm_v1": {
                            "anyOf": [
                                {
                                    "type": "object",
                                    "properties": {
                                        "model_name": {
                                            "type": "string",
                                        },
                                        "custom_category_thresholds": {
                                            "anyOf": [
                                                {
                                                    "type": "object",
                                                    "properties": {
                                                        "sexual": {
                                                            "anyOf": [
                                                                {
                                                                    "type": "number",
                                                                },
                                                                {
                                                                    "type": "null",
                                                                },
                                                            ],
                                                        },
                                                        "hate_and_discrimination": {
                                                            "anyOf": [
                                                                {
                                                                    "type": "number",
                                                                },
                                                                {
                                                                    "type": "null",
                                                                },
                                                            ],
                                                        },
                                                        "violence_and_threats": {
                                                            "anyOf": [
                                                                {
                                                                    "type": "number",
                                                                },
                                                                {
                                                                    "type": "null",
                                                                },
                                                            ],
                                                        },
                                                        "dangerous_and_criminal_content": {
                                                            "anyOf": [
                                                                {
                                                                    "type": "number",
                                                                },
                                                                {
                                                                    "type": "null",
                                                                },
                                                            ],
                                                        },
                                                        "selfharm": {
                                                            "anyOf": [
                                                                {
                                                                    "type": "number",
                                                                },
                                                                {
                                                                    "type": "null",
                                                                },
                                                            ],
                                                        },
                                                        "health": {
                                                            "anyOf": [
                                                                {
                                                                    "type": "number",
                                                                },
                                                                {
                                                                    "type": "null",
                                                                },
                                                            ],
                                                        },
                                                        "financial": {
                                                            "anyOf": [
                                                                {
                                                                    "type": "number",
                                                                },
                                                                {
                                                                    "type": "null",
                                                                },
                                                            ],
                                                        },
                                                        "law": {
                                                            "anyOf": [
                                                                {
                                                                    "type": "number",
                                                                },
                                                                {
                                                                    "type": "null",
                                                                },
                                                            ],
                                                        },
                                                        "pii": {
                                                            "anyOf": [
                                                                {
                                                                    "type": "number",
                                                                },
                                                                {
                                                                    "type": "null",
                                                                },
                                                            ],
                                                        },
                                                    },
                                                },
                                                {
                                                    "type": "null",
                                                },
                                            ],
                                        },
                                        "ignore_other_categories": {
                                            "type": "boolean",
                                        },
                                        "action": {
                                            "type": "string",
                                            "enum": [
                                                "none",
                                                "block",
                                            ],
                                        },
                                    },
                                },
                                {
                                    "type": "null",
                                },
                            ],
                        },
                        "moderation_llm_v2": {
                            "anyOf": [
                                {
                                    "type": "object",
                                    "properties": {
                                        "model_name": {
                                            "type": "string",
                                        },
                                        "custom_category_thresholds": {
                                            "anyOf": [
                                                {
                                                    "type": "object",
                                                    "properties": {
                                                        "sexual": {
                                                            "anyOf": [
                                                                {
                                                                    "type": "number",
                                                                },
                                                                {
                                                                    "type": "null",
                                                                },
                                                            ],
                                                        },
                                                        "hate_and_discrimination": {
                                                            "anyOf": [
                                                                {
                                                                    "type": "number",
                                                                },
                                                                {
                                                                    "type": "null",
                                                                },
                                                            ],
                                                        },
                                                        "violence_and_threats": {
                                                            "anyOf": [
                                                                {
                                                                    "type": "number",
                                                                },
                                                                {
                                                                    "type": "null",
                                                                },
                                                            ],
                                                        },
                                                        "dangerous": {
                                                            "anyOf": [
                                                                {
                                                                    "type": "number",
                                                                },
                                                                {
                                                                    "type": "null",
                                                                },
                                                            ],
                                                        },
                                                        "criminal": {
                                                            "anyOf": [
                                                                {
                                                                    "type": "number",
                                                                },
                                                                {
                                                                    "type": "null",
                                                                },
                                                            ],
                                                        },
                                                        "selfharm": {
                                                            "anyOf": [
                                                                {
                                                                    "type": "number",
                                                                },
                                                                {
                                                                    "type": "null",
                                                                },
                                                            ],
                                                        },
                                                        "health": {
                                                            "anyOf": [
                                                                {
                                                                    "type": "number",
                                                                },
                                                                {
                                                                    "type": "null",
                                                                },
                                                            ],
                                                        },
                                                        "financial": {
                                                            "anyOf": [
                                                                {
                                                                    "type": "number",
                                                                },
                                                                {
                                                                    "type": "null",
                                                                },
                                                            ],
                                                        },
                                                        "law": {
                                                            "anyOf": [
                                                                {
                                                                    "type": "number",
                                                                },
                                                                {
                                                                    "type": "null",
                                                                },
                                                            ],
                                                        },
                                                        "pii": {
                                                            "anyOf": [
                                                                {
                                                                    "type": "number",
                                                                },
                                                                {
                                                                    "type": "null",
                                                                },
                                                            ],
                                                        },
                                                        "jailbreaking": {
                                                            "anyOf": [
                                                                {
                                                                    "type": "number",
                                                                },
                                                                {
                                                                    "type": "null",
                                                                },
                                                            ],
                                                        },
                                                    },
                                                },
                                                {
                                                    "type": "null",
                                                },
                                            ],
                                        },
                                        "ignore_other_categories": {
                                            "type": "boolean",
                                        },
                                        "action": {
                                            "type": "string",
                                            "enum": [
                                                "none",
                                                "block",
                                            ],
                                        },
                                    },
                                },
                                {
                                    "type": "null",
                                },
                            ],
                        },
                    },
                },
            },
            {
                "type": "null",
            },
        ],
    },
    "prompt_cache_key": {
        "anyOf": [
            {
                "type": "string",
            },
            {
                "type": "null",
            },
        ],
    },
    "service_tier": {
        "anyOf": [
            {
                "type": "string",
                "enum": [
                    "auto",
                    "standard_only",
                ],
            },
            {
                "type": "null",
            },
        ],
    },
    "safe_prompt": {
        "type": "boolean",
    },
}

# Schemas that contain themselves, referred to as {"$ref": "#/$defs/Name"} in FIELDS.
DEFS: Final[dict[str, dict[str, Any]]] = {}

REQUIRED: Final = frozenset({"messages", "model"})

# A valid value of each field: the spec's example or default, else built from the schema.
EXAMPLES: Final[dict[str, Any]] = {
    "model": "mistral-large-latest",
    "temperature": 0.8,
    "top_p": 0.5,
    "max_tokens": 1,
    "stream": False,
    "stop": "text",
    "random_seed": 1,
    "metadata": {},
    "messages": [
        {
            "role": "user",
            "content": "Who is the best French painter? Answer in one short sentence.",
        },
    ],
    "response_format": {
        "type": "text",
    },
    "tools": [
        {
            "function": {
                "name": "text",
                "parameters": {},
            },
        },
    ],
    "tool_choice": "auto",
    "presence_penalty": 0.0,
    "frequency_penalty": 0.0,
    "n": 1,
    "prediction": {
        "type": "content",
        "content": "",
    },
    "parallel_tool_calls": True,
    "reasoning_effort": "none",
    "prompt_mode": "reasoning",
    "guardrails": [
        {},
    ],
    "prompt_cache_key": "text",
    "service_tier": "auto",
    "safe_prompt": False,
}


if TYPE_CHECKING:

    class ChatCompletionRequest(TypedDict, total=False):
        """The request body: mypy refuses a field the spec does not have."""

        model: Required[str]
        temperature: float | None
        top_p: float | None
        max_tokens: int | None
        stream: bool
        stop: str | list[str] | None
        random_seed: int | None
        metadata: dict[str, Any] | None
        messages: Required[list[dict[str, Any]]]
        response_format: dict[str, Any]
        tools: list[dict[str, Any]] | None
        tool_choice: dict[str, Any] | Literal["auto", "none", "any", "required"]
        presence_penalty: float | None
        frequency_penalty: float | None
        n: int | None
        prediction: dict[str, Any]
        parallel_tool_calls: bool
        reasoning_effort: Literal["none", "minimal", "low", "medium", "high", "xhigh"] | None
        prompt_mode: Literal["reasoning"] | None
        guardrails: list[dict[str, Any]] | None
        prompt_cache_key: str | None
        service_tier: Literal["auto", "standard_only"] | None
        safe_prompt: bool
