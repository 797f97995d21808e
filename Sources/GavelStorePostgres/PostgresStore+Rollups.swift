import GavelCore
import GavelStoreSupport
import PostgresNIO

extension PostgresStore {
    /// The transaction advisory lock (two 32-bit keys: "gavel", "rollup") that lets one node
    /// at a time fold report deltas.
    static let rollupLock = "1734439276, 1919904876"

    /// How many deltas one compaction step folds.
    static let rollupChunk = 10_000

    /// Folds report deltas into the rollups, a chunk per transaction, until few are left (or
    /// another node is already doing it). Every node does it at each heartbeat; reports read
    /// rollups and deltas in one snapshot, so they see every event whether or not it was
    /// folded yet.
    public func compactReportDeltas() async throws {
        for _ in 0..<20 {
            guard try await compactRollupChunk() == Self.rollupChunk else { return }
        }
    }

    /// Folds one chunk; returns how many deltas it folded (0 when another node holds the lock).
    private func compactRollupChunk() async throws -> Int {
        try await transaction(limit: .unbounded) { connection in
            let locked = try await connection.all("SELECT pg_try_advisory_xact_lock(\(unescaped: Self.rollupLock))", logger: self.logger)
                .map {
                    try $0.decode(Bool.self)
                }
            guard locked.first == true else { return 0 }
            let rows = try await connection.all(PostgresQuery(unsafeSQL: Self.compaction), logger: self.logger).map {
                try $0.decode(Int64.self)
            }
            return Int(rows.first ?? 0)
        }
    }

    /// Moves the oldest deltas into `rollup_rows` and `rollup_latency` (summed per group, so
    /// each row is updated once), returning how many were moved.
    private static var compaction: String {
        let keys = "hour, campaign_id, buyer_id, seller_id, source, vertical"
        let counters = PostgresSchema.counterNames
        return """
            WITH moved AS (
                DELETE FROM rollup_deltas WHERE id IN (SELECT id FROM rollup_deltas ORDER BY id LIMIT \(rollupChunk))
                RETURNING *),
            counted AS (
                INSERT INTO rollup_rows (\(keys), \(counters.joined(separator: ", ")))
                SELECT \(keys), \(counters.map { "sum(\($0))" }.joined(separator: ", ")) FROM moved GROUP BY \(keys)
                ON CONFLICT (\(keys)) DO UPDATE SET \(counters.map { "\($0) = rollup_rows.\($0) + excluded.\($0)" }.joined(separator: ", "))),
            timed AS (
                INSERT INTO rollup_latency (\(keys), bucket, count)
                SELECT \(keys), u.bucket, sum(u.count) FROM moved, unnest(moved.buckets, moved.bucket_counts) AS u (bucket, count)
                GROUP BY \(keys), u.bucket
                ON CONFLICT (\(keys), bucket) DO UPDATE SET count = rollup_latency.count + excluded.count)
            SELECT count(*) FROM moved
            """
    }
}
