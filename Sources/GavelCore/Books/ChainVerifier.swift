/// Verifies the chain as a store streams it: every link in position order with the record
/// stored for it, then what the store found outside the chain. It holds one link at a time,
/// so a chain of millions of links is checked in constant memory.
///
/// It finds, in position order (so the first problem names the first broken record):
/// - a record changed after it was sealed (its digest no longer matches);
/// - a sealed record that disappeared, or a link that points at another record;
/// - a link that was edited (it no longer follows from the one before it);
/// - links that were deleted (a gap in the positions) or positions claimed twice;
///
/// and then, from the store's counts, records that should be in the chain and are not (a
/// record added behind the store's back, or whose link was cut off the chain's end), and
/// records waiting for a background sealer longer than expected (a warning).
public struct ChainVerifier: Sendable {
    /// How long a record may wait for a background sealer before the report warns.
    public static let defaultGrace = Duration.seconds(60)
    /// The most problem lines kept (the rest are counted).
    public static let maxProblems = 100

    private let hasher: any Digester
    private let grace: Duration
    private var last: ChainLink?
    private var length: Int64 = 0
    private var outside = 0
    private var problems: [String] = []
    private var dropped = 0
    private var warnings: [String] = []

    /// Creates a verifier.
    public init(hasher: any Digester, grace: Duration = ChainVerifier.defaultGrace) {
        self.hasher = hasher
        self.grace = grace
    }

    /// Checks the next link (links come in position order) against the record the store holds
    /// for it (`nil` when it holds none).
    public mutating func check(_ link: ChainLink, record: ChainRecord?) {
        if let last, link.pos == last.pos {
            return add("chain position \(link.pos) is claimed by more than one record (\(record?.label ?? link.label))")
        }
        checkLink(link)
        checkRecord(record, of: link)
        last = link
        length += 1
    }

    /// Records that should be in the chain and are not: written past the sealer, or cut off
    /// the chain's end. Always a problem; `first` names one.
    public mutating func outsideChain(count: Int, first: String?) {
        guard count > 0 else { return }
        outside += count
        let which = first.map { ", the first: \($0)" } ?? ""
        add("\(count) record\(count == 1 ? " is" : "s are") not in the chain\(which) (added or unlinked behind the store's back)")
    }

    /// Records a background sealer has not linked yet; a warning when the oldest waited longer
    /// than the grace period before `now`.
    public mutating func waiting(count: Int, oldest: Timestamp?, now: Timestamp) {
        guard count > 0 else { return }
        outside += count
        guard let oldest, now.milliseconds - oldest.milliseconds > grace.milliseconds else { return }
        warnings.append(
            "\(count) record\(count == 1 ? " has" : "s have") not been sealed yet, the oldest from \(oldest): is a node's chain sealer running?"
        )
    }

    /// The result.
    public var report: ChainReport {
        var lines = problems
        if dropped > 0 { lines.append("… and \(dropped) more chain problems") }
        return ChainReport(length: length, head: last?.head, unsealed: outside, problems: lines, warnings: warnings)
    }

    // MARK: Checks

    private mutating func checkLink(_ link: ChainLink) {
        let expected = (last?.pos ?? 0) + 1
        guard link.pos == expected else {
            let missing = link.pos - 1 == expected ? "position \(expected) is" : "positions \(expected)…\(link.pos - 1) are"
            return add("chain \(missing) missing: the chain goes from \(expected - 1) to \(link.pos) (links were deleted)")
        }
        let hash = Chain.hash(
            previous: last?.hash ?? Chain.genesis, pos: link.pos, record: link.record, digest: link.digest, hasher: hasher)
        if hash != link.hash {
            add("chain position \(link.pos) (\(link.label)) does not follow from the link before it: the chain was edited there")
        }
    }

    private mutating func checkRecord(_ record: ChainRecord?, of link: ChainLink) {
        guard let record else { return add("\(link.label) is missing (chain position \(link.pos))") }
        if record.name != link.record {
            add("chain position \(link.pos) seals \(link.label) but points at \(record.label)")
        } else if record.digest(hasher) != link.digest {
            add("\(record.label) was changed after it was sealed (chain position \(link.pos))")
        }
    }

    private mutating func add(_ problem: String) {
        if problems.count < Self.maxProblems { problems.append(problem) } else { dropped += 1 }
    }
}

/// What the chain's verification found: part of ``AuditReport``.
public struct ChainReport: Sendable, Hashable {
    /// How many links the chain has.
    public var length: Int64
    /// Its last link (`nil` for an empty chain).
    public var head: ChainHead?
    /// Records not in the chain (yet).
    public var unsealed: Int
    /// What is wrong, in position order: the first broken record first.
    public var problems: [String]
    /// What deserves a look but is not wrong (records waiting long for a background sealer).
    public var warnings: [String]

    /// Creates a report.
    public init(length: Int64 = 0, head: ChainHead? = nil, unsealed: Int = 0, problems: [String] = [], warnings: [String] = []) {
        self.length = length
        self.head = head
        self.unsealed = unsealed
        self.problems = problems
        self.warnings = warnings
    }

    /// Whether the chain is intact.
    public var isIntact: Bool { problems.isEmpty }
}

extension ChainLink {
    /// How a report names the record this link seals.
    var label: String { ChainRecord.label(name: record) }
}
