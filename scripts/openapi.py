#!/usr/bin/env python3
"""Generates Sources/GavelServer/Resources/openapi.json, the served OpenAPI document.

Run it after changing a route or a wire shape:  python3 scripts/openapi.py
A test checks that every route the server registers is described here.
"""
import json
import pathlib

def ref(name):
    return {"$ref": f"#/components/schemas/{name}"}

def nullable(schema):
    if "$ref" in schema:
        return {"anyOf": [schema, {"type": "null"}]}
    s = dict(schema)
    t = s.get("type")
    s["type"] = [t, "null"] if isinstance(t, str) else t + ["null"]
    if "enum" in s:
        s["enum"] = s["enum"] + [None]
    return s

def obj(props, required=(), additional=False, **extra):
    s = {"type": "object", "properties": props, "additionalProperties": additional}
    if required:
        s["required"] = list(required)
    s.update(extra)
    return s

MONEY = {"type": "number", "minimum": 0, "multipleOf": 0.01, "maximum": 1000000000,
         "description": "US dollars, at most 2 decimals (exact to the cent)."}
SIGNED_MONEY = {"type": "number", "multipleOf": 0.01, "minimum": -1000000000, "maximum": 1000000000}
RATE = {"type": "number", "minimum": 0, "maximum": 1, "multipleOf": 0.000001}
ID = {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$"}
TIME = {"type": "string", "format": "date-time"}
# Accepted on a configuration record so a stored copy can be sent back: set by the exchange,
# ignored on input, but an RFC 3339 date-time when given (422 otherwise).
IGNORED_TIME = {**TIME, "description": "Set by the exchange; ignored on input (an RFC 3339 date-time when given)."}
ANY = {}
# A required string member: the server refuses an empty one (422) and reads at most 1,000 characters.
NONEMPTY = {"type": "string", "minLength": 1, "maxLength": 1000}

schemas = {
    "Problem": obj({
        "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {"type": "array", "items": obj({"field": {"type": "string"}, "message": {"type": "string"}},
                                                ["field", "message"])},
    }, ["type", "title", "status"]),
    "Money": MONEY,
    "FieldSpec": obj({
        "name": ID, "type": {"type": "string", "enum": ["string", "integer", "number", "boolean", "enum", "phone", "email", "date"]},
        "required": {"type": "boolean"}, "pii": {"type": "boolean"},
        "values": {"type": "array", "items": {"type": "string"}},
        "format": {"type": "string", "enum": ["zip", "us_state"]},
        "min": {"type": "number"}, "max": {"type": "number"},
    }, ["name", "type"],
        description="An enum field lists its `values` (at least one); no other type takes `values`.",
        **{"if": {"properties": {"type": {"const": "enum"}}, "required": ["type"]},
           "then": {"properties": {"values": {"minItems": 1}}, "required": ["values"]},
           "else": {"not": {"required": ["values"]}}}),
    "Vertical": obj({
        "id": ID, "name": {"type": "string"}, "fields": {"type": "array", "items": ref("FieldSpec"), "minItems": 1},
        "floor": MONEY, "max_sales": {"type": "integer", "minimum": 1, "maximum": 10},
        "created_at": IGNORED_TIME, "updated_at": IGNORED_TIME,
    }, ["fields"]),
    "Seller": obj({
        "id": ID, "name": {"type": "string"}, "alias": {"type": "string"},
        "revenue_share": RATE, "active": {"type": "boolean"},
        "status": {"type": "string", "enum": ["testing", "active", "paused"],
                   "description": "testing: every lead is a test lead; active: sells for real; paused: leads are refused (403). "
                                  "Left out: new_seller_status on create, unchanged on replace."},
        "created_at": IGNORED_TIME, "updated_at": IGNORED_TIME,
    }),
    "Buyer": obj({
        "id": ID, "name": {"type": "string"}, "balance_limit": nullable(MONEY), "created_at": IGNORED_TIME, "updated_at": IGNORED_TIME,
    }),
    "Condition": {"type": "object", "description": "Operator to operand: eq, ne, in, not_in, lt, lte, gt, gte, exists.",
                  "properties": {op: ANY for op in ["eq", "ne", "in", "not_in", "lt", "lte", "gt", "gte", "exists"]},
                  "additionalProperties": False},
    "Filter": {"type": "object", "required": ["field"],
               "properties": dict({"field": {"type": "string"}},
                                  **{op: ANY for op in ["eq", "ne", "in", "not_in", "lt", "lte", "gt", "gte", "exists"]}),
               "additionalProperties": False},
    "BidRule": obj({
        "when": {"type": "object", "additionalProperties": ref("Condition")},
        "set": MONEY, "add": SIGNED_MONEY, "multiply": {"type": "number", "minimum": 0, "maximum": 100},
    }),
    "Delivery": obj({
        "mode": {"type": "string", "enum": ["remote", "hosted", "direct"]},
        "ping_url": nullable({"type": "string", "format": "uri"}), "post_url": nullable({"type": "string", "format": "uri"}),
        "timeout_ms": nullable({"type": "integer", "minimum": 1, "maximum": 60000}),
        "post_timeout_ms": {"type": "integer", "minimum": 1, "maximum": 120000},
        "secret": {"type": "string", "description": "Shown once, in the create response; masked afterwards."},
        "integration": nullable(ref("Integration")),
    }, ["mode"]),
    "Integration": obj({
        "secrets": {"type": "object", "additionalProperties": {"type": "string", "maxLength": 2000},
                    "description": "Write-only values used as {{$secret.name}}; always read back as \"********\" (send that to keep one)."},
        "sign": {"type": "boolean", "description": "Also send the native X-Gavel-Timestamp/X-Gavel-Signature headers."},
        "ping": ref("IntegrationCall"), "post": ref("IntegrationCall"),
    }, description="A buyer's own API, mapped (docs/INTEGRATIONS.md). A ping may reference only non-personal fields."),
    "IntegrationCall": obj({
        "method": {"type": "string", "enum": ["GET", "POST", "PUT"]},
        "url": {"type": "string", "maxLength": 2000, "description": "http(s) URL; {{placeholders}} only after the host."},
        "encoding": {"type": "string", "enum": ["json", "form", "xml", "none"]},
        "xml_root": {"type": "string", "maxLength": 100},
        "headers": {"type": "object", "additionalProperties": {"type": "string"}},
        "auth": {"oneOf": [
            obj({"type": {"const": "basic"}, "username": {"type": "string"}, "password": {"type": "string"}}, ["type", "username", "password"]),
            obj({"type": {"const": "bearer"}, "token": {"type": "string"}}, ["type", "token"])]},
        "query": {"type": "array", "items": ref("IntegrationMember"), "maxItems": 500},
        "body": {"type": "array", "items": ref("IntegrationMember"), "maxItems": 500},
        "response": ref("IntegrationResponse"),
        "lower_price": {"type": "string", "enum": ["accept", "reject"], "description": "Posts: a lower confirmed price is charged, or a rejection."},
    }, ["url", "response"]),
    "IntegrationMember": obj({
        "to": {"type": "string", "minLength": 1, "maxLength": 200, "description": "The buyer's name; a dotted path nests in JSON and XML."},
        "from": {"type": "string", "description": "A field of the vertical, or $ping_id, $lead_id, $test, $source, $seller, $vertical, $campaign_id, $tmax_ms, $price, $price_cents, $bid_id, $consent.<name>, $capture.<name>, $secret.<name>."},
        "value": {"description": "A constant."}, "template": {"type": "string", "description": "Text with {{placeholders}}."},
        "default": {}, "map": {"type": "object"},
        "boolean": {"type": "array", "minItems": 2, "maxItems": 2},
        "date": {"type": "string", "maxLength": 40, "description": "YYYY, YY, MM, M, DD, D and literals, e.g. MM/DD/YYYY."},
        "phone": {"type": "string", "enum": ["digits", "digits_11", "dashed", "dotted", "parentheses", "e164"]},
        "case": {"type": "string", "enum": ["upper", "lower", "title"]},
        "max_length": {"type": "integer", "minimum": 1, "maximum": 100000},
        "type": {"type": "string", "enum": ["string", "number", "integer", "boolean"]},
    }, ["to"]),
    "IntegrationSelector": {"oneOf": [
        {"type": "string", "description": "A path: data.price, bids[0].amount, response.@status."},
        obj({"path": {"type": "string"}, "regex": {"type": "string"}})]},
    "IntegrationCondition": obj({
        "path": {"type": "string"}, "regex": {"type": "string"},
        "equals": {"oneOf": [{"type": ["string", "number", "boolean"]}, {"type": "array", "items": {"type": ["string", "number", "boolean"]}, "minItems": 1}]},
        "exists": {"type": "boolean"}, "matches": {"type": "string"}, "ignore_case": {"type": "boolean"},
    }),
    "IntegrationResponse": obj({
        "format": {"type": "string", "enum": ["auto", "json", "xml", "text"]},
        "read_statuses": {"type": "array", "items": {"type": "integer", "minimum": 100, "maximum": 599}},
        "status_outcomes": {"type": "object", "additionalProperties": {"type": "string", "enum": ["read", "no_bid", "accepted", "rejected", "duplicate"]}},
        "accept": {"oneOf": [ref("IntegrationCondition"), {"type": "array", "items": ref("IntegrationCondition")}]},
        "reject": {"oneOf": [ref("IntegrationCondition"), {"type": "array", "items": ref("IntegrationCondition")}]},
        "duplicate": {"oneOf": [ref("IntegrationCondition"), {"type": "array", "items": ref("IntegrationCondition")}]},
        "price": ref("IntegrationSelector"), "price_unit": {"type": "string", "enum": ["dollars", "cents"]},
        "bid_id": ref("IntegrationSelector"), "reason": ref("IntegrationSelector"), "lead_id": ref("IntegrationSelector"),
        "redirect_url": ref("IntegrationSelector"),
        "captures": {"type": "object", "additionalProperties": ref("IntegrationSelector")},
    }),
    "IntegrationPreset": obj({
        "id": {"type": "string"}, "name": {"type": "string"}, "description": {"type": "string"}, "vertical": {"type": "string"},
        "integration": nullable(ref("Integration")),
    }, ["id", "name", "description", "vertical", "integration"]),
    "CampaignTest": obj({
        "fields": {"type": "object", "additionalProperties": True, "description": "A full lead; without it a sample lead is made."},
        "post": {"type": "boolean", "description": "Post after a bid (default true)."},
    }),
    "CallTrace": obj({
        "request": nullable(obj({"method": {"type": "string"}, "url": {"type": "string"},
                                 "headers": {"type": "array", "items": ref("Header")}, "body": {"type": "string"}},
                                ["method", "url", "headers", "body"])),
        "response": nullable(obj({"status": {"type": "integer"}, "headers": {"type": "array", "items": ref("Header")},
                                  "body": {"type": "string"}, "truncated": {"type": "boolean"}},
                                 ["status", "headers", "body", "truncated"])),
        "failure": nullable({"type": "string"}), "latency_ms": {"type": "number"},
        "reading": {"type": "object", "additionalProperties": True},
    }, ["request", "response", "failure", "reading"]),
    "Header": obj({"name": {"type": "string"}, "value": {"type": "string"}}, ["name", "value"]),
    "CampaignTestResult": obj({
        "campaign_id": {"type": "string"}, "mode": {"type": "string", "enum": ["remote", "hosted", "direct"]},
        "ping_protocol": {"type": "string", "enum": ["native", "mapped"]}, "post_protocol": {"type": "string", "enum": ["native", "mapped"]},
        "lead": obj({"test": {"type": "boolean"}, "generated": {"type": "boolean"}, "fields": {"type": "object", "additionalProperties": True}},
                    ["test", "generated", "fields"]),
        "ping": nullable(ref("CallTrace")), "post": nullable(ref("CallTrace")), "price": nullable(MONEY),
        "note": nullable({"type": "string"}),
    }, ["campaign_id", "mode", "ping_protocol", "post_protocol", "lead", "ping", "post", "price", "note"]),
    "Caps": obj({
        "timezone": {"type": "string"},
        "daily_leads": nullable({"type": "integer", "minimum": 0}), "weekly_leads": nullable({"type": "integer", "minimum": 0}),
        "monthly_leads": nullable({"type": "integer", "minimum": 0}),
        "daily_spend": nullable(MONEY), "monthly_spend": nullable(MONEY),
    }),
    "Schedule": obj({
        "timezone": {"type": "string"},
        "hours": {"type": "object", "additionalProperties": False, "properties": {
            d: {"type": "array", "items": {"type": "array", "items": {"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]$"},
                                           "minItems": 2, "maxItems": 2}}
            for d in ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]}},
    }, ["hours"]),
    "SellerPolicy": obj({
        "allow": {"type": "array", "items": {"type": "string"}}, "deny": {"type": "array", "items": {"type": "string"}},
        "bid_multiplier": {"type": "object", "additionalProperties": {"type": "number", "minimum": 0, "maximum": 100}},
        "max_bid": {"type": "object", "additionalProperties": MONEY},
        "source_multiplier": {"type": "object", "additionalProperties": {"type": "number", "minimum": 0, "maximum": 100},
                              "description": "A factor on the bid per traffic source (the lead's source), after the seller's."},
    }),
    "Campaign": obj({
        "id": ID, "buyer_id": {"type": "string"}, "vertical": {"type": "string"}, "name": {"type": "string"},
        "status": {"type": "string", "enum": ["active", "paused"]},
        "delivery": ref("Delivery"),
        "bid": obj({"base": nullable(MONEY), "max": nullable(MONEY), "rules": {"type": "array", "items": ref("BidRule")}}),
        "filters": {"type": "array", "items": ref("Filter")},
        "sellers": ref("SellerPolicy"), "caps": ref("Caps"), "schedule": nullable(ref("Schedule")),
        "dedupe_days": nullable({"type": "integer", "minimum": 0, "maximum": 3650}),
        "return_window_days": {"type": "integer", "minimum": 0, "maximum": 365},
        "priority": {"type": "integer"}, "price": nullable(MONEY), "allocation": nullable(RATE),
        "lead_type": {"type": "string", "enum": ["exclusive", "shared"]},
        "created_at": IGNORED_TIME, "updated_at": IGNORED_TIME,
    }, ["buyer_id", "vertical", "delivery"]),
    "Settings": obj({
        "auction": {"type": "string", "enum": ["first_price", "second_price", "waterfall"]},
        "default_tmax_ms": {"type": "integer", "minimum": 1, "maximum": 60000},
        "ping_ttl_s": {"type": "integer", "minimum": 1, "maximum": 86400},
        "floors": {"type": "object", "additionalProperties": MONEY},
        "dedupe_days": {"type": "integer", "minimum": 0, "maximum": 3650},
        "max_return_rate": nullable(RATE),
        "floor_learning": {"type": "string", "enum": ["off", "on"],
                           "description": "Learned floors above the static ones (docs/INTELLIGENCE.md)."},
        "floor_learning_verticals": {"type": "object", "additionalProperties": {"type": "string", "enum": ["off", "on"]},
                                     "description": "Per-vertical overrides of floor_learning."},
        "floor_learning_options": obj({
            "segment": {"type": "array", "minItems": 1, "uniqueItems": True,
                        "items": {"type": "string", "enum": ["vertical", "state", "source", "seller"]}},
            "exploration": {"type": "number", "minimum": 0, "maximum": 0.5, "multipleOf": 0.000001},
            "min_fill_rate": RATE, "max_floor": nullable(MONEY),
            "window": {"type": "integer", "minimum": 10, "maximum": 10000},
            "min_samples": {"type": "integer", "minimum": 0, "maximum": 10000},
        }),
        "ranking": {"type": "string", "enum": ["price", "quality"],
                    "description": "quality ranks by expected realized value in the post cascade: bid x (1 - P(returned)) x "
                                   "P(accepted) / (P(accepted) + rejection_cost x P(rejected)) (docs/INTELLIGENCE.md)."},
        "ranking_options": obj({
            "rejection_cost": {"type": "number", "minimum": 0, "maximum": 1, "multipleOf": 0.000001,
                               "description": "The share of the rest of the cascade's value one rejected post loses "
                                              "(default 0.25; 1 ranks by bid x P(accepted) x (1 - P(returned)))."},
        }),
        "new_seller_status": {"type": "string", "enum": ["active", "testing"],
                              "description": "The status of a seller created without one (default active)."},
        "pii_retention_days": nullable({"type": "integer", "minimum": 1, "maximum": 36500,
                                        "description": "Erase the personal fields of leads older than this many days; null keeps them."}),
    }),
    "ApiKeyCreate": obj({
        "role": {"type": "string", "enum": ["admin", "seller", "buyer"]},
        "subject_id": {"type": "string", "maxLength": 64, "description": "The seller's or buyer's id (it must exist)."},
        "label": {"type": "string", "maxLength": 200},
    }, ["role"], description="A seller or buyer key names its subject; an admin key has none.",
        **{"if": {"properties": {"role": {"const": "admin"}}, "required": ["role"]},
           "then": {"not": {"required": ["subject_id"]}},
           "else": {"required": ["subject_id"]}}),
    "ApiKey": obj({
        "id": {"type": "string"}, "role": {"type": "string", "enum": ["admin", "seller", "buyer"]},
        "subject_id": nullable({"type": "string"}), "prefix": {"type": "string"}, "label": {"type": "string"},
        "created_at": TIME, "key": {"type": "string", "description": "Only in the create response."},
    }, ["id", "role", "subject_id", "prefix", "label", "created_at"]),
    "LeadSubmission": obj({
        "vertical": NONEMPTY, "source": {"type": "string"}, "test": {"type": "boolean"},
        "fields": {"type": "object", "additionalProperties": True}, "consent": {"type": "object", "additionalProperties": True},
    }, ["vertical", "fields"]),
    "LeadForm": obj({
        "vertical": {"type": "string"}, "source": {"type": "string"},
        "test": {"type": "string", "description": "true/false, 1/0, yes/no, y/n or on/off."},
        "tcpa_text": {"type": "string"}, "trustedform_cert_url": {"type": "string"}, "leadid_token": {"type": "string"},
    }, ["vertical"], additional={"type": "string"},
        description="The same request as a URL-encoded form: the envelope and the consent fields by name, every other name a "
                    "lead field (`fields[name]` for a field named like an envelope member, `consent[name]` for other consent). "
                    "Values are converted to the vertical's field types as JSON strings are; a name given twice is a 422."),
    "PostForm": obj({
        "ping_id": {"type": "string"},
        "tcpa_text": {"type": "string"}, "trustedform_cert_url": {"type": "string"}, "leadid_token": {"type": "string"},
    }, ["ping_id"], additional={"type": "string"}, description="POST /v1/post as a URL-encoded form, named as LeadForm."),
    "PostSubmission": obj({
        "ping_id": NONEMPTY, "fields": {"type": "object", "additionalProperties": True},
        "consent": {"type": "object", "additionalProperties": True},
    }, ["ping_id", "fields"]),
    "LeadResult": obj({
        "lead_id": {"type": "string"}, "status": {"type": "string", "enum": ["sold", "unsold", "duplicate", "rejected"]},
        "price": MONEY, "buyer": nullable({"type": "string"}), "buyers": {"type": "array", "items": {"type": "string"}},
        "reason": nullable({"type": "string"}), "elapsed_ms": {"type": "integer", "minimum": 0},
        "redirect_url": nullable({"type": "string", "description": "The winning buyer's landing page for the consumer, if it gave one."}),
        "test": {"type": "boolean", "description": "Whether it ran as a test lead (asked for, or the seller is testing): nothing charged or paid."},
    }, ["lead_id", "status", "price", "buyer", "reason", "elapsed_ms"]),
    "PingResult": obj({
        "ping_id": {"type": "string"}, "status": {"type": "string", "enum": ["bid", "no_bid"]}, "price": MONEY,
        "expires_at": TIME, "test": {"type": "boolean"},
    }, ["ping_id", "status", "price", "expires_at"]),
    "TimelineEvent": {"type": "object", "required": ["event"], "additionalProperties": True,
                      "description": "received, skipped, floor and ranking (operator: which floor applied and why, how bids "
                                     "were ordered), ping (operator: quality_factor under quality ranking), post, and the final status.",
                      "properties": {"event": {"type": "string"}, "campaign": {"type": "string"}}},
    "LeadDetail": obj({
        "lead_id": {"type": "string"},
        "status": {"type": "string", "enum": ["pending", "sold", "unsold", "duplicate", "rejected", "review", "returned"]},
        "vertical": {"type": "string"}, "source": {"type": "string"}, "seller_id": {"type": "string"}, "test": {"type": "boolean"},
        "received_at": TIME, "finished_at": nullable(TIME), "price": MONEY, "buyer": nullable({"type": "string"}),
        "buyers": {"type": "array", "items": {"type": "string"}}, "reason": nullable({"type": "string"}),
        "elapsed_ms": {"type": "integer"}, "ping_id": nullable({"type": "string"}),
        "redirect_url": nullable({"type": "string"}),
        "erased_at": nullable(TIME),
        "timeline": {"type": "array", "items": ref("TimelineEvent")},
        "fields": {"type": "object", "additionalProperties": True}, "revenue": MONEY,
    }, ["lead_id", "status", "price", "timeline"]),
    "BuyerPing": obj({
        "ping_id": {"type": "string"}, "vertical": {"type": "string"}, "tmax_ms": {"type": "integer"}, "test": {"type": "boolean"},
        "seller": {"type": "string"}, "source": {"type": "string"},
        "fields": {"type": "object", "additionalProperties": True, "description": "Non-personal fields only."},
    }, ["ping_id", "vertical", "tmax_ms", "test", "seller", "source", "fields"]),
    "BuyerBid": obj({"bid": nullable(MONEY), "bid_id": {"type": "string"}}, additional=True),
    "BuyerPost": obj({
        "ping_id": {"type": "string"}, "bid_id": nullable({"type": "string"}), "lead_id": {"type": "string"},
        "price": MONEY, "vertical": {"type": "string"}, "test": {"type": "boolean"},
        "fields": {"type": "object", "additionalProperties": True}, "consent": {"type": "object", "additionalProperties": True},
    }, ["ping_id", "lead_id", "price", "vertical", "fields"]),
    "BuyerPostAnswer": obj({
        "status": {"type": "string", "enum": ["accepted", "rejected", "duplicate"]}, "reason": {"type": "string"},
        "buyer_lead_id": {"type": "string"},
    }, ["status"], additional=True),
}

PROBLEM_CODES = {
    "400": "Bad request: the body is not valid JSON (or not a valid form), or an API key was put in the URL (never accepted there).",
    "401": "No key, or an unknown or revoked key.",
    "403": "The key's role may not do this.", "404": "Not found, or not yours.",
    "409": "Conflict: the id exists, already posted, or an idempotency key reused with another body.",
    "410": "The ping expired.", "413": "The body is over 1 MiB.", "422": "Well-formed but invalid; `errors` lists each field.",
    "415": "A multipart body: send JSON or application/x-www-form-urlencoded.",
    "429": "Rate limited; see Retry-After.",
    "503": "Not completed, retry after Retry-After seconds: `store-unavailable` when the database could not be reached or "
           "written (restarting, disk full; nothing was acknowledged and a lead is never sold without a 200), "
           "`unavailable` when the server is shutting down.",
}
RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait before retrying.", "schema": {"type": "integer", "minimum": 0}}}

def problems(*codes):
    def response(c):
        r = {"description": PROBLEM_CODES[c], "content": {"application/problem+json": {"schema": ref("Problem")}}}
        if c in ("429", "503"):
            r["headers"] = RETRY_AFTER
        return r
    return {c: response(c) for c in codes}

def ok(schema, code="200", description="OK", extra_types=None):
    content = {"application/json": {"schema": schema}}
    for t in extra_types or []:
        content[t] = {"schema": {"type": "string"}}
    return {code: {"description": description, "content": content}}

def body(schema):
    return {"required": True, "content": {"application/json": {"schema": schema}}}

def op(summary, tag, responses, request=None, params=None, security=True, description=None):
    o = {"summary": summary, "tags": [tag], "responses": responses}
    if description:
        o["description"] = description
    if request:
        o["requestBody"] = request
    if params:
        o["parameters"] = params
    if not security:
        o["security"] = []
    return o

ID_PARAM = [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}]
AUTH = ("400", "401", "403")

paths = {}

def or_null(schema):
    """`schema` that also takes `null` (unchanged when it already does, or takes anything)."""
    if not schema or "null" in json.dumps(schema.get("type", "")) or {"type": "null"} in schema.get("anyOf", []):
        return schema
    return nullable(schema)

def merge_patch(name, nested=()):
    """The body of a JSON merge patch (RFC 7396) on the component `name`: the record's own members,
    none required, no others. `null` removes an optional member (back to its default); a member
    the record requires is never `null`. The objects in `nested`, which every stored record has,
    take a patch of their own; any other value replaces the stored one whole."""
    schema = schemas[name]
    required = set(schema.get("required", []))
    props = {}
    for member, sub in schema["properties"].items():
        if member in nested:
            target = schemas[sub["$ref"].split("/")[-1]] if "$ref" in sub else sub
            inner = set(target.get("required", []))
            sub = obj({k: v if k in inner else or_null(v) for k, v in target["properties"].items()})
        props[member] = sub if member in required else or_null(sub)
    return obj(props, description="A JSON merge patch: the members to change; null removes one (back to its default).")

def crud(path, schema, tag, noun, list_params=None, nested=()):
    schemas[schema + "Patch"] = merge_patch(schema, nested)
    patch = ref(schema + "Patch")
    create_errors = problems("400", *AUTH, "409", "413", "422")
    paths[f"/v1/{path}"] = {
        "post": op(f"Create a {noun}", tag, {**ok(ref(schema), "201", "Created"), **create_errors}, body(ref(schema))),
        "get": op(f"List {noun}s", tag, {**ok({"type": "array", "items": ref(schema)}), **problems(*AUTH)},
                  params=list_params),
    }
    paths[f"/v1/{path}/{{id}}"] = {
        "get": op(f"Read a {noun}", tag, {**ok(ref(schema)), **problems(*AUTH, "404")}, params=ID_PARAM),
        "put": op(f"Replace a {noun}", tag, {**ok(ref(schema)), **problems("400", *AUTH, "404", "413", "422")},
                  body(ref(schema)), ID_PARAM),
        "patch": op(f"Change some members of a {noun} (JSON merge patch)", tag,
                    {**ok(ref(schema)), **problems("400", *AUTH, "404", "413", "422")},
                    {"required": True, "content": {"application/merge-patch+json": {"schema": patch},
                                                   "application/json": {"schema": patch}}}, ID_PARAM),
        "delete": op(f"Delete a {noun}", tag, {"204": {"description": "Deleted"}, **problems(*AUTH, "404", "409")},
                     params=ID_PARAM),
    }

crud("verticals", "Vertical", "operator", "vertical")
crud("sellers", "Seller", "operator", "seller")
crud("buyers", "Buyer", "operator", "buyer")
crud("campaigns", "Campaign", "operator", "campaign", [
    {"name": "buyer_id", "in": "query", "schema": {"type": "string"}},
    {"name": "vertical", "in": "query", "schema": {"type": "string"}}], nested=("delivery", "bid", "sellers", "caps"))

paths["/v1/integration-presets"] = {"get": op(
    "Ready integrations for common buyer API shapes, to copy into delivery.integration", "operator",
    {**ok({"type": "array", "items": ref("IntegrationPreset")}), **problems(*AUTH)},
    description="Operator and buyer keys. The first is the native protocol (no integration).")}
paths["/v1/campaigns/{id}/test"] = {"post": op(
    "Send a test lead through the campaign's real ping and post and show what went over the wire", "operator",
    {**ok(ref("CampaignTestResult")), **problems("400", *AUTH, "404", "413", "422")}, body(ref("CampaignTest")), ID_PARAM,
    description="Operator keys, and a buyer key for its own campaigns. Nothing is stored, held, charged or paid; secrets are masked.")}

paths["/v1/settings"] = {
    "get": op("Read the settings", "operator", {**ok(ref("Settings")), **problems(*AUTH)}),
    "put": op("Change the settings (members left out keep their values)", "operator",
              {**ok(ref("Settings")), **problems("400", *AUTH, "413", "422")}, body(ref("Settings"))),
}
paths["/v1/api-keys"] = {
    "post": op("Create an API key (the key is shown once)", "operator",
               {**ok(ref("ApiKey"), "201", "Created"), **problems("400", *AUTH, "413", "422")}, body(ref("ApiKeyCreate"))),
    "get": op("List API keys (never the keys themselves)", "operator",
              {**ok({"type": "array", "items": ref("ApiKey")}), **problems(*AUTH)}),
}
paths["/v1/api-keys/{id}"] = {
    "get": op("Read an API key", "operator", {**ok(ref("ApiKey")), **problems(*AUTH, "404")}, params=ID_PARAM),
    "delete": op("Revoke an API key, at once", "operator", {"204": {"description": "Revoked"}, **problems(*AUTH, "404")},
                 params=ID_PARAM),
}

IDEMPOTENCY = [{"name": "Idempotency-Key", "in": "header", "required": False,
                "schema": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[!-~]+$"},
                "description": "1 to 200 visible ASCII characters (no spaces), e.g. a UUID."}]
seller_errors = problems("400", *AUTH, "409", "413", "415", "422", "429", "503")
def json_or_form(schema, form):
    return {"required": True, "content": {"application/json": {"schema": schema},
                                          "application/x-www-form-urlencoded": {"schema": form}}}
SELLING = ("Paused sellers get 403 (`seller-paused`); a testing seller's leads all run as test leads. "
           "The key goes in `Authorization: Bearer` or `X-API-Key`, never in the URL (400).")
paths["/v1/leads"] = {
    "post": op("Sell a full lead in one call", "seller", {**ok(ref("LeadResult")), **seller_errors},
               json_or_form(ref("LeadSubmission"), ref("LeadForm")), IDEMPOTENCY, description=SELLING),
}
paths["/v1/ping"] = {
    "post": op("Price a partial (non-personal) lead: step one of two", "seller", {**ok(ref("PingResult")), **seller_errors},
               json_or_form(ref("LeadSubmission"), ref("LeadForm")), IDEMPOTENCY, description=SELLING),
}
paths["/v1/post"] = {
    "post": op("Deliver the full lead for a ping: step two of two", "seller",
               {**ok(ref("LeadResult")), **problems("400", *AUTH, "404", "409", "410", "413", "415", "422", "429", "503")},
               json_or_form(ref("PostSubmission"), ref("PostForm")), IDEMPOTENCY, description=SELLING),
}
MARKDOWN = {"text/markdown": {"schema": {"type": "string"}}}
paths["/v1/sellers/{id}/spec"] = {"get": op(
    "A seller's posting guide: endpoints, auth, fields, consent, curl examples, answers and errors", "seller",
    {"200": {"description": "The guide (HTML by default, Markdown with Accept: text/markdown); without `vertical`, the list of guides",
             "content": {"text/html": {"schema": {"type": "string"}}, **MARKDOWN}},
     **problems(*AUTH, "404", "429")},
    params=ID_PARAM + [{"name": "vertical", "in": "query", "schema": {"type": "string"},
                        "description": "The vertical's id; without it, the list of the seller's guides."}],
    description="The operator's key for any seller, a seller's key for its own (another seller's is 404). Generated from the "
                "current configuration on every request; the curl examples use the request's scheme and Host and `$GAVEL_KEY`.")}
paths["/v1/leads/{id}"] = {
    "get": op("A lead of yours: status, payout and timeline", "seller", {**ok(ref("LeadDetail")), **problems(*AUTH, "404")},
              params=ID_PARAM),
}

HEX64 = {"type": "string", "pattern": "^[0-9a-fA-F]{64}$"}
paths["/v1/buyer/suppressions"] = {
    "post": op("Add existing customers to the buyer's suppression list", "buyer",
               {**ok(obj({"added": {"type": "integer"}, "size": {"type": "integer"}}, ["added", "size"])),
                **problems("400", *AUTH, "413", "422")},
               body(obj({"phone_sha256": {"type": "array", "items": HEX64, "maxItems": 7500},
                         "email_sha256": {"type": "array", "items": HEX64, "maxItems": 7500}})),
               description="SHA-256 hex of the phone's E.164 digits without '+' (e.g. sha256(\"14155550100\")) or of the "
                           "lower-cased email. A lead matching the list is never pinged to this buyer. Send up to 7,500 "
                           "hashes of each kind per request (both lists full fit the 1 MiB body limit)."),
    "delete": op("Empty the buyer's suppression list", "buyer", {"204": {"description": "Emptied"}, **problems(*AUTH)}),
}

NULLABLE_MONEY = nullable(MONEY)
REPORT_ROW = obj({
    "key": {"type": "string"}, "leads": {"type": "integer"}, "pings": {"type": "integer"}, "bids": {"type": "integer"},
    "bid_rate": {"type": "number"}, "sold": {"type": "integer"}, "sold_rate": {"type": "number"},
    "accepted": {"type": "integer"}, "rejected": {"type": "integer"}, "returned": {"type": "integer"},
    "conversions": {"type": "integer"}, "revenue": nullable(SIGNED_MONEY), "payout": nullable(SIGNED_MONEY),
    "margin": nullable(SIGNED_MONEY), "avg_price": nullable(SIGNED_MONEY), "epl": nullable(SIGNED_MONEY),
    "conversion_rate": {"type": "number"}, "accept_rate": {"type": "number"}, "return_rate": {"type": "number"},
    "p50_response_ms": nullable({"type": "integer"}),
    "p95_response_ms": nullable({"type": "integer"}), "timeouts": {"type": "integer"},
}, ["key", "leads", "pings", "bids", "bid_rate", "sold", "sold_rate", "accepted", "rejected", "returned", "conversions",
    "revenue", "payout", "margin", "avg_price", "epl", "conversion_rate", "accept_rate", "return_rate", "p50_response_ms",
    "p95_response_ms", "timeouts"])
schemas["ReportRow"] = REPORT_ROW
schemas["BoughtLead"] = obj({
    "lead_id": {"type": "string"}, "campaign": {"type": "string"}, "price": MONEY, "sold_at": TIME, "returned": {"type": "boolean"},
    "vertical": {"type": "string"}, "source": {"type": "string"}, "received_at": TIME, "test": {"type": "boolean"},
    "fields": {"type": "object", "additionalProperties": True}, "consent": {}, "erased_at": nullable(TIME),
}, ["lead_id", "campaign", "price", "sold_at", "returned", "fields"])
# RFC 3339 or YYYY-MM-DD, as the server reads them (a year of 1900 to 2200; a real calendar day).
INSTANT = {"type": "string", "maxLength": 35, "description": "Empty is the same as left out.",
           "pattern": "^$|^(19|2[01])[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])([Tt]([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)"
                      "(\\.[0-9]{1,9})?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9]))?$"}
RANGE = [
    {"name": "from", "in": "query", "schema": INSTANT, "description": "RFC 3339 or YYYY-MM-DD (UTC); default 30 days before `to`."},
    {"name": "to", "in": "query", "schema": INSTANT, "description": "RFC 3339 (exclusive) or YYYY-MM-DD (that whole day); default now."},
    {"name": "format", "in": "query", "schema": {"type": "string", "enum": ["json", "csv"]}},
]
CSV = {"text/csv": {"schema": {"type": "string"}}}
paths["/v1/reports"] = {"get": op(
    "Report rows grouped by seller, source, buyer, campaign, vertical, day or hour", "reports",
    {"200": {"description": "Rows (JSON) or an RFC 4180 table with a header row (CSV)",
             "content": {"application/json": {"schema": {"type": "array", "items": ref("ReportRow")}}, **CSV}},
     **problems(*AUTH, "422")},
    params=[{"name": "group_by", "in": "query", "required": True,
             "schema": {"type": "string", "enum": ["seller", "source", "buyer", "campaign", "vertical", "day", "hour"]}}] + RANGE,
    description="Scoped by the key: a seller sees only its own leads (never what buyers paid: revenue and margin are null), "
                "a buyer only its own campaigns (never what sellers earned: payout, margin and epl are null), the operator everything.")}
RATE_OR_NULL = nullable({"type": "number", "minimum": 0, "maximum": 1})
schemas["InsightSegment"] = obj({
    "campaign_id": {"type": "string"}, "vertical": {"type": "string"}, "source": {"type": "string"},
    "leads": {"type": "integer", "minimum": 10, "description": "Leads the campaign bid on in the segment (at least 10)."},
    "won": {"type": "integer", "minimum": 0}, "win_rate": {"type": "number", "minimum": 0, "maximum": 1},
    "clearing_price": nullable(obj({"p25": MONEY, "p50": MONEY, "p75": MONEY}, ["p25", "p50", "p75"])),
    "bid_to_win_half": nullable(MONEY), "bid_to_win_three_quarters": nullable(MONEY),
    "accept_rate": RATE_OR_NULL, "return_rate": RATE_OR_NULL,
}, ["campaign_id", "vertical", "source", "leads", "won", "win_rate", "clearing_price", "bid_to_win_half",
    "bid_to_win_three_quarters", "accept_rate", "return_rate"])
schemas["BuyerInsights"] = obj({
    "buyer_id": {"type": "string"}, "from": TIME, "to": TIME,
    "minimum_leads": {"type": "integer", "description": "The fewest leads (and sold leads, for prices) a figure rests on."},
    "hidden_segments": {"type": "integer", "minimum": 0, "description": "Segments left out for having fewer leads."},
    "segments": {"type": "array", "items": ref("InsightSegment")},
}, ["buyer_id", "from", "to", "minimum_leads", "hidden_segments", "segments"])
paths["/v1/buyer/insights"] = {"get": op(
    "Bid guidance: per campaign and segment, win rate, clearing-price quartiles, the bid that would have won half and "
    "three quarters, accept and return rates", "buyer",
    {**ok(ref("BuyerInsights")), **problems(*AUTH, "404", "422")},
    params=[{"name": "buyer_id", "in": "query", "schema": {"type": "string"},
             "description": "Required with an operator key; a buyer key may only name its own buyer."}] + RANGE[:2],
    description="A buyer key (its own campaigns) or the operator's with buyer_id. Only segments (vertical x source) with at "
                "least 10 leads the campaign bid on appear, price figures need 10 sold leads, and nothing names another buyer "
                "or shows one auction's bid (docs/INTELLIGENCE.md).")}
paths["/v1/buyer/leads"] = {"get": op(
    "The leads this buyer bought, with their full data", "buyer",
    {"200": {"description": "Leads (JSON) or CSV", "content": {"application/json": {"schema": {"type": "array", "items": ref("BoughtLead")}}, **CSV}},
     **problems(*AUTH, "422")}, params=RANGE)}
paths["/v1/returns"] = {"post": op(
    "Return a lead this buyer bought, within its campaign's return window", "buyer",
    {**ok(obj({"status": {"type": "string", "enum": ["approved", "denied"]}, "reason": {"type": "string"}, "refund": MONEY},
              ["status", "reason"])),
     **problems("400", *AUTH, "404", "409", "413", "422")},
    body(obj({"lead_id": {"type": "string", "minLength": 1, "maxLength": 64}, "reason": {"type": "string", "minLength": 1, "maxLength": 500}},
             ["lead_id", "reason"])))}
paths["/v1/conversions"] = {"post": op(
    "Report that a bought lead converted (once per lead)", "buyer",
    {"202": {"description": "Recorded", "content": {"application/json": {"schema": obj({"status": {"type": "string"}, "lead_id": {"type": "string"}}, ["status", "lead_id"])}}},
     **problems("400", *AUTH, "404", "409", "413", "422")},
    body(obj({"lead_id": {"type": "string", "minLength": 1, "maxLength": 64}, "value": MONEY}, ["lead_id"])))}
paths["/v1/buyers/{id}/payments"] = {"post": op(
    "Record a buyer's payment against its unpaid balance", "operator",
    {**ok(obj({"buyer_id": {"type": "string"}, "amount": MONEY}, ["buyer_id", "amount"]), "201", "Recorded"),
     **problems("400", *AUTH, "404", "413", "422")},
    body(obj({"amount": {**MONEY, "exclusiveMinimum": 0}}, ["amount"])), ID_PARAM)}

# The books' hash chain (docs/AUDIT.md).
schemas["ChainHead"] = obj({
    "pos": {"type": "integer", "minimum": 0, "description": "The head's position: the chain's length."},
    "hash": {"type": "string", "pattern": "^[0-9a-f]{64}$", "description": "The head's SHA-256, lower-case hex."},
    "at": {**nullable(TIME), "description": "When the head was sealed; null for an empty chain."},
}, ["pos", "hash", "at"])
paths["/v1/audit/chain-head"] = {"get": op(
    "The books' hash chain head, to anchor elsewhere", "operator",
    {**ok(ref("ChainHead")), **problems(*AUTH)},
    description="The last link of the chain that seals every ledger entry, sale and configuration change: its position "
                "(the chain's length), its hash, and when it was sealed (null for an empty chain: position 0, 64 zeros). "
                "Keep it elsewhere; `gavel audit --expect-head POS:HASH` later checks the chain still holds it.")}
# Webhooks: endpoints that receive the exchange's events (docs/WEBHOOKS.md).
EVENT_TYPES = ["lead.sold", "lead.unsold", "lead.returned", "return.decided", "conversion.recorded", "campaign.paused", "balance.low"]
schemas["WebhookCreate"] = obj({
    "url": {"type": "string", "minLength": 1, "maxLength": 2000, "description": "An absolute http or https URL without credentials; the SSRF guard "
                                                              "refuses loopback, private and metadata addresses."},
    "events": {"type": "array", "minItems": 1, "items": {"type": "string", "enum": EVENT_TYPES},
               "description": "Sellers may take lead.sold, lead.unsold, lead.returned and conversion.recorded; buyers every event "
                              "but lead.unsold; the operator every event."},
    "description": {"type": "string", "maxLength": 200},
}, ["url", "events"])
schemas["Webhook"] = obj({
    "id": {"type": "string"}, "url": {"type": "string"}, "events": {"type": "array", "items": {"type": "string", "enum": EVENT_TYPES}},
    "description": {"type": "string"},
    "secret": {"type": "string", "description": "The HMAC-SHA256 key of every delivery's signature: shown once, in the create "
                                                "response; \"********\" afterwards."},
    "owner": obj({"role": {"type": "string", "enum": ["admin", "seller", "buyer"]}, "id": nullable({"type": "string"})}, ["role", "id"]),
    "created_at": TIME,
}, ["id", "url", "events", "description", "secret", "owner", "created_at"])
schemas["WebhookDelivery"] = obj({
    "id": {"type": "string"}, "webhook_id": {"type": "string"},
    "event_id": {"type": "string", "description": "The same in every delivery of the event (X-Gavel-Event-Id)."},
    "event": {"type": "string", "enum": EVENT_TYPES}, "status": {"type": "string", "enum": ["pending", "delivered", "failed"]},
    "attempts": {"type": "integer", "minimum": 0}, "created_at": TIME, "next_attempt_at": nullable(TIME),
    "last_attempt_at": nullable(TIME), "last_status": nullable({"type": "integer"}),
    "last_error": nullable({"type": "string", "description": "http_status_<code>, timeout, connection refused, blocked: …"}),
    "delivered_at": nullable(TIME), "retry_until": TIME,
    "payload": ref("WebhookEvent"),
}, ["id", "webhook_id", "event_id", "event", "status", "attempts", "created_at", "next_attempt_at", "last_attempt_at",
    "last_status", "last_error", "delivered_at", "retry_until", "payload"])
WEBHOOK_SALE = obj({"campaign_id": {"type": "string"}, "buyer_id": {"type": "string", "description": "Operator only."},
                    "price": MONEY, "payout": {**MONEY, "description": "Operator only."}}, ["campaign_id", "price"])
EVENT_DATA = {
    "lead.sold": obj({
        "lead_id": {"type": "string"}, "vertical": {"type": "string"}, "status": {"type": "string", "enum": ["sold"]},
        "received_at": TIME, "source": {"type": "string", "description": "Operator and seller."},
        "seller_id": {"type": "string", "description": "Operator only."},
        "reason": {"type": "null"}, "payout": {**MONEY, "description": "Operator and seller: what the seller earns."},
        "revenue": {**MONEY, "description": "Operator only."}, "margin": {**SIGNED_MONEY, "description": "Operator only."},
        "price": {**MONEY, "description": "Buyer only: what it pays for its own sales."},
        "sales": {"type": "array", "items": WEBHOOK_SALE, "description": "Operator: every sale; buyer: its own. Never a seller's."},
    }, ["lead_id", "vertical", "status", "received_at"]),
    "lead.unsold": obj({
        "lead_id": {"type": "string"}, "vertical": {"type": "string"}, "status": {"type": "string", "enum": ["unsold", "rejected"]},
        "received_at": TIME, "source": {"type": "string"}, "seller_id": {"type": "string", "description": "Operator only."},
        "reason": nullable({"type": "string"}), "payout": MONEY, "revenue": MONEY, "margin": SIGNED_MONEY,
        "sales": {"type": "array", "maxItems": 0},
    }, ["lead_id", "vertical", "status", "received_at", "reason"]),
    "lead.returned": obj({
        "lead_id": {"type": "string"}, "payout": {**MONEY, "description": "Operator and seller: the payout reversed."},
        "campaign_id": {"type": "string"}, "price": MONEY, "reason": {"type": "string", "description": "The buyer's reason (not to sellers)."},
        "refund": MONEY, "seller_id": {"type": "string"}, "buyer_id": {"type": "string"},
    }, ["lead_id"]),
    "return.decided": obj({
        "lead_id": {"type": "string"}, "campaign_id": {"type": "string"}, "price": MONEY, "reason": {"type": "string"},
        "status": {"type": "string", "enum": ["approved", "denied"]},
        "denial_reason": nullable({"type": "string", "enum": ["outside_return_window", "return_rate_exceeded"]}),
        "refund": nullable(MONEY), "seller_id": {"type": "string"}, "buyer_id": {"type": "string"}, "payout": MONEY,
    }, ["lead_id", "campaign_id", "status", "refund"]),
    "conversion.recorded": obj({
        "lead_id": {"type": "string"}, "campaign_id": {"type": "string", "description": "Operator and buyer."},
        "value": nullable({**MONEY, "description": "Operator and buyer."}), "seller_id": {"type": "string"}, "buyer_id": {"type": "string"},
    }, ["lead_id"]),
    "campaign.paused": obj({
        "campaign_id": {"type": "string"}, "buyer_id": {"type": "string", "description": "Operator only."},
        "reason": {"type": "string", "enum": ["circuit_open", "cap_reached"]},
        "probe_at": {**TIME, "description": "circuit_open: when one lead may probe the campaign again."},
        "cap": {"type": "string", "enum": ["daily_leads", "daily_spend", "weekly_leads", "monthly_leads", "monthly_spend"]},
        "period": {"type": "string", "description": "cap_reached: the local day (YYYY-MM-DD), week (its Monday) or month (YYYY-MM)."},
        "timezone": {"type": "string"},
    }, ["campaign_id", "reason"]),
    "balance.low": obj({
        "buyer_id": {"type": "string"}, "balance": MONEY, "balance_limit": MONEY, "threshold": RATE, "remaining": SIGNED_MONEY,
    }, ["buyer_id", "balance", "balance_limit", "threshold", "remaining"]),
}
def event_schema_name(event):
    return "WebhookEvent_" + event.replace(".", "_")
for event, data in EVENT_DATA.items():
    schemas[event_schema_name(event)] = obj({
        "id": {"type": "string", "description": "The event's id (also X-Gavel-Event-Id): drop a repeat."},
        "type": {"const": event}, "created_at": TIME,
        "test": {"type": "boolean", "description": "About a test lead: nothing was charged or paid."},
        "data": data,
    }, ["id", "type", "created_at", "test", "data"])
schemas["WebhookEvent"] = {"oneOf": [ref(event_schema_name(e)) for e in EVENT_TYPES]}
WEBHOOK_ID = [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}]
DELIVERY_ID = WEBHOOK_ID + [{"name": "delivery_id", "in": "path", "required": True, "schema": {"type": "string"}}]
WEBHOOK_NOTE = ("Any key: the operator's webhooks receive every event and the operator sees every webhook; a seller's and a "
                "buyer's receive only their own, scoped like their reports, and they see only their own (another's is 404).")
paths["/v1/webhooks"] = {
    "post": op("Register a webhook (its signing secret is shown once)", "webhooks",
               {**ok(ref("Webhook"), "201", "Created"), **problems("400", *AUTH, "409", "413", "422")}, body(ref("WebhookCreate")),
               description=WEBHOOK_NOTE + " 409 when the owner has 20 webhooks already. 422 lists every problem and changes nothing."),
    "get": op("List the webhooks this key may see (secrets masked)", "webhooks",
              {**ok({"type": "array", "items": ref("Webhook")}), **problems(*AUTH)}, description=WEBHOOK_NOTE),
}
paths["/v1/webhooks/{id}"] = {
    "get": op("Read a webhook (secret masked)", "webhooks", {**ok(ref("Webhook")), **problems(*AUTH, "404")}, params=WEBHOOK_ID),
    "delete": op("Delete a webhook and its deliveries", "webhooks", {"204": {"description": "Deleted"}, **problems(*AUTH, "404")},
                 params=WEBHOOK_ID),
}
paths["/v1/webhooks/{id}/deliveries"] = {"get": op(
    "A webhook's deliveries, newest first: status, attempts, last answer or error, next attempt, payload", "webhooks",
    {**ok({"type": "array", "items": ref("WebhookDelivery")}), **problems(*AUTH, "404", "422")},
    params=WEBHOOK_ID + [
        {"name": "status", "in": "query", "schema": {"type": "string", "enum": ["", "pending", "delivered", "failed"]},
         "description": "Only deliveries in this status; empty or left out for every status."},
        {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 100}}])}
paths["/v1/webhooks/{id}/deliveries/{delivery_id}/redeliver"] = {"post": op(
    "Send a delivery again: pending now, retried for a new window, same event id", "webhooks",
    {**ok(ref("WebhookDelivery"), "202", "Pending again"), **problems(*AUTH, "404")}, params=DELIVERY_ID)}

SEP = "[ ().+-]*"
schemas["ErasureRequest"] = {**obj({
    "phone": {"type": "string", "maxLength": 320,
              "pattern": "^[ \t\n\r]*" + SEP + "(1" + SEP + ")?[2-9]" + SEP + "[0-9]" + SEP + "[0-9]" + SEP + "[2-9](" + SEP + "[0-9]){6}"
                         + SEP + "[ \t\n\r]*$",
              "description": "A US phone number: 10 digits (an area code and exchange not starting with 0 or 1), optionally "
                             "after a 1, with any of ` ().+-` between them."},
    "email": {"type": "string", "maxLength": 320, "description": "An email address (compared lower-cased)."},
}, description="At least one of the two; docs/PRIVACY.md."), "minProperties": 1}
schemas["Erasure"] = obj({
    "id": {"type": "string"}, "kind": {"type": "string", "enum": ["request", "retention"]}, "at": TIME,
    "leads": {"type": "integer", "minimum": 0},
    "contact_keys": {"type": "array", "items": {"type": "string"},
                     "description": "The consumer's contact keys: keyed hashes (HMAC-SHA256 with the database's secret), never a phone or an email."},
    "received_before": nullable(TIME),
}, ["id", "kind", "at", "leads", "contact_keys", "received_before"])
paths["/v1/privacy/erasures"] = {
    "post": op("Erase a consumer's personal data from every lead of theirs", "operator",
               {**ok(ref("Erasure"), "201", "Erased and recorded"), **problems("400", *AUTH, "413", "422", "503")},
               body(ref("ErasureRequest")),
               description="Every lead whose contact keys match the phone or the email loses its personal fields (the vertical's "
                           "`pii` fields), its consent evidence and what buyers wrote back that repeats the consumer's data (post "
                           "reasons, buyer lead ids, redirect URLs, return reasons, webhook payloads); prices, sales, the ledger "
                           "and reports stay, and the contact keys stay as keyed hashes, so dedupe and suppression lists still "
                           "match. The erasure is recorded with the consumer's keyed contact keys. When no lead matches, the "
                           "answer is still 201 with `leads: 0` (and the request is recorded). See docs/PRIVACY.md."),
    "get": op("The recorded erasures, newest first", "operator",
              {**ok({"type": "array", "items": ref("Erasure")}), **problems(*AUTH, "422")},
              params=[{"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000}}]),
}

paths["/healthz"] = {"get": op("Liveness", "operations", ok(obj({"status": {"type": "string"}}, ["status"])), security=False)}
paths["/readyz"] = {"get": op("Readiness: the database is reachable and takes writes", "operations", {
    **ok(obj({"status": {"type": "string"}, "database": {"type": "string"}}, ["status"])),
    "503": {"description": "Not ready: the database cannot be reached or written (down, restarting, disk full)",
            "content": {"application/json": {"schema": {"type": "object"}}}}}, security=False,
    description="Each call writes one small row (SQLite) or the node's heartbeat (PostgreSQL) and answers within a few "
                "seconds; ready again as soon as the database is back.")}
paths["/metrics"] = {"get": op("Prometheus metrics", "operations", {
    "200": {"description": "Prometheus text", "content": {"text/plain": {"schema": {"type": "string"}}}}}, security=False)}
paths["/openapi.json"] = {"get": op("This document", "operations", {
    "200": {"description": "OpenAPI 3.1", "content": {"application/json": {"schema": {"type": "object"}}}}}, security=False)}

# The dashboard: server-rendered pages for people, signed in by API key into a session cookie
# (HttpOnly, SameSite=Strict), so not Bearer-authenticated: `security: []`. A page without a
# session redirects (303) to /login; every form carries the session's CSRF token (403 without).
HTML = {"text/html": {"schema": {"type": "string"}}}
def html(description="A page"):
    return {"description": description, "content": HTML}
SEE_OTHER = {"description": "Redirect (to /login without a session, or after a form)",
             "headers": {"Location": {"schema": {"type": "string"}}}}
PAGE_ERRORS = {"403": html("Not allowed for this session's role, or a form without a valid CSRF token"),
               "404": html("Not found, or not yours"), "422": html("Invalid input"),
               "503": html("The database is unavailable")}
FORM = lambda props, required=(): {"required": True, "content": {"application/x-www-form-urlencoded": {
    "schema": obj(dict(props, csrf={"type": "string"}), ["csrf", *required])}}}
CSV_FILE = {"description": "The table as RFC 4180 CSV", "content": CSV}
TABLE_PARAM = [{"name": "table", "in": "query", "schema": {"type": "string"}, "description": "Which table of the page."}]

def page(summary, params=None, responses=None, description=None):
    return op(summary, "dashboard", responses or {"200": html(), "303": SEE_OTHER, **PAGE_ERRORS}, params=params,
              security=False, description=description)

def csv_page(summary, params=None):
    return page(summary, params, {"200": CSV_FILE, "303": SEE_OTHER, **PAGE_ERRORS})

def form_post(summary, request, params=None):
    return op(summary, "dashboard", {"303": SEE_OTHER, **PAGE_ERRORS}, request, params, security=False)

paths["/"] = {"get": page("Overview: today and the last 24 hours, by hour, prices, sources, buyers and reasons; reloads every 5 s")}
paths["/overview.csv"] = {"get": csv_page("A table of the overview as CSV", TABLE_PARAM)}
paths["/reports.csv"] = {"get": csv_page(
    "GET /v1/reports as CSV for the signed-in identity",
    [{"name": "group_by", "in": "query", "required": True,
      "schema": {"type": "string", "enum": ["seller", "source", "buyer", "campaign", "vertical", "day", "hour"]}}] + RANGE[:2])}
paths["/chain-head.json"] = {"get": page(
    "The books' chain head as GET /v1/audit/chain-head gives it, to download and anchor (operator)",
    responses={"200": {"description": "The chain head", "content": {"application/json": {"schema": ref("ChainHead")}}},
               "303": SEE_OTHER, **PAGE_ERRORS})}
paths["/leads"] = {"get": page("Recent sold leads the viewer may see, by status; `id` opens a lead", [
    {"name": "status", "in": "query", "schema": {"type": "string", "enum": ["", "sold", "returned"]}},
    {"name": "id", "in": "query", "schema": {"type": "string"}}])}
paths["/leads.csv"] = {"get": csv_page("The leads list as CSV", [
    {"name": "status", "in": "query", "schema": {"type": "string", "enum": ["", "sold", "returned"]}}])}
paths["/leads/{id}"] = {"get": page("A lead's timeline, ledger entries and (operator) fields", ID_PARAM)}
paths["/leads/{id}/csv"] = {"get": csv_page("A table of a lead's page as CSV", ID_PARAM + TABLE_PARAM)}
paths["/insights"] = {"get": page("Bid guidance per campaign and segment (buyer; the operator picks a buyer)", [
    {"name": "buyer_id", "in": "query", "schema": {"type": "string"}}])}
paths["/insights/csv"] = {"get": csv_page("The insights table as CSV", TABLE_PARAM + [
    {"name": "buyer_id", "in": "query", "schema": {"type": "string"}}])}
paths["/privacy"] = {"get": page("Erase a consumer and the recorded erasures (operator)", [
    {"name": "done", "in": "query", "schema": {"type": "string"}}])}
paths["/privacy.csv"] = {"get": csv_page("The recorded erasures as CSV (operator)")}
paths["/privacy/erasures"] = {"post": form_post(
    "Erase a consumer's personal data by phone and/or email (operator), as POST /v1/privacy/erasures does",
    FORM({"phone": {"type": "string"}, "email": {"type": "string"}}))}
paths["/campaigns"] = {"get": page("Campaigns with status, circuit and today's caps (operator, buyer)")}
paths["/campaigns.csv"] = {"get": csv_page("The campaigns list as CSV")}
paths["/campaigns/{id}"] = {"get": page(
    "A campaign: bids, wins, spend versus caps, schedule, circuit; operator forms", ID_PARAM + [
        {"name": "lead", "in": "query", "schema": {"type": "string"},
         "description": "A seller sees a campaign only through a lead of its own that the campaign bought."}])}
paths["/campaigns/{id}/csv"] = {"get": csv_page("A table of a campaign's page as CSV", ID_PARAM + TABLE_PARAM)}
paths["/campaigns/{id}/status"] = {"post": form_post(
    "Pause or resume a campaign (operator)", FORM({"status": {"type": "string", "enum": ["active", "paused"]}}, ["status"]), ID_PARAM)}
paths["/campaigns/{id}/caps"] = {"post": form_post("Change a campaign's caps (operator; an empty field removes that cap)", FORM({
    name: {"type": "string"} for name in ["daily_leads", "weekly_leads", "monthly_leads", "daily_spend", "monthly_spend"]}), ID_PARAM)}
paths["/campaigns/{id}/test"] = {"post": op(
    "Run the test console on a campaign and show the calls (operator, the campaign's buyer)", "dashboard",
    {"200": html("The campaign's page with the test's calls"), "303": SEE_OTHER, **PAGE_ERRORS},
    FORM({"fields": {"type": "string", "description": "A lead's fields as JSON; empty for a sample lead."},
          "post": {"type": "string", "enum": ["on", ""]}}), ID_PARAM, security=False)}
paths["/sellers"] = {"get": page("Sellers with their status (operator); a seller is sent to its own page")}
paths["/sellers.csv"] = {"get": csv_page("The sellers list as CSV (operator)")}
paths["/sellers/{id}"] = {"get": page("A seller: status (operator form to change it) and links to its posting guides", ID_PARAM)}
paths["/sellers/{id}/spec"] = {"get": page(
    "A seller's posting guide in the dashboard (the list of guides without `vertical`)",
    ID_PARAM + [{"name": "vertical", "in": "query", "schema": {"type": "string"}}],
    {"200": {"description": "The guide (Markdown with Accept: text/markdown)", "content": {**HTML, **MARKDOWN}},
     "303": SEE_OTHER, **PAGE_ERRORS})}
paths["/sellers/{id}/status"] = {"post": form_post(
    "Change a seller's status (operator)", FORM({"status": {"type": "string", "enum": ["testing", "active", "paused"]}}, ["status"]),
    ID_PARAM)}
paths["/webhooks"] = {
    "get": page("The viewer's webhooks (every one for the operator) and the form that registers one"),
    "post": op("Register a webhook; the answering page shows its signing secret once", "dashboard",
               {"200": html("The webhooks page with the new webhook's secret"), "303": SEE_OTHER, **PAGE_ERRORS,
                "409": html("The owner has 20 webhooks already")},
               FORM({"url": {"type": "string"}, "description": {"type": "string"},
                     **{f"event:{e}": {"type": "string", "enum": ["on"]} for e in EVENT_TYPES}}, ["url"]), security=False),
}
paths["/webhooks/{id}"] = {"get": page("A webhook: its events and its deliveries with status, attempts and a redeliver button", WEBHOOK_ID + [
    {"name": "status", "in": "query", "schema": {"type": "string", "enum": ["pending", "delivered", "failed"]}}])}
paths["/webhooks/{id}/delete"] = {"post": form_post("Delete a webhook and its deliveries", FORM({}), WEBHOOK_ID)}
paths["/webhooks/{id}/deliveries/{delivery_id}/redeliver"] = {"post": form_post("Send a delivery again", FORM({}), DELIVERY_ID)}
paths["/login"] = {
    "get": op("The sign-in form, or sign in with a one-time link's token", "dashboard",
              {"200": html("The sign-in form"), "303": SEE_OTHER, "401": html("The link is invalid, used or expired")},
              params=[{"name": "token", "in": "query", "schema": {"type": "string"},
                       "description": "A one-time token from POST /v1/dashboard/links (never an API key)."}], security=False),
    "post": op("Sign in with an API key: starts a session cookie", "dashboard",
               {"303": SEE_OTHER, "401": html("The key is not valid"), "403": html("Missing or wrong CSRF token"),
                "413": {"description": "The form is over 64 KiB"}},
               FORM({"key": {"type": "string"}}, ["key"]), security=False),
}
paths["/logout"] = {"post": form_post("Sign out: ends the session", FORM({}))}
paths["/preferences"] = {"post": form_post("Set the viewer's time zone", FORM({"timezone": {"type": "string"}, "back": {"type": "string"}}, ["timezone"]))}
paths["/dashboard.css"] = {"get": op("The dashboard's style sheet", "dashboard", {
    "200": {"description": "CSS", "content": {"text/css": {"schema": {"type": "string"}}}}}, security=False)}
paths["/v1/dashboard/links"] = {"post": op(
    "Mint a one-time dashboard sign-in link for this key's identity", "dashboard",
    {**ok(obj({"url": {"type": "string"}, "expires_at": TIME}, ["url", "expires_at"]), "201", "Created"), **problems(*AUTH, "429")},
    description="The link (`/login?token=...`) works once, within 60 seconds, and signs its bearer in as this key's identity "
                "while the key stays valid. It carries a random token, never the key: for a browser that cannot send a key, "
                "such as a headless screenshot.")}

webhooks = {
    "ping": {"post": {
        "summary": "The exchange asks a remote campaign for a bid (non-personal fields only)",
        "description": "Signed: X-Gavel-Timestamp and X-Gavel-Signature: sha256=<hex HMAC-SHA256 of \"<timestamp>.<body>\" with the campaign secret>.",
        "requestBody": body(ref("BuyerPing")),
        "responses": {"200": {"description": "A bid, or {\"bid\": null} / {\"bid\": 0} for no bid",
                              "content": {"application/json": {"schema": ref("BuyerBid")}}},
                      "204": {"description": "No bid"}}}},
    "post": {"post": {
        "summary": "The exchange delivers the full lead to the winner at the price it bid",
        "requestBody": body(ref("BuyerPost")),
        "responses": {"200": {"description": "The buyer's verdict",
                              "content": {"application/json": {"schema": ref("BuyerPostAnswer")}}}}}},
}

for event in EVENT_TYPES:
    webhooks[event] = {"post": {
        "summary": f"The exchange tells a registered webhook of a {event} event",
        "description": "POSTed to each webhook subscribed to the event, scoped to its owner, signed like buyer calls: "
                       "X-Gavel-Timestamp and X-Gavel-Signature: sha256=<hex HMAC-SHA256 of \"<timestamp>.<body>\" with the "
                       "webhook's secret>; also X-Gavel-Event-Id, X-Gavel-Event, X-Gavel-Delivery-Id, X-Gavel-Webhook-Id and "
                       "X-Gavel-Attempt. Any 2xx accepts it; anything else (or no answer within 10 s) is retried with "
                       "exponential backoff and jitter for 24 hours.",
        "requestBody": body(ref(event_schema_name(event))),
        "responses": {"2XX": {"description": "Accepted (the body is not read)"}}}}

# The dashboard's pages (HTML for people, session cookie and CSRF token, not the API) carry
# `x-dashboard-page: true`: scripts/fuzz-api.sh leaves them out of its runs (docs/CONTRACT-NOTES.md).
for path, operations in paths.items():
    if not path.startswith("/v1/"):
        for operation in operations.values():
            if "dashboard" in operation["tags"]:
                operation["x-dashboard-page"] = True

doc = {
    "openapi": "3.1.0",
    "info": {"title": "Gavel", "version": "1.0.0",
             "description": "Real-time lead auction exchange (ping-post). Money is US dollars with at most 2 decimals."},
    "servers": [{"url": "/"}],
    "security": [{"bearer": []}, {"apiKey": []}],
    "tags": [{"name": t} for t in ["seller", "buyer", "operator", "reports", "webhooks", "operations", "dashboard"]],
    "paths": paths,
    "webhooks": webhooks,
    "components": {"schemas": schemas,
                   "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "description": "An API key."},
                                       "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key",
                                                  "description": "The same API key in a header of its own. Never in the URL."}}},
}

out = pathlib.Path(__file__).resolve().parent.parent / "Sources/GavelServer/Resources/openapi.json"
out.write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n")
print(f"wrote {out} ({len(paths)} paths)")
