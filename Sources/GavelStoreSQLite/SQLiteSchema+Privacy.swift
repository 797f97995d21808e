import Foundation
import GRDB
import GavelCore
import GavelStoreSupport

extension SQLiteSchema {
    /// Privacy: the database's secret for contact keys, the time a lead's personal data was
    /// erased (and an index of the leads not erased yet, by arrival, for the retention
    /// setting), and the record of erasures. Existing contact keys — plain SHA-256 digests
    /// before — become keyed hashes (see ``rekey(_:secret:)``).
    static let privacy = """
        CREATE TABLE privacy_secret (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            secret BLOB NOT NULL
        );
        ALTER TABLE leads ADD COLUMN erased_at INTEGER;
        CREATE INDEX leads_unerased ON leads(received_at) WHERE erased_at IS NULL;
        CREATE TABLE erasures (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            at INTEGER NOT NULL,
            leads INTEGER NOT NULL,
            contact_keys TEXT NOT NULL,
            received_before INTEGER
        );
        CREATE INDEX erasures_at ON erasures(at);
        """

    /// The privacy migration: the schema, a new random secret, and every stored contact key
    /// (leads' keys, their index, suppression lists) keyed with it.
    static func migratePrivacy(_ db: Database) throws {
        try db.execute(sql: privacy)
        let secret = KeyedContactHasher.newSecret()
        try db.execute(sql: "INSERT INTO privacy_secret (id, secret) VALUES (1, ?)", arguments: [Data(secret)])
        try rekey(db, secret: secret)
    }

    /// Turns the plain SHA-256 contact keys of leads, of their index and of suppression lists
    /// into keyed ones, in batches of leads by row number.
    static func rekey(_ db: Database, secret: [UInt8]) throws {
        let hasher = KeyedContactHasher(secret: secret)
        try db.execute(sql: "DELETE FROM lead_contacts")
        let update = try db.makeStatement(sql: "UPDATE leads SET contacts = ? WHERE seq = ?")
        let index = try db.makeStatement(sql: LeadInsert.insertContact)
        var last: Int64 = -1
        while true {
            let rows = try Row.fetchAll(
                db, sql: "SELECT seq, contacts, test, status FROM leads WHERE seq > ? ORDER BY seq LIMIT 5000", arguments: [last])
            guard let final = rows.last else { break }
            for row in rows {
                let keys = try ContactKeys.stored(row["contacts"]).rekeyed(hasher)
                try update.execute(arguments: [keys.storedText, row["seq"]])
                guard !(row["test"] as Bool), row["status"] as String != "duplicate" else { continue }
                for key in Set(keys.all) { try index.execute(arguments: [ContactKeyIndex.prefix(key), row["seq"]]) }
            }
            last = final["seq"]
        }
        db.add(
            function: DatabaseFunction("gavel_keyed_digest", argumentCount: 1, pure: true) { values in
                guard let data = Data.fromDatabaseValue(values[0]), let key = HashKey(bytes: data) else { return values[0] }
                return HashKey(hex: hasher.keyed(Array(key.data)))?.data
            })
        try db.execute(sql: "UPDATE suppressions SET hash = gavel_keyed_digest(hash)")
        db.remove(function: DatabaseFunction("gavel_keyed_digest", argumentCount: 1, pure: true) { _ in nil })
    }
}

extension ContactKeys {
    /// The same keys, each plain SHA-256 digest keyed with `hasher` (anything else unchanged).
    func rekeyed(_ hasher: KeyedContactHasher) -> ContactKeys {
        func key(_ text: String) -> String { hasher.contactKey(sha256Hex: text) ?? text }
        return ContactKeys(phoneHashes: phoneHashes.map(key), emailHashes: emailHashes.map(key))
    }
}
