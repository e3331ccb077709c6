"""The OpenAPI document: generated from the route table and the models, and valid."""

from __future__ import annotations

from jsonschema import Draft202012Validator

from bot.api.openapi import PREFIX, openapi_document
from bot.api.routes import ROUTES
from bot.api.schemas import ClientIn
from tests.api.conftest import ApiClient


def test_every_route_is_documented_with_its_errors() -> None:
    document = openapi_document()
    assert document["openapi"].startswith("3.1")
    for route in ROUTES:
        operation = document["paths"][PREFIX + route.path][route.method.lower()]
        responses = operation["responses"]
        assert {"200", "401", "429", "default"} <= set(responses)
        assert ("201" in responses) == (route.method == "PUT")
        if route.method == "PUT":
            assert {"400", "409", "413", "415", "422"} <= set(responses)
            assert "requestBody" in operation
        assert "Retry-After" in responses["429"]["headers"]
    assert document["paths"][f"{PREFIX}/openapi.json"]["get"]["security"] == []
    assert document["security"] == [{"bearer": []}]


def test_schemas_come_from_the_models_and_are_valid_json_schema() -> None:
    schemas = openapi_document()["components"]["schemas"]
    for schema in schemas.values():
        Draft202012Validator.check_schema(schema)
    assert schemas["ClientIn"]["required"] == ["name"]
    assert set(schemas["ClientIn"]["properties"]) == set(ClientIn.model_fields)
    assert schemas["ErrorOut"]["properties"]["error"] == {
        "$ref": "#/components/schemas/ErrorDetail"
    }


async def test_served_without_a_token(api: ApiClient) -> None:
    reply = await api.call("GET", "/openapi.json", token=None)
    assert reply.status == 200
    assert reply.body == openapi_document()
