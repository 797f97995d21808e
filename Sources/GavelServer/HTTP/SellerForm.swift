import Foundation
import GavelCore

/// How a seller POST's body is written: JSON (the default, as in v1) or an HTML form.
enum SellerBodyFormat: Sendable {
    /// `application/json`, or no or any other content type (the v1 behaviour).
    case json
    /// `application/x-www-form-urlencoded`.
    case form

    /// The format a `Content-Type` names; 415 for `multipart/form-data`, which is not read.
    init(contentType: String?) throws {
        let mediaType =
            contentType?.split(separator: ";", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        switch mediaType {
        case "application/x-www-form-urlencoded": self = .form
        case "multipart/form-data": throw Problem.multipartUnsupported
        default: self = .json
        }
    }

    /// The request document the body holds, in the JSON shape of `route`.
    func document(_ bytes: [UInt8], route: SellerForm.Route) throws -> JSONValue {
        switch self {
        case .json: try JSONIO.parse(bytes)
        case .form: try SellerForm.document(bytes, route: route)
        }
    }
}

/// A seller's lead, ping or post sent as an HTML form, read into the JSON document the same
/// request would carry, so forms and JSON share one validation, one answer and one set of
/// errors:
///
/// - `vertical`, `source` and `test` (and `ping_id` on `/v1/post`) are the envelope; `test`
///   takes true/false, 1/0, yes/no, y/n and on/off;
/// - `tcpa_text`, `trustedform_cert_url`, `leadid_token` and `consent[name]` are the consent;
/// - `fields[name]` is a lead field, and so is every other name (a field named like an
///   envelope member is sent as `fields[name]`).
///
/// Field values stay text: the vertical's validation converts text to each field's type as it
/// converts JSON strings, so an unconvertible value is a 422 naming the field, and an unknown
/// name is refused as an unknown JSON field is.
enum SellerForm {
    /// Which request the form is.
    enum Route: Sendable {
        /// `POST /v1/leads` or `POST /v1/ping`.
        case lead
        /// `POST /v1/post`.
        case post

        /// The envelope's names.
        var envelope: Set<String> {
            switch self {
            case .lead: ["vertical", "source", "test"]
            case .post: ["ping_id", "vertical", "source", "test"]
            }
        }
    }

    /// The consent fields the contract names.
    static let consentNames: Set<String> = ["tcpa_text", "trustedform_cert_url", "leadid_token"]

    /// The most names one form may hold, as for the members of one JSON object.
    static let maxPairs = 1_000
    /// The longest value, as for a JSON string.
    static let maxValueBytes = 65_536

    /// The JSON document of a form body: 400 when it is not URL-encoding, 422 for a name given
    /// twice, a value without a name or a body over the limits.
    static func document(_ bytes: [UInt8], route: Route) throws -> JSONValue {
        let pairs = try FormPairs.parse(bytes)
        var document: [String: JSONValue] = [:]
        var fields: [String: JSONValue] = [:]
        var consent: [String: JSONValue] = [:]
        var errors: [FieldError] = []
        var seen = Set<String>()
        for (name, value) in pairs {
            let target = place(name, route: route)
            guard seen.insert(target.path).inserted else {
                errors.append(FieldError(field: target.path, message: "is given more than once"))
                continue
            }
            guard value.utf8.count <= maxValueBytes else {
                errors.append(FieldError(field: target.path, message: "must be at most \(maxValueBytes) bytes"))
                continue
            }
            switch target {
            case .envelope(let key): if let member = envelopeValue(key, value) { document[key] = member }
            case .consent(let key): if !value.isEmpty { consent[key] = .string(value) }
            case .field(let key): fields[key] = .string(value)
            }
        }
        if let failure = ValidationFailure(nonEmpty: errors) { throw Problem.invalid(failure) }
        document["fields"] = .object(fields)
        if !consent.isEmpty { document["consent"] = .object(consent) }
        return .object(document)
    }

    /// Where a form name goes in the JSON document.
    enum Target: Equatable {
        /// A top-level member.
        case envelope(String)
        /// A member of `consent`.
        case consent(String)
        /// A member of `fields`.
        case field(String)

        /// Its path, as problem+json names it.
        var path: String {
            switch self {
            case .envelope(let key): key
            case .consent(let key): "consent.\(key)"
            case .field(let key): "fields.\(key)"
            }
        }
    }

    static func place(_ name: String, route: Route) -> Target {
        if let inner = bracketed(name, "fields") { return .field(inner) }
        if let inner = bracketed(name, "consent") { return .consent(inner) }
        if route.envelope.contains(name) { return .envelope(name) }
        if consentNames.contains(name) { return .consent(name) }
        return .field(name)
    }

    /// `inner` of `prefix[inner]` or `prefix.inner`.
    private static func bracketed(_ name: String, _ prefix: String) -> String? {
        if name.hasPrefix(prefix + "["), name.hasSuffix("]"), name.count > prefix.count + 2 {
            return String(name.dropFirst(prefix.count + 1).dropLast())
        }
        if name.hasPrefix(prefix + "."), name.count > prefix.count + 1 { return String(name.dropFirst(prefix.count + 1)) }
        return nil
    }

    /// An envelope member: `test` as a boolean when it is one, an empty `test` as absent;
    /// anything else as text (so a bad `test` is refused as in JSON).
    private static func envelopeValue(_ key: String, _ value: String) -> JSONValue? {
        guard key == "test" else { return .string(value) }
        if value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return nil }
        if case .success(let flag) = FieldSpec.normalizeBoolean(.string(value)) { return flag }
        return .string(value)
    }
}

/// The name-value pairs of an `application/x-www-form-urlencoded` body, strictly: `+` is a
/// space, `%XX` a byte, and the decoded bytes must be UTF-8.
enum FormPairs {
    /// The pairs in order; 400 for a malformed escape or text that is not UTF-8, 422 for a
    /// value without a name or more than ``SellerForm/maxPairs`` pairs.
    static func parse(_ bytes: [UInt8]) throws -> [(String, String)] {
        var pairs: [(String, String)] = []
        for part in bytes.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let halves = part.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            let name = try decode(halves[0])
            let value = halves.count > 1 ? try decode(halves[1]) : ""
            guard !name.isEmpty else { throw Problem.invalid(field: "body", "has a value without a name") }
            pairs.append((name, value))
            guard pairs.count <= SellerForm.maxPairs else {
                throw Problem.invalid(field: "body", "has more than \(SellerForm.maxPairs) fields")
            }
        }
        return pairs
    }

    /// One name or value, percent-decoded.
    static func decode(_ text: ArraySlice<UInt8>) throws -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.count)
        var index = text.startIndex
        while index < text.endIndex {
            let byte = text[index]
            switch byte {
            case UInt8(ascii: "+"): out.append(0x20)
            case UInt8(ascii: "%"):
                guard index + 2 < text.endIndex, let high = hexValue(text[index + 1]), let low = hexValue(text[index + 2])
                else { throw Problem.unparseableForm("'%' must be followed by two hexadecimal digits.") }
                out.append(high << 4 | low)
                index += 2
            default: out.append(byte)
            }
            index += 1
        }
        guard let decoded = String(validating: out, as: UTF8.self) else {
            throw Problem.unparseableForm("The decoded text is not UTF-8.")
        }
        return decoded
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
