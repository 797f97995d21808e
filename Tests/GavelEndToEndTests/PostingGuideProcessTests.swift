import AsyncHTTPClient
import Foundation
import GavelCore
import Testing

/// What a new seller does on day one, with the real `gavel` binary and the real `curl`: sell a
/// lead with a form post, then copy every curl example out of its generated posting guide and
/// run it unchanged in a shell.
@Suite("Posting guide and form posts, with curl against the real server", .serialized, .enabled(if: ShellCommand.hasCurl))
struct PostingGuideProcessTests {
    @Test func aNewcomerSellsWithAFormPostAndRunsTheGuidesExamplesUnchanged() async throws {
        let server = try GavelProcess(["serve", "--port", "0", "--admin-token", "guide-admin"])
        let url = try await server.waitUntilListening()
        let client = Client(http: HTTPClient.shared, baseURL: url)
        #expect(try await client.call(.POST, "/v1/sellers", key: "guide-admin", json: ["id": "S1", "name": "New affiliate"]).status == 201)
        #expect(try await client.call(.POST, "/v1/buyers", key: "guide-admin", json: ["id": "acme"]).status == 201)
        let campaign: JSONValue = [
            "id": "acme-hosted", "buyer_id": "acme", "vertical": "auto_insurance", "delivery": ["mode": "hosted"], "bid": ["base": 9],
        ]
        #expect(try await client.call(.POST, "/v1/campaigns", key: "guide-admin", json: campaign).status == 201)
        let created = try await client.call(.POST, "/v1/api-keys", key: "guide-admin", json: ["role": "seller", "subject_id": "S1"])
        let key = try #require(created.body["key"]?.stringValue)
        let environment = ["GAVEL_KEY": key, "GAVEL_URL": url]

        let form = try await ShellCommand.run(
            """
            curl -sS "$GAVEL_URL/v1/leads" -H "X-API-Key: $GAVEL_KEY" \\
              --data-urlencode vertical=auto_insurance --data-urlencode zip=94105 --data-urlencode state=CA \\
              --data-urlencode age=34 --data-urlencode homeowner=yes --data-urlencode first_name=Ada \\
              --data-urlencode last_name=Lovelace --data-urlencode 'phone=(415) 555-0100'
            """, environment: environment)
        let sold = try JSONParser.parse(Array(form.utf8))
        #expect(sold["status"] == "sold", "\(form)")
        #expect(sold["test"] == false)
        #expect(sold["price"] == .number(Number(text: "7.65")!), "9 at the default share of 0.85")

        let guide = try await ShellCommand.run(
            #"curl -sS -H "Authorization: Bearer $GAVEL_KEY" -H 'Accept: text/markdown' "$GAVEL_URL/v1/sellers/S1/spec?vertical=auto_insurance""#,
            environment: environment)
        #expect(guide.hasPrefix("# Posting guide: Auto insurance for New affiliate"))
        var shell = ["GAVEL_KEY": key]
        var statuses: [String] = []
        for command in ShellCommand.curlBlocks(guide) {
            #expect(command.hasPrefix("curl -sS '\(url)/v1/"), "the guide names this server")
            let output = try await ShellCommand.run(command, environment: shell)
            let answer = try JSONParser.parse(Array(output.utf8))
            statuses.append(answer["status"]?.stringValue ?? output)
            if let ping = answer["ping_id"]?.stringValue { shell["PING_ID"] = ping }
        }
        #expect(statuses == ["sold", "sold", "bid", "sold"])
        let report = try await client.call(.GET, "/v1/reports?group_by=seller", key: "guide-admin")
        #expect(report.body.arrayValue?.first?["leads"] == 1, "the examples are test leads; only the form post counted")
        #expect(await server.terminate() == 0)
    }
}

/// Shell commands for the tests, run by `/bin/sh` with their output captured in a file (no
/// pipe to fill up).
enum ShellCommand {
    /// Whether `curl` is installed.
    static var hasCurl: Bool {
        (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").contains {
            FileManager.default.isExecutableFile(atPath: "\($0)/curl")
        }
    }

    /// Runs `command` with `environment` added; returns its standard output.
    static func run(_ command: String, environment: [String: String], timeout: Duration = .seconds(30)) async throws -> String {
        let result = try await ChildProcess.run(
            ["/bin/sh", "-c", command], environment: environment, standardError: .discarded, timeout: timeout)
        #expect(result.status == 0 && !result.timedOut, "\(command)")
        return result.output
    }

    /// The fenced code blocks of a Markdown document that are curl commands, in order.
    static func curlBlocks(_ markdown: String) -> [String] {
        var blocks: [String] = []
        var current: [String]?
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```") {
                if let lines = current, lines.first?.hasPrefix("curl ") == true { blocks.append(lines.joined(separator: "\n")) }
                current = current == nil ? [] : nil
            } else if current != nil {
                current?.append(String(line))
            }
        }
        return blocks
    }
}
