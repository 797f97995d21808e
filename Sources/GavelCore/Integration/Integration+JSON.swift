extension Integration {
    /// The wire form; secrets are masked unless `revealSecrets` (the stored form only).
    public func json(revealSecrets: Bool = false) -> JSONValue {
        var members: [String: JSONValue] = [
            "secrets": .object(secrets.mapValues { .string(revealSecrets ? $0 : Self.maskedSecret) }), "sign": .bool(sign),
        ]
        if let ping { members["ping"] = ping.json(role: .ping) }
        if let post { members["post"] = post.json(role: .post) }
        return .object(members)
    }
}

extension Integration.Call {
    func json(role: Role) -> JSONValue {
        var members: [String: JSONValue] = [
            "method": .string(method.rawValue), "url": .string(url.text), "encoding": .string(encoding.rawValue),
            "headers": .object(Dictionary(uniqueKeysWithValues: headers.map { ($0.name, JSONValue.string($0.value.text)) })),
            "query": .array(query.map(\.json)), "body": .array(body.map(\.json)), "response": response.json,
        ]
        if let xmlRoot { members["xml_root"] = .string(xmlRoot) }
        if let auth { members["auth"] = auth.json }
        if role == .post { members["lower_price"] = .string(lowerPrice.rawValue) }
        return .object(members)
    }
}

extension Integration.Auth {
    var json: JSONValue {
        switch self {
        case .basic(let user, let password): ["type": "basic", "username": .string(user.text), "password": .string(password.text)]
        case .bearer(let token): ["type": "bearer", "token": .string(token.text)]
        }
    }
}

extension FieldMapping {
    var json: JSONValue {
        var members: [String: JSONValue] = ["to": .string(to)]
        switch source {
        case .reference(let reference): members["from"] = .string(reference.text)
        case .constant(let value): members["value"] = value
        case .template(let template): members["template"] = .string(template.text)
        }
        if let fallback { members["default"] = fallback }
        members.merge(transform.json) { _, new in new }
        return .object(members)
    }
}

extension ValueTransform {
    var json: [String: JSONValue] {
        var members: [String: JSONValue] = [:]
        if let map { members["map"] = .object(map) }
        if let boolean { members["boolean"] = [boolean.whenTrue, boolean.whenFalse] }
        if let date { members["date"] = .string(date.text) }
        if let phone { members["phone"] = .string(phone.rawValue) }
        if let letterCase { members["case"] = .string(letterCase.rawValue) }
        if let maxLength { members["max_length"] = .number(Number(maxLength)) }
        if let type { members["type"] = .string(type.rawValue) }
        return members
    }
}

extension ResponseRules {
    var json: JSONValue {
        var members: [String: JSONValue] = ["format": .string(format.rawValue), "price_unit": .string(priceUnit.rawValue)]
        if let readStatuses { members["read_statuses"] = .array(readStatuses.map { .number(Number($0)) }) }
        if !statusOutcomes.isEmpty {
            members["status_outcomes"] = .object(
                Dictionary(uniqueKeysWithValues: statusOutcomes.map { (String($0.key), .string($0.value.rawValue)) }))
        }
        for (key, matchers) in [("accept", accept), ("reject", reject), ("duplicate", duplicate)] where !matchers.isEmpty {
            members[key] = matchers.count == 1 ? matchers[0].json : .array(matchers.map(\.json))
        }
        let selectors = [("price", price), ("bid_id", bidID), ("reason", reason), ("lead_id", leadID), ("redirect_url", redirectURL)]
        for case let (key, selector?) in selectors { members[key] = selector.json }
        if !captures.isEmpty { members["captures"] = .object(captures.mapValues(\.json)) }
        return .object(members)
    }
}

extension Selector {
    var json: JSONValue {
        if regex == nil, let path { return .string(path.text) }
        return .object(members)
    }

    var members: [String: JSONValue] {
        var members: [String: JSONValue] = [:]
        if let path { members["path"] = .string(path.text) }
        if let regex { members["regex"] = .string(regex) }
        return members
    }
}

extension Matcher {
    var json: JSONValue {
        var members = selector.members
        switch test {
        case .equals(let values): members["equals"] = .array(values.map(JSONValue.string))
        case .exists(let flag): members["exists"] = .bool(flag)
        case .matches(let pattern): members["matches"] = .string(pattern)
        }
        if ignoreCase { members["ignore_case"] = true }
        return .object(members)
    }
}
