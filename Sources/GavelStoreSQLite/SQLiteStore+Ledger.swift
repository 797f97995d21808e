import GRDB
import GavelCore
import GavelStoreSupport

extension SQLiteStore {
    /// The ledger entries of a lead, in the order they were written.
    public func ledgerEntries(leadID: String) async throws -> [LedgerEntry] {
        try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM ledger WHERE lead_id = ? ORDER BY id", arguments: [leadID]
            ).map(Self.ledgerEntry)
        }
    }

    /// The balance of every ledger account (the sum of its entries), e.g. `buyer:acme`.
    public func ledgerBalances() async throws -> [String: Money] {
        try await read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT account, SUM(amount_cents) FROM ledger GROUP BY account")
            return Dictionary(uniqueKeysWithValues: rows.map { ($0[0] as String, Money(cents: $0[1])) })
        }
    }

    private static func ledgerEntry(_ row: Row) throws -> LedgerEntry {
        guard let kind = LedgerEntry.Kind(rawValue: row["kind"]) else {
            throw StorageError.unavailable("stored ledger entry has an unknown kind")
        }
        return LedgerEntry(
            leadID: row["lead_id"], campaignID: row["campaign_id"], account: row["account"],
            amount: Money(cents: row["amount_cents"]), kind: kind, at: Timestamp(milliseconds: row["at"]))
    }
}
