import GavelCore
import Hummingbird

/// The buyer API: suppression lists (and, with the money issue, returns, conversions and the
/// buyer's leads). A list arrives as plain SHA-256 digests and is stored as the contact keys
/// they match (keyed with the database's secret), so it matches leads without the exchange
/// keeping plain digests of anyone.
struct BuyerRoutes {
    let store: any SuppressionStore
    let hasher: any ContactHasher

    /// The most hashes of each kind per request: both lists full still fit the 1 MiB body.
    static let maxHashesPerKind = 7_500

    /// Limits for suppression uploads (the lists' lengths are checked after parsing).
    static let suppressionLimits = JSONParser.Limits(maxDepth: 4, maxContainerCount: 20_000, maxStringBytes: 128)

    func register(on router: Routes) {
        router.post("/v1/buyer/suppressions") { request, context in
            let buyer = try context.requireBuyer()
            var request = request
            let buffer = try await request.collectBody(upTo: context.maxUploadSize)
            let hashes = try Self.parseHashes(Array(buffer.readableBytesView))
            let size = try await store.addSuppressions(buyerID: buyer, hashes: hashes.compactMap(hasher.contactKey(sha256Hex:)))
            return JSONIO.response(["added": .number(Number(hashes.count)), "size": .number(Number(size))])
        }
        router.delete("/v1/buyer/suppressions") { _, context in
            let buyer = try context.requireBuyer()
            try await store.clearSuppressions(buyerID: buyer)
            return Response(status: .noContent)
        }
    }

    /// Reads `{"phone_sha256": [...], "email_sha256": [...]}`: lower- or upper-case hex SHA-256
    /// digests, returned lower-cased.
    static func parseHashes(_ bytes: [UInt8]) throws -> [String] {
        let json: JSONValue
        do {
            json = try JSONParser.parse(bytes, limits: suppressionLimits)
        } catch {
            throw error.kind == .syntax ? Problem.unparseable(error.description) : Problem.invalid(field: "body", error.description)
        }
        let log = FieldErrorLog()
        guard let reader = JSONReader(json, log: log) else { throw Problem.invalid(ValidationFailure(log.errors)) }
        reader.rejectUnknown(["phone_sha256", "email_sha256"])
        reader.rejectNulls()
        var hashes: [String] = []
        for key in ["phone_sha256", "email_sha256"] {
            let values = reader.array(key) ?? []
            guard values.count <= maxHashesPerKind else {
                log.add(key, "must hold at most \(maxHashesPerKind) hashes; send the rest in another request")
                continue
            }
            for (offset, value) in values.enumerated() {
                guard let text = value.stringValue?.lowercased(), isSHA256Hex(text) else {
                    log.add("\(key)[\(offset)]", "must be a SHA-256 digest in hex (64 characters)")
                    continue
                }
                hashes.append(text)
            }
        }
        try log.throwIfAny()
        return hashes
    }

    static func isSHA256Hex(_ text: String) -> Bool {
        text.utf8.count == 64
            && text.utf8.allSatisfy {
                (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0)
            }
    }
}
