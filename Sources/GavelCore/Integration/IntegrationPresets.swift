/// Ready integrations for the API shapes buyers commonly have, to copy into a campaign's
/// `delivery.integration` and edit (URLs, secrets, field names). Each is written for one
/// built-in vertical and passes the same checks as any campaign.
public enum IntegrationPresets {
    /// One preset.
    public struct Preset: Sendable, Hashable {
        /// Its id.
        public var id: String
        /// A short name.
        public var name: String
        /// What kind of buyer API it fits, and what to change.
        public var description: String
        /// The vertical its field names come from.
        public var vertical: String
        /// The integration's wire form (`null` for the native protocol).
        public var integration: JSONValue

        /// The wire form.
        public var json: JSONValue {
            [
                "id": .string(id), "name": .string(name), "description": .string(description), "vertical": .string(vertical),
                "integration": integration,
            ]
        }
    }

    /// Every preset, the native protocol first.
    public static var all: [Preset] {
        [native, jsonAuction, formPingPost, getXML, nestedXML, plainText]
    }

    static func preset(_ id: String, _ name: String, _ vertical: String, _ description: String, _ text: String) -> Preset {
        // The texts below are constants checked by the test suite; a typo fails a test, not a request.
        let value = (try? JSONParser.parse(Array(text.utf8), limits: .trusted)) ?? .null
        return Preset(id: id, name: name, description: description, vertical: vertical, integration: value)
    }

    static let native = Preset(
        id: "native", name: "Gavel native protocol",
        description:
            "No integration: the buyer implements the wire contract's signed JSON ping and post (X-Gavel-Signature). Leave delivery.integration out and set ping_url and post_url.",
        vertical: "auto_insurance", integration: .null)

    static let jsonAuction = preset(
        "json-auction", "JSON ping/post with an auction id", "health_insurance",
        "JSON both ways, bearer token, numbers and spellings the buyer's own way (zip as a number, Y/N, M/F); the ping's auction id is captured and sent back in the post. A date of birth is personal in the built-in verticals, so it goes in the post.",
        """
        {"secrets": {"token": "REPLACE_WITH_THE_BUYERS_TOKEN"},
         "ping": {"method": "POST", "url": "https://buyer.example.com/api/ping", "encoding": "json",
                  "auth": {"type": "bearer", "token": "{{$secret.token}}"},
                  "body": [{"to": "vendorId", "value": "REPLACE_WITH_YOUR_VENDOR_ID"},
                           {"to": "zip", "from": "zip", "type": "integer"},
                           {"to": "tobacco", "from": "tobacco_use", "boolean": ["Y", "N"], "default": false},
                           {"to": "gender", "from": "gender", "map": {"male": "M", "female": "F", "other": "U"}},
                           {"to": "src", "from": "$source"},
                           {"to": "test", "from": "$test", "boolean": [true, null]}],
                  "response": {"format": "json", "accept": {"path": "response", "equals": "success"},
                               "price": "bid", "reason": "details", "captures": {"auction_id": "leadAuctionId"}}},
         "post": {"method": "POST", "url": "https://buyer.example.com/api/post", "encoding": "json",
                  "auth": {"type": "bearer", "token": "{{$secret.token}}"},
                  "body": [{"to": "leadAuctionId", "from": "$capture.auction_id"},
                           {"to": "firstName", "from": "first_name"}, {"to": "lastName", "from": "last_name"},
                           {"to": "email", "from": "email"}, {"to": "phone", "from": "phone"},
                           {"to": "birthday", "from": "birth_date", "date": "MM/DD/YYYY"}],
                  "response": {"format": "json", "accept": {"path": "response", "equals": "success"}, "reason": "details"}}}
        """)

    static let formPingPost = preset(
        "form-ping-post", "Form-encoded ping/post, key in the body", "auto_insurance",
        "application/x-www-form-urlencoded requests with the campaign id and key as body members, JSON answers with a status word; the ping id is captured for the post. An ERROR answer that carries a lead_id still reads as a rejection.",
        """
        {"secrets": {"key": "REPLACE_WITH_THE_BUYERS_KEY"},
         "ping": {"method": "POST", "url": "https://buyer.example.com/ping", "encoding": "form",
                  "body": [{"to": "lp_campaign_id", "value": "REPLACE_WITH_CAMPAIGN_ID"}, {"to": "lp_key", "from": "$secret.key"},
                           {"to": "zip_code", "from": "zip"}, {"to": "state", "from": "state"},
                           {"to": "lp_action", "from": "$test", "boolean": ["test", null]}],
                  "response": {"format": "json", "accept": {"path": "status", "equals": "ACCEPTED"},
                               "price": "payout", "reason": "message", "captures": {"ping_id": "ping_id"}}},
         "post": {"method": "POST", "url": "https://buyer.example.com/post", "encoding": "form",
                  "body": [{"to": "lp_campaign_id", "value": "REPLACE_WITH_CAMPAIGN_ID"}, {"to": "lp_key", "from": "$secret.key"},
                           {"to": "lp_ping_id", "from": "$capture.ping_id"},
                           {"to": "first_name", "from": "first_name"}, {"to": "last_name", "from": "last_name"},
                           {"to": "email", "from": "email"}, {"to": "phone", "from": "phone"},
                           {"to": "lp_action", "from": "$test", "boolean": ["test", null]}],
                  "response": {"format": "json", "accept": {"path": "status", "equals": "ACCEPTED"},
                               "duplicate": {"path": "status", "equals": "DUPLICATED"},
                               "reject": {"path": "status", "equals": "ERROR"},
                               "price": "payout", "lead_id": "lead_id", "reason": "message"}}}
        """)

    static let getXML = preset(
        "get-xml", "GET with query parameters, XML answers", "auto_insurance",
        "The ping is a GET whose values are query parameters, with HTTP Basic credentials; answers are XML. The post answer names a landing page for the consumer (redirect_url).",
        """
        {"secrets": {"password": "REPLACE_WITH_THE_PASSWORD"},
         "ping": {"method": "GET", "url": "https://buyer.example.com/ping", "encoding": "none",
                  "auth": {"type": "basic", "username": "REPLACE_WITH_USER", "password": "{{$secret.password}}"},
                  "query": [{"to": "zip", "from": "zip"}, {"to": "state", "from": "state"},
                            {"to": "age", "from": "age"}, {"to": "test", "from": "$test", "boolean": ["1", "0"]}],
                  "response": {"format": "xml", "accept": {"path": "response.result", "equals": "success"},
                               "price": "response.price", "reason": "response.reason", "captures": {"ping_id": "response.ping_id"}}},
         "post": {"method": "POST", "url": "https://buyer.example.com/post", "encoding": "form",
                  "auth": {"type": "basic", "username": "REPLACE_WITH_USER", "password": "{{$secret.password}}"},
                  "body": [{"to": "ping_id", "from": "$capture.ping_id"}, {"to": "first_name", "from": "first_name"},
                           {"to": "last_name", "from": "last_name"}, {"to": "phone", "from": "phone", "phone": "dashed"},
                           {"to": "email", "from": "email"}],
                  "response": {"format": "xml", "accept": {"path": "response.result", "equals": "success"},
                               "duplicate": {"path": "response.result", "equals": "duplicate"},
                               "price": "response.price", "lead_id": "response.lead_id", "reason": "response.reason",
                               "redirect_url": "response.redirect_url"},
                  "lower_price": "reject"}}
        """)

    static let nestedXML = preset(
        "xml-nested", "XML requests, nested XML answers", "auto_insurance",
        "XML bodies with the key inside; the bid sits in a nested element and only the status Matched is a bid (an Unmatched answer may still carry a best_bid).",
        """
        {"secrets": {"api_key": "REPLACE_WITH_THE_API_KEY"},
         "ping": {"method": "POST", "url": "https://buyer.example.com/ping", "encoding": "xml", "xml_root": "request",
                  "body": [{"to": "auth.api_key", "from": "$secret.api_key"}, {"to": "lead.zip", "from": "zip"},
                           {"to": "lead.state", "from": "state"}, {"to": "lead.homeowner", "from": "homeowner", "boolean": ["Yes", "No"]},
                           {"to": "test", "from": "$test", "boolean": ["1", "0"]}],
                  "response": {"format": "xml", "accept": {"path": "response.status", "equals": "Matched"},
                               "price": "response.process_information.best_bid", "reason": "response.status",
                               "captures": {"lead_id": "response.lead_id"}}},
         "post": {"method": "POST", "url": "https://buyer.example.com/post", "encoding": "xml", "xml_root": "request",
                  "body": [{"to": "auth.api_key", "from": "$secret.api_key"}, {"to": "lead_id", "from": "$capture.lead_id"},
                           {"to": "contact.first_name", "from": "first_name"}, {"to": "contact.last_name", "from": "last_name"},
                           {"to": "contact.phone", "from": "phone"}, {"to": "contact.email", "from": "email"}],
                  "response": {"format": "xml", "accept": {"path": "response.status", "equals": "Accepted"},
                               "duplicate": {"path": "response.status", "equals": "Duplicate"},
                               "lead_id": "response.lead_id", "reason": "response.reason"}}}
        """)

    static let plainText = preset(
        "plain-text", "Plain-text answers read with regular expressions", "solar",
        "For buyers that answer lines of text such as 'ACCEPTED price=12.50 id=9': regular expressions with one capture group read the verdict, the price and the id.",
        """
        {"secrets": {"key": "REPLACE_WITH_THE_KEY"},
         "ping": {"method": "POST", "url": "https://buyer.example.com/ping", "encoding": "form",
                  "headers": {"X-Api-Key": "{{$secret.key}}"},
                  "body": [{"to": "zip", "from": "zip"}, {"to": "homeowner", "from": "homeowner", "boolean": ["1", "0"]},
                           {"to": "bill", "from": "monthly_electric_bill"}],
                  "response": {"format": "text", "accept": {"matches": "^ACCEPTED"}, "price": {"regex": "price=([0-9.]+)"},
                               "captures": {"token": {"regex": "id=([A-Za-z0-9-]+)"}}}},
         "post": {"method": "POST", "url": "https://buyer.example.com/post", "encoding": "form",
                  "headers": {"X-Api-Key": "{{$secret.key}}"},
                  "body": [{"to": "id", "from": "$capture.token"}, {"to": "name", "template": "{{first_name}} {{last_name}}"},
                           {"to": "phone", "from": "phone", "phone": "e164"}, {"to": "zip", "from": "zip"}],
                  "response": {"format": "text", "accept": {"matches": "^ACCEPTED"}, "reason": {"regex": "reason=(.*)$"}}}}
        """)
}
