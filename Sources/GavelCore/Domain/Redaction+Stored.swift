/// What an erasure rewrites outside a lead's own record: buyers' return reasons and the
/// webhook outbox. Both are free text a buyer wrote after it had the full lead, so each is
/// dropped only when it repeats one of the consumer's personal values (see
/// ``Redaction/mentions(_:_:)``); everything else in them is a fact the books need.
extension Redaction {
    /// The replacement for a buyer's text that repeats a personal value; `nil` when the text
    /// is absent or kept as it is.
    public static func scrubbed(_ text: String?, values: [String]) -> String? {
        guard let text, mentions(text, values) else { return nil }
        return scrubbedReason
    }

    /// A webhook delivery's body (the JSON text as sent) with every `reason` member that
    /// repeats one of the values replaced by ``scrubbedReason``; `nil` when nothing changes or
    /// the body is not JSON. Only `reason` members carry a buyer's words (a return's reason);
    /// the rest of a payload is ids, statuses, times and money.
    public static func scrubWebhookBody(_ body: String, values: [String]) -> String? {
        guard let json = try? JSONParser.parse(Array(body.utf8), limits: .trusted) else { return nil }
        let scrubbed = scrubReasons(json, values)
        return scrubbed == json ? nil : JSONWriter.string(scrubbed)
    }

    private static func scrubReasons(_ json: JSONValue, _ values: [String]) -> JSONValue {
        switch json {
        case .object(let members):
            .object(members.reduce(into: [:]) { result, member in result[member.key] = scrubMember(member.key, member.value, values) })
        case .array(let items): .array(items.map { scrubReasons($0, values) })
        default: json
        }
    }

    private static func scrubMember(_ key: String, _ value: JSONValue, _ values: [String]) -> JSONValue {
        if key == "reason", let text = value.stringValue, mentions(text, values) { return .string(scrubbedReason) }
        return scrubReasons(value, values)
    }
}
