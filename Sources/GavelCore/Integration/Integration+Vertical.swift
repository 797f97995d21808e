extension Integration {
    /// What is wrong with the integration for a vertical: fields it does not have and, in the
    /// ping, any personal field or value that only exists at post time. Personal data leaves
    /// the exchange only in the winner's post.
    public func problems(vertical: Vertical, path: String = "delivery.integration") -> [FieldError] {
        var errors: [FieldError] = []
        for (role, call) in [("ping", ping), ("post", post)] {
            for (place, reference) in call?.references ?? [] {
                let at = "\(path).\(role).\(place)"
                if let problem = Self.problem(reference, vertical: vertical, inPing: role == "ping") {
                    errors.append(FieldError(field: at, message: problem))
                }
            }
        }
        return errors
    }

    private static func problem(_ reference: SourceRef, vertical: Vertical, inPing: Bool) -> String? {
        if case .field(let name) = reference {
            guard let spec = vertical.field(named: name) else { return "'\(name)' is not a field of vertical '\(vertical.id)'" }
            if inPing && spec.pii { return "'\(name)' is personal: a ping may carry only non-personal fields (send it in the post)" }
            return nil
        }
        if inPing && !reference.isKnownBeforePost { return "'\(reference.text)' exists only when the lead is posted" }
        return nil
    }

    /// Every URL the integration calls, with where it is given, as the SSRF guard checks it
    /// (placeholders left empty; the host is always written out).
    public var urls: [(field: String, url: String)] {
        [("ping", ping), ("post", post)].compactMap { role, call in
            call.map { ("delivery.integration.\(role).url", $0.url.staticPrefixURL) }
        }
    }

    /// The integration with every secret left empty (masked on the wire) taken from `stored`.
    public func keepingSecrets(of stored: Integration?) -> Integration {
        var copy = self
        for (name, value) in secrets where value.isEmpty {
            copy.secrets[name] = stored?.secrets[name] ?? ""
        }
        return copy
    }

    /// The names of secrets that have no value (given as the mask with nothing stored).
    public var emptySecrets: [String] {
        secrets.filter { $0.value.isEmpty }.keys.sorted()
    }
}
