import Foundation
import GRDB
import GavelCore
import GavelStoreSupport

extension SQLiteStore {
    /// Claims a seller's idempotency key in one write: a new key is stored as in progress
    /// (`fresh`); a known key with another fingerprint is a `mismatch` (finished or not); with
    /// the same fingerprint it is `replay` once completed, else `inProgress`.
    public func claimIdempotencyKey(sellerID: String, key: String, fingerprint: String, at: Timestamp) async throws -> IdempotencyClaim {
        try await write { db in
            let select = try db.cachedStatement(
                sql: "SELECT fingerprint, status, body FROM idempotency_keys WHERE seller_id = ? AND key = ?")
            guard let row = try Row.fetchOne(select, arguments: [sellerID, key]) else {
                try db.cachedStatement(
                    sql: "INSERT INTO idempotency_keys (seller_id, key, fingerprint, created_at) VALUES (?, ?, ?, ?)"
                ).execute(arguments: [sellerID, key, fingerprint, at.milliseconds])
                return .fresh
            }
            guard row[0] as String == fingerprint else { return .mismatch }
            guard let status = row[1] as Int? else { return .inProgress }
            let body = row[2] as Data? ?? Data()
            return .replay(status: status, body: Array(body))
        }
    }

    /// Stores the response of a claimed key, so later claims replay it.
    public func completeIdempotencyKey(sellerID: String, key: String, status: Int, body: [UInt8]) async throws {
        let arguments: StatementArguments = [status, Data(body), sellerID, key]
        try await write { db in
            try db.cachedStatement(sql: "UPDATE idempotency_keys SET status = ?, body = ? WHERE seller_id = ? AND key = ?")
                .execute(arguments: arguments)
        }
    }

    /// Forgets a claimed key that was never completed, so the request can be retried.
    public func abandonIdempotencyKey(sellerID: String, key: String) async throws {
        try await write { db in
            try db.cachedStatement(sql: "DELETE FROM idempotency_keys WHERE seller_id = ? AND key = ? AND status IS NULL")
                .execute(arguments: [sellerID, key])
        }
    }

    /// Deletes idempotency keys created before a time (finished or not); returns how many. A
    /// housekeeping step for the server to run now and then.
    @discardableResult
    public func purgeIdempotencyKeys(createdBefore time: Timestamp) async throws -> Int {
        try await write { db in
            try db.execute(sql: "DELETE FROM idempotency_keys WHERE created_at < ?", arguments: [time.milliseconds])
            return db.changesCount
        }
    }
}
