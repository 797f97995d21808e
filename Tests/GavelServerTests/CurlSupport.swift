import Foundation
import GavelCore
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

extension TestClientProtocol {
    /// A text page (a guide) with headers.
    func text(
        _ path: String, key: String?, accept: String? = nil
    ) async throws -> (
        status: HTTPResponse.Status, body: String, headers: HTTPFields
    ) {
        var headers: HTTPFields = [:]
        if let key { headers[.authorization] = "Bearer \(key)" }
        if let accept { headers[.accept] = accept }
        return try await execute(uri: path, method: .get, headers: headers) { response in
            (response.status, String(decoding: response.body.readableBytesView, as: UTF8.self), response.headers)
        }
    }
}

/// A curl command from a guide, read as curl would read it: its URL, headers and body.
struct CurlCommand {
    var url: String
    var headers: [(String, String)]
    var body: String
    var contentType: String

    /// Reads a command (`curl -sS URL -H … -d … / --data-urlencode …`) after the shell's word
    /// splitting, quoting and `$VAR` expansion from `environment`.
    static func parse(_ command: String, environment: [String: String]) throws -> CurlCommand {
        let words = try ShellWords.split(command, environment: environment)
        guard words.first == "curl" else { throw CurlError.notCurl(command) }
        var url = ""
        var headers: [(String, String)] = []
        var raw: String?
        var encoded: [String] = []
        var index = 1
        while index < words.count {
            let word = words[index]
            switch word {
            case "-sS", "-s", "-S": break
            case "-H":
                index += 1
                let parts = words[index].split(separator: ":", maxSplits: 1)
                headers.append((String(parts[0]), parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : ""))
            case "-d", "--data", "--data-binary":
                index += 1
                raw = words[index]
            case "--data-urlencode":
                index += 1
                let parts = words[index].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                encoded.append(String(parts[0]) + "=" + urlEncode(parts.count > 1 ? String(parts[1]) : ""))
            default:
                guard !word.hasPrefix("-") else { throw CurlError.unknownOption(word) }
                url = word
            }
            index += 1
        }
        let given = headers.first { $0.0.lowercased() == "content-type" }?.1
        return CurlCommand(
            url: url, headers: headers.filter { $0.0.lowercased() != "content-type" }, body: raw ?? encoded.joined(separator: "&"),
            contentType: given ?? "application/x-www-form-urlencoded")
    }
}

enum CurlError: Error {
    case notCurl(String)
    case unknownOption(String)
    case unbalancedQuote
}

/// POSIX shell word splitting for the guide's commands: single and double quotes, backslash
/// escapes and line continuations, `$NAME` expanded (unset names are an error, so a
/// placeholder the test forgot to set fails loudly).
enum ShellWords {
    static func split(_ text: String, environment: [String: String]) throws -> [String] {
        var words: [String] = []
        var current: String?
        var characters = Array(text)[...]
        while let character = characters.popFirst() {
            switch character {
            case " ", "\t", "\n":
                if let word = current { words.append(word) }
                current = nil
            case "\\":
                guard let next = characters.popFirst() else { break }
                if next != "\n" { current = (current ?? "") + String(next) }
            case "'":
                guard let end = characters.firstIndex(of: "'") else { throw CurlError.unbalancedQuote }
                current = (current ?? "") + String(characters[..<end])
                characters = characters[(end + 1)...]
            case "\"":
                current = (current ?? "") + (try doubleQuoted(&characters, environment: environment))
            case "$":
                current = (current ?? "") + variable(&characters, environment: environment)
            default: current = (current ?? "") + String(character)
            }
        }
        if let word = current { words.append(word) }
        return words
    }

    private static func doubleQuoted(_ characters: inout ArraySlice<Character>, environment: [String: String]) throws -> String {
        var out = ""
        while let character = characters.popFirst() {
            switch character {
            case "\"": return out
            case "\\":
                guard let next = characters.popFirst() else { throw CurlError.unbalancedQuote }
                out += "$`\"\\".contains(next) ? String(next) : "\\" + String(next)
            case "$": out += variable(&characters, environment: environment)
            default: out.append(character)
            }
        }
        throw CurlError.unbalancedQuote
    }

    private static func variable(_ characters: inout ArraySlice<Character>, environment: [String: String]) -> String {
        let name = String(characters.prefix { $0.isLetter || $0.isNumber || $0 == "_" })
        characters = characters.dropFirst(name.count)
        guard let value = environment[name] else {
            Issue.record("the command uses $\(name), which is not set")
            return ""
        }
        return value
    }
}

/// The code blocks of a Markdown document that are curl commands, in order.
func curlBlocks(_ markdown: String) -> [String] {
    var blocks: [String] = []
    var current: [String]?
    for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
        if line.hasPrefix("```") {
            if let lines = current {
                if lines.first?.hasPrefix("curl ") == true { blocks.append(lines.joined(separator: "\n")) }
                current = nil
            } else {
                current = []
            }
        } else if current != nil {
            current?.append(String(line))
        }
    }
    return blocks
}
