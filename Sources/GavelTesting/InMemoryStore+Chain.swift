import GavelCore
import GavelStoreSupport

/// Where an ``InMemoryStore`` keeps a chained record.
enum InMemoryPlace: Sendable, Hashable {
    /// A lead's ledger row (`""` for payments), by index.
    case ledger(leadID: String, index: Int)
    /// A lead's sale, by index.
    case sale(leadID: String, index: Int)
    /// A configuration change, by index in the journal.
    case config(index: Int)
}

/// One link of an ``InMemoryStore``'s chain and where its record is.
struct InMemoryLink: Sendable, Hashable {
    var link: ChainLink
    var place: InMemoryPlace
}

/// How a test tampers with a link (``InMemoryStore/tamperWithChainForTesting(pos:_:)``).
public enum ChainTampering: Sendable, Hashable {
    /// Its hash is replaced by another.
    case changeHash
    /// It is removed from the chain.
    case delete
    /// It trades places with the next link (each keeps its hash; the positions stay).
    case swapWithNext
}

extension InMemoryStore {
    /// Seals inline: every operation links the records it writes under the store's lock.
    public var chainSealing: ChainSealing { .inline }

    /// Links nothing (every record is linked when written); returns 0.
    @discardableResult
    public func sealChain() async throws -> Int { 0 }

    /// The chain's last link.
    public func chainHead() async throws -> ChainHead {
        try locked { $0.chain.last?.link.head ?? .empty }
    }

    /// The link at a position, `nil` beyond the chain's end.
    public func chainLink(at pos: Int64) async throws -> ChainLink? {
        try locked { state in state.chain.first { $0.link.pos == pos }?.link }
    }

    /// Changes the price of a lead's first sale by `cents` behind the books' back, and its
    /// buyer and margin entries with it, so that the books still balance (only the chain can
    /// tell). For tests only; returns `false` when the lead has no sale.
    @discardableResult
    public func tamperWithSaleForTesting(leadID: String, addingCents cents: Int64) -> Bool {
        state.withLock { state in
            guard state.leads[leadID]?.sales.isEmpty == false, let sale = state.leads[leadID]?.sales[0].sale else { return false }
            state.leads[leadID]?.sales[0].sale.price = sale.price + Money(cents: cents)
            for index in (state.ledger[leadID] ?? []).indices {
                let row = state.ledger[leadID]![index]
                guard row.kind == LedgerEntry.Kind.sale.rawValue, row.campaignID == sale.campaignID else { continue }
                if row.account == "buyer:\(sale.buyerID)" { state.ledger[leadID]?[index].cents += cents }
                if row.account == "exchange:margin" { state.ledger[leadID]?[index].cents -= cents }
            }
            return true
        }
    }

    /// Changes, removes or moves the link at a position behind the books' back. For tests only;
    /// returns `false` when there is no such link (or no next one to swap with).
    @discardableResult
    public func tamperWithChainForTesting(pos: Int64, _ tampering: ChainTampering) -> Bool {
        state.withLock { state in
            guard let index = state.chain.firstIndex(where: { $0.link.pos == pos }) else { return false }
            switch tampering {
            case .changeHash: state.chain[index].link.hash = String(state.chain[index].link.hash.reversed())
            case .delete: state.chain.remove(at: index)
            case .swapWithNext:
                guard state.chain.indices.contains(index + 1) else { return false }
                state.chain.swapAt(index, index + 1)
                (state.chain[index].link.pos, state.chain[index + 1].link.pos) = (pos, pos + 1)
            }
            return true
        }
    }

    /// Deletes a lead's last ledger entry behind the books' back. For tests only; returns
    /// `false` when the lead has no entries.
    @discardableResult
    public func deleteLedgerEntryForTesting(leadID: String) -> Bool {
        state.withLock { state in state.ledger[leadID]?.popLast() != nil }
    }

    /// The configuration journal's bodies, in order. For tests only.
    public func configJournalForTesting() -> [String] {
        state.withLock { $0.journal.map(\.body) }
    }
}

extension InMemoryState {
    static let hasher = SHA256ContactHasher()

    /// Links the records at these places, in order, after the chain's head; a link's time is
    /// its record's.
    mutating func seal(_ places: [InMemoryPlace]) {
        let records = places.compactMap { record($0) }
        guard records.count == places.count, let at = records.map(\.at).max() else { return }
        let links = Chain.link(records, after: chain.last?.link.head, at: Timestamp(milliseconds: at), hasher: Self.hasher)
        chain += zip(links, places).map { InMemoryLink(link: $0, place: $1) }
    }

    /// Writes a configuration change to the journal and links it.
    mutating func journal(_ change: ConfigChange) {
        journal.append(ChainRecord.Config(id: Int64(journal.count + 1), change))
        seal([.config(index: journal.count - 1)])
    }

    /// The record at a place, as it is now (`nil` when it is gone).
    func record(_ place: InMemoryPlace) -> ChainRecord? {
        switch place {
        case .ledger(let leadID, let index):
            guard let rows = ledger[leadID], rows.indices.contains(index) else { return nil }
            return rows[index].chainRecord
        case .sale(let leadID, let index):
            guard let stored = leads[leadID], stored.sales.indices.contains(index) else { return nil }
            let sale = stored.sales[index]
            return .sale(ChainRecord.Sale(sale.sale, leadID: leadID, seq: index, sellerID: sale.sellerID, at: sale.at))
        case .config(let index):
            return journal.indices.contains(index) ? .config(journal[index]) : nil
        }
    }

    /// Verifies the chain as the database stores do, then counts the records no link points at.
    func verifyChain() -> ChainReport {
        var verifier = ChainVerifier(hasher: Self.hasher)
        var linked = Set<InMemoryPlace>()
        for item in chain {
            let record = record(item.place)
            if record != nil { linked.insert(item.place) }
            verifier.check(item.link, record: record)
        }
        let outside = places.filter { !linked.contains($0) }
        verifier.outsideChain(count: outside.count, first: outside.first.flatMap { record($0) }?.label)
        return verifier.report
    }

    /// Every record that must be in the chain: sales, ledger rows, configuration changes.
    private var places: [InMemoryPlace] {
        let sales = leads.keys.sorted().flatMap { id in leads[id]!.sales.indices.map { InMemoryPlace.sale(leadID: id, index: $0) } }
        let rows = ledger.keys.sorted().flatMap { id in ledger[id]!.indices.map { InMemoryPlace.ledger(leadID: id, index: $0) } }
        return sales + rows + journal.indices.map { .config(index: $0) }
    }
}
