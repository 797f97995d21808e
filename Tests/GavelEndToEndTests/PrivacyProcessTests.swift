import AsyncHTTPClient
import Foundation
import GavelCore
import Testing

/// An erasure as an operator runs it: against the real server, with its SQLite database and WAL
/// open, the erased consumer's values are gone from the bytes of both files at once, the other
/// consumer stays, and `gavel audit` still finds the books balanced.
@Suite("Privacy erasure against the real process", .serialized)
struct PrivacyProcessTests {
    /// The erased consumer's values, each distinctive enough to search the files for.
    static let values = ["Zebulon", "Quixotic", "4155550142", "zeb.quixotic@example.org", "17 Marigold Lane", "1979-04-12"]

    static func lead(first: String, last: String, phone: String, email: String, street: String, born: String) -> JSONValue {
        [
            "vertical": "auto_insurance", "source": "privacy-e2e",
            "fields": [
                "zip": "94105", "state": "CA", "first_name": .string(first), "last_name": .string(last), "phone": .string(phone),
                "email": .string(email), "street_address": .string(street), "birth_date": .string(born),
            ],
        ]
    }

    @Test func anErasureLeavesNothingInTheDatabaseOrItsWALAndTheBooksStillAudit() async throws {
        let server = try GavelProcess(["serve", "--port", "0", "--admin-token", "adm", "--database", "sqlite:privacy.sqlite"])
        let client = Client(http: HTTPClient.shared, baseURL: try await server.waitUntilListening())
        let seller = try await CrashTests.configure(client, admin: "adm")
        let buyer = try #require(
            try await client.call(.POST, "/v1/api-keys", key: "adm", json: ["role": "buyer", "subject_id": "acme"]).body["key"]?.stringValue
        )
        let erased = try await client.call(
            .POST, "/v1/leads", key: seller,
            json: Self.lead(
                first: "Zebulon", last: "Quixotic", phone: "(415) 555-0142", email: "Zeb.Quixotic@example.org", street: "17 Marigold Lane",
                born: "1979-04-12"))
        #expect(erased.body["status"] == "sold", "\(erased.body)")
        let kept = try await client.call(
            .POST, "/v1/leads", key: seller,
            json: Self.lead(
                first: "Harriet", last: "Vane", phone: "2125550177", email: "harriet@example.com", street: "9 Elm Street",
                born: "1985-10-30"))
        #expect(kept.body["status"] == "sold", "\(kept.body)")
        let returned = try await client.call(
            .POST, "/v1/returns", key: buyer, json: ["lead_id": erased.body["lead_id"] ?? .null, "reason": "Zebulon Quixotic never asked"])
        #expect(returned.body["status"] == "approved", "\(returned.body)")
        let database = server.folder.appendingPathComponent("privacy.sqlite").path
        #expect(Self.leaks(try Self.files(database)) == Self.values, "the values were written before the erasure")

        let erasure = try await client.call(.POST, "/v1/privacy/erasures", key: "adm", json: ["email": "zeb.quixotic@example.org"])
        #expect(erasure.status == 201 && erasure.body["leads"] == 1, "\(erasure.body)")
        let running = try Self.files(database)
        #expect(Self.leaks(running).isEmpty, "while the server runs: \(Self.leaks(running))")
        #expect(running.contains("Harriet") && running.contains("harriet@example.com"), "the other consumer is kept")
        #expect(await server.terminate() == 0)
        #expect(Self.leaks(try Self.files(database)).isEmpty, "after a clean stop")
        #expect(try await Self.audit(database, in: server.folder) == 0)
    }

    /// The bytes of the database file and its WAL (while they exist), as text.
    static func files(_ path: String) throws -> String {
        try [path, path + "-wal"].filter { FileManager.default.fileExists(atPath: $0) }
            .map { String(decoding: try Data(contentsOf: URL(fileURLWithPath: $0)), as: UTF8.self) }.joined(separator: "\n")
    }

    /// The erased values found in a text (compared case-insensitively).
    static func leaks(_ text: String) -> [String] {
        let lower = text.lowercased()
        return values.filter { lower.contains($0.lowercased()) }
    }

    /// Runs `gavel audit` and returns its exit status.
    static func audit(_ path: String, in folder: URL) async throws -> Int32 {
        let audit = try GavelProcess(["audit", "--database", "sqlite:\(path)"], folder: folder)
        let status = await audit.waitForExit()
        #expect(audit.printed.joined(separator: "\n").contains("Audit passed"), "\(audit.printed)\n\(audit.log)")
        return status
    }
}
