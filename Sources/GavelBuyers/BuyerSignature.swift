import Crypto
import GavelCore

/// The HMAC signature on every call the exchange makes to a buyer (CONTRACT.md, "Buyer protocol").
///
/// The exchange sends `X-Gavel-Timestamp: <unix seconds>` and
/// `X-Gavel-Signature: sha256=<lower-case hex HMAC-SHA256 of "<timestamp>.<body>">`, keyed with
/// the campaign's secret. A buyer checks a call with ``verify(signature:timestamp:body:secret:now:toleranceSeconds:)``,
/// which compares in constant time and refuses stale timestamps (replays).
public enum BuyerSignature {
    /// The header carrying the signing time in unix seconds.
    public static let timestampHeader = "X-Gavel-Timestamp"
    /// The header carrying `sha256=<hex>`.
    public static let signatureHeader = "X-Gavel-Signature"
    /// The prefix of the signature header's value.
    public static let scheme = "sha256="
    /// How far a timestamp may be from the verifier's clock by default, in seconds.
    public static let defaultToleranceSeconds: Int64 = 300

    /// The signature header value for a body signed at `timestamp` (unix seconds).
    public static func sign(body: [UInt8], timestamp: Int64, secret: String) -> String {
        sign(body: body, timestamp: String(timestamp), secret: secret)
    }

    /// The signature header value for a body signed at a timestamp given as the header's text.
    public static func sign(body: [UInt8], timestamp: String, secret: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: message(body: body, timestamp: timestamp), using: key(secret))
        return scheme + Hex.encode(Array(code))
    }

    /// The two signing headers for a body, as (name, value) pairs.
    public static func headers(body: [UInt8], secret: String, at time: Timestamp) -> [(name: String, value: String)] {
        let seconds = time.seconds
        return [(timestampHeader, String(seconds)), (signatureHeader, sign(body: body, timestamp: seconds, secret: secret))]
    }

    /// Whether `signature` is the signature of `body` at `timestamp` under `secret`, compared in
    /// constant time. Does not look at the timestamp's age; see ``verify(signature:timestamp:body:secret:now:toleranceSeconds:)``.
    public static func isValid(signature: String, timestamp: String, body: [UInt8], secret: String) -> Bool {
        guard isTimestamp(timestamp), signature.hasPrefix(scheme),
            let code = Hex.decode(signature.dropFirst(scheme.count)), code.count == SHA256.byteCount
        else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(code, authenticating: message(body: body, timestamp: timestamp), using: key(secret))
    }

    /// Checks a received call: both headers present, the signature valid, and the timestamp
    /// within `toleranceSeconds` of `now` (pass `nil` to skip the age check).
    public static func verify(
        signature: String?, timestamp: String?, body: [UInt8], secret: String, now: Timestamp?,
        toleranceSeconds: Int64 = defaultToleranceSeconds
    ) -> Bool {
        guard let signature, let timestamp, let seconds = Int64(timestamp) else { return false }
        if let now, abs(now.seconds - seconds) > toleranceSeconds { return false }
        return isValid(signature: signature, timestamp: timestamp, body: body, secret: secret)
    }

    private static func message(body: [UInt8], timestamp: String) -> [UInt8] {
        var bytes = Array(timestamp.utf8)
        bytes.reserveCapacity(bytes.count + 1 + body.count)
        bytes.append(UInt8(ascii: "."))
        bytes.append(contentsOf: body)
        return bytes
    }

    private static func key(_ secret: String) -> SymmetricKey {
        SymmetricKey(data: Array(secret.utf8))
    }

    private static func isTimestamp(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 19 && text.utf8.allSatisfy { (0x30...0x39).contains($0) }
    }
}

/// Lower-case hexadecimal text.
enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    /// The lower-case hex text of bytes.
    static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes of hex text (either case); `nil` when it is not hex or has an odd length.
    static func decode(_ text: some StringProtocol) -> [UInt8]? {
        let chars = Array(text.utf8)
        guard chars.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(chars.count / 2)
        var index = 0
        while index < chars.count {
            guard let high = value(chars[index]), let low = value(chars[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    private static func value(_ char: UInt8) -> UInt8? {
        switch char {
        case 0x30...0x39: char - 0x30
        case 0x61...0x66: char - 0x61 + 10
        case 0x41...0x46: char - 0x41 + 10
        default: nil
        }
    }
}
