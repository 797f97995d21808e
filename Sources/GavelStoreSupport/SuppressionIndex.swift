/// Every buyer's suppression list in memory, indexed by hash so matching a lead's contact keys
/// costs one dictionary probe per key, however many buyers and hashes there are.
///
/// Buyers are numbered; each hash maps to its one owner's number, or (rarely, when several
/// buyers list the same consumer) to a slot in an overflow table of owner lists.
package struct SuppressionIndex: Sendable {
    private static let overflowFlag: UInt32 = 1 << 31

    private var buyerNumbers: [String: UInt32] = [:]
    private var buyerIDs: [String] = []
    private var owners: [HashKey: UInt32] = [:]
    private var overflow: [[UInt32]] = []
    private var sizes: [UInt32: Int] = [:]

    /// An empty index.
    package init() {}

    /// How many hashes a buyer's list holds.
    package func count(buyerID: String) -> Int {
        buyerNumbers[buyerID].map { sizes[$0] ?? 0 } ?? 0
    }

    /// The buyers whose lists hold any of the keys.
    package func buyers(matching keys: [HashKey]) -> Set<String> {
        var result = Set<String>()
        for key in keys {
            guard let owner = owners[key] else { continue }
            for number in numbers(owner) { result.insert(buyerIDs[Int(number)]) }
        }
        return result
    }

    /// Adds hashes to a buyer's list; returns the list's size.
    @discardableResult
    package mutating func add(buyerID: String, keys: some Sequence<HashKey>) -> Int {
        let number = self.number(buyerID)
        var added = 0
        for key in keys where insert(key, owner: number) { added += 1 }
        sizes[number, default: 0] += added
        return sizes[number] ?? 0
    }

    /// Empties a buyer's list (rebuilding the index without it: rare, and linear).
    package mutating func clear(buyerID: String) {
        guard let number = buyerNumbers[buyerID], (sizes[number] ?? 0) > 0 else { return }
        let old = self
        owners = [:]
        overflow = []
        owners.reserveCapacity(old.owners.count)
        for (key, owner) in old.owners {
            for other in old.numbers(owner) where other != number { _ = insert(key, owner: other) }
        }
        sizes[number] = 0
    }

    private mutating func number(_ buyerID: String) -> UInt32 {
        if let number = buyerNumbers[buyerID] { return number }
        let number = UInt32(buyerIDs.count)
        buyerIDs.append(buyerID)
        buyerNumbers[buyerID] = number
        return number
    }

    private func numbers(_ owner: UInt32) -> [UInt32] {
        owner & Self.overflowFlag == 0 ? [owner] : overflow[Int(owner & ~Self.overflowFlag)]
    }

    /// Adds an owner to a hash; `false` when it already had it.
    private mutating func insert(_ key: HashKey, owner number: UInt32) -> Bool {
        guard let current = owners[key] else {
            owners[key] = number
            return true
        }
        if current & Self.overflowFlag == 0 {
            guard current != number else { return false }
            overflow.append([current, number])
            owners[key] = UInt32(overflow.count - 1) | Self.overflowFlag
            return true
        }
        let slot = Int(current & ~Self.overflowFlag)
        guard !overflow[slot].contains(number) else { return false }
        overflow[slot].append(number)
        return true
    }
}
