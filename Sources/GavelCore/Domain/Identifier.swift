/// Rules for the ids operators and the exchange give to things.
public enum Identifier {
    /// Whether `text` is a usable id: 1–64 characters of letters, digits, `_`, `-`, `.` or `:`,
    /// starting with a letter or digit.
    public static func isValid(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard let first = bytes.first, bytes.count <= 64, isAlphanumeric(first) else { return false }
        return bytes.allSatisfy {
            isAlphanumeric($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: ":")
        }
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    /// Reads an optional `id` member, recording an error when it is malformed.
    static func read(_ reader: JSONReader, default fallback: String) -> String {
        guard let id = reader.string("id", maxLength: 64) else { return fallback }
        if !isValid(id) {
            reader.fail("id", "must be 1-64 letters, digits, '_', '-', '.' or ':', starting with a letter or digit")
        }
        return id
    }

    /// Whether `text` is an absolute http or https URL with a host.
    public static func isHTTPURL(_ text: String) -> Bool {
        let lower = text.lowercased()
        let rest: Substring
        if lower.hasPrefix("https://") {
            rest = lower.dropFirst(8)
        } else if lower.hasPrefix("http://") {
            rest = lower.dropFirst(7)
        } else {
            return false
        }
        let host = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        return !host.isEmpty && !host.contains(" ") && !text.contains(" ")
    }
}
