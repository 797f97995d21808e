import GavelCore
import GavelStoreSupport

/// A lead's pings, posts and skips as one compact BLOB on its row (`leads.records`), in order:
/// one column write per lead instead of a row and an index entry per ping. Reports read the
/// rollups, so nothing queries these records but the lead's own detail.
///
/// Format (version 2): a version byte, then for each list its count and items; integers are
/// zig-zag LEB128 varints, strings a length and UTF-8 bytes, optionals a 0/1 byte first.
/// Version 2 adds to each ping its HTTP status and captured values (JSON text), and to each
/// post its HTTP status, confirmed price and redirect URL; version 3 appends the auction's
/// note (its floor decision and order) as an optional; version 4 adds to the note the rejection
/// cost of quality ranking (an optional); versions 1 to 3 still read.
enum LeadRecordsCodec {
    static let version: UInt8 = 4

    /// A lead's decoded records.
    struct Records {
        var pings: [PingRecord]
        var posts: [PostRecord]
        var skips: [SkipRecord]
        var note: AuctionNote?
    }

    /// The records of an outcome.
    static func encode(_ outcome: LeadOutcome) -> [UInt8] {
        encode(pings: outcome.pings, posts: outcome.posts, skips: outcome.skips, note: outcome.note)
    }

    /// The records of an outcome, by part.
    static func encode(pings: [PingRecord], posts: [PostRecord], skips: [SkipRecord], note: AuctionNote? = nil) -> [UInt8] {
        var writer = ByteWriter()
        writer.bytes.reserveCapacity(16 + pings.count * 40 + posts.count * 48 + skips.count * 16)
        writer.bytes.append(version)
        writer.int(Int64(pings.count))
        for ping in pings { write(ping, to: &writer) }
        writer.int(Int64(posts.count))
        for post in posts { write(post, to: &writer) }
        writer.int(Int64(skips.count))
        for skip in skips {
            writer.string(skip.campaignID)
            writer.string(skip.reason.rawValue)
        }
        writer.optional(note) { write($1, to: &$0) }
        return writer.bytes
    }

    /// Reads stored records; ``StorageError/unavailable(_:)`` when they are corrupt.
    static func decode(_ bytes: [UInt8], leadID: String) throws -> Records {
        var reader = ByteReader(bytes: bytes)
        do {
            let stored = try reader.byte()
            guard (1...version).contains(stored) else { throw ByteReader.Failure() }
            let pings = try (0..<reader.count()).map { _ in try ping(&reader, version: stored) }
            let posts = try (0..<reader.count()).map { _ in try post(&reader, version: stored) }
            let skips = try (0..<reader.count()).map { _ in
                SkipRecord(campaignID: try reader.string(), reason: try reader.choice(SkipReason.self))
            }
            let note = stored >= 3 ? try reader.optional { try Self.note(&$0, version: stored) } : nil
            return Records(pings: pings, posts: posts, skips: skips, note: note)
        } catch {
            throw StorageError.unavailable("stored lead \(leadID) has unreadable records")
        }
    }

    private static func write(_ ping: PingRecord, to writer: inout ByteWriter) {
        writer.string(ping.campaignID)
        writer.string(ping.buyerID)
        writer.string(ping.answer.kind.rawValue)
        writer.optional(ping.answer.bid?.cents) { $0.int($1) }
        writer.optional(ping.answer.bidID) { $0.string($1) }
        writer.int(ping.answer.latencyMicros)
        writer.optional(ping.answer.detail) { $0.string($1) }
        writer.optional(ping.effectiveBid?.cents) { $0.int($1) }
        writer.optional(ping.answer.httpStatus) { $0.int(Int64($1)) }
        writer.string(ping.answer.captures.isEmpty ? "" : JSONWriter.string(.object(ping.answer.captures)))
    }

    private static func ping(_ reader: inout ByteReader, version: UInt8) throws -> PingRecord {
        let (campaignID, buyerID, kind) = (try reader.string(), try reader.string(), try reader.choice(PingAnswer.Kind.self))
        var answer = PingAnswer(
            kind: kind, bid: try reader.optional { try $0.money() }, bidID: try reader.optional { try $0.string() },
            latencyMicros: try reader.int(), detail: try reader.optional { try $0.string() })
        let effective = try reader.optional { try $0.money() }
        if version >= 2 {
            answer.httpStatus = try reader.optional { Int(try $0.int()) }
            answer.captures = try captures(try reader.string())
        }
        return PingRecord(campaignID: campaignID, buyerID: buyerID, answer: answer, effectiveBid: effective)
    }

    private static func captures(_ text: String) throws -> [String: JSONValue] {
        guard !text.isEmpty else { return [:] }
        guard let members = (try? JSONParser.parse(Array(text.utf8), limits: .trusted))?.objectValue else { throw ByteReader.Failure() }
        return members
    }

    private static func write(_ note: AuctionNote, to writer: inout ByteWriter) {
        writer.int(note.floor.floor.cents)
        writer.int(note.floor.staticFloor.cents)
        writer.string(note.floor.source.rawValue)
        writer.string(note.floor.segment)
        writer.int(Int64(note.floor.samples))
        writer.string(note.ranking.rawValue)
        writer.int(Int64(note.factors.count))
        for (campaignID, factor) in note.factors.sorted(by: { $0.key < $1.key }) {
            writer.string(campaignID)
            writer.int(factor.micros)
        }
        writer.optional(note.rejectionCost?.micros) { $0.int($1) }
    }

    private static func note(_ reader: inout ByteReader, version: UInt8) throws -> AuctionNote {
        let floor = FloorDecision(
            floor: try reader.money(), staticFloor: try reader.money(), source: try reader.choice(FloorDecision.Source.self),
            segment: try reader.string(), samples: Int(try reader.int()))
        let ranking = try reader.choice(RankingMode.self)
        var factors: [String: Rate] = [:]
        for _ in 0..<(try reader.count()) { factors[try reader.string()] = Rate(micros: try reader.int()) }
        let cost = version >= 4 ? try reader.optional { Rate(micros: try $0.int()) } : nil
        return AuctionNote(floor: floor, ranking: ranking, factors: factors, rejectionCost: cost)
    }

    private static func write(_ post: PostRecord, to writer: inout ByteWriter) {
        writer.string(post.campaignID)
        writer.string(post.buyerID)
        writer.int(post.price.cents)
        writer.string(post.origin.rawValue)
        writer.string(post.outcome.rawValue)
        writer.optional(post.reason) { $0.string($1) }
        writer.optional(post.buyerLeadID) { $0.string($1) }
        writer.int(post.latencyMicros)
        writer.int(post.at.milliseconds)
        writer.optional(post.httpStatus) { $0.int(Int64($1)) }
        writer.optional(post.confirmedPrice?.cents) { $0.int($1) }
        writer.optional(post.redirectURL) { $0.string($1) }
    }

    private static func post(_ reader: inout ByteReader, version: UInt8) throws -> PostRecord {
        var record = PostRecord(
            campaignID: try reader.string(), buyerID: try reader.string(), price: try reader.money(),
            origin: try reader.choice(Offer.Origin.self), outcome: try reader.choice(PostAnswer.Outcome.self),
            reason: try reader.optional { try $0.string() }, buyerLeadID: try reader.optional { try $0.string() },
            latencyMicros: try reader.int(), at: Timestamp(milliseconds: try reader.int()))
        guard version >= 2 else { return record }
        record.httpStatus = try reader.optional { Int(try $0.int()) }
        record.confirmedPrice = try reader.optional { try $0.money() }
        record.redirectURL = try reader.optional { try $0.string() }
        return record
    }
}

/// Appends varints, strings and optionals to a byte buffer.
struct ByteWriter {
    var bytes: [UInt8] = []

    /// A signed integer, zig-zag encoded as a LEB128 varint.
    mutating func int(_ value: Int64) {
        var rest = UInt64(bitPattern: (value << 1) ^ (value >> 63))
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    /// A string: its UTF-8 length, then its bytes.
    mutating func string(_ text: String) {
        int(Int64(text.utf8.count))
        bytes.append(contentsOf: text.utf8)
    }

    /// A 0 byte for `nil`, else 1 and the value.
    mutating func optional<T>(_ value: T?, _ write: (inout ByteWriter, T) -> Void) {
        guard let value else { return bytes.append(0) }
        bytes.append(1)
        write(&self, value)
    }
}

/// Reads what ``ByteWriter`` wrote, throwing ``Failure`` on anything malformed.
struct ByteReader {
    struct Failure: Error {}

    let bytes: [UInt8]
    var offset = 0

    mutating func byte() throws -> UInt8 {
        guard offset < bytes.count else { throw Failure() }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func int() throws -> Int64 {
        var (value, shift): (UInt64, UInt64) = (0, 0)
        while true {
            let byte = try byte()
            guard shift < 64 else { throw Failure() }
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { break }
            shift += 7
        }
        return Int64(bitPattern: value >> 1) ^ -Int64(bitPattern: value & 1)
    }

    /// A list's length (bounded by the bytes left, so a corrupt count cannot allocate much).
    mutating func count() throws -> Int {
        let count = try int()
        guard count >= 0, count <= bytes.count - offset else { throw Failure() }
        return Int(count)
    }

    mutating func string() throws -> String {
        let length = try count()
        defer { offset += length }
        return String(decoding: bytes[offset..<offset + length], as: UTF8.self)
    }

    mutating func money() throws -> Money {
        Money(cents: try int())
    }

    mutating func choice<E: RawRepresentable>(_: E.Type) throws -> E where E.RawValue == String {
        guard let value = E(rawValue: try string()) else { throw Failure() }
        return value
    }

    mutating func optional<T>(_ read: (inout ByteReader) throws -> T) throws -> T? {
        try byte() == 0 ? nil : try read(&self)
    }
}
