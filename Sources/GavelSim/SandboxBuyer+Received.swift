import GavelCore

extension SandboxBuyer {
    /// One call a sandbox buyer received, as it arrived, for tests to inspect (e.g. that no
    /// ping carried a personal field, or that only the winner got the full lead).
    public struct Received: Sendable {
        /// Which endpoint was called.
        public enum Kind: String, Sendable, Hashable {
            /// `POST /buyers/{name}/ping`.
            case ping
            /// `POST /buyers/{name}/post`.
            case post
        }

        /// The buyer's name.
        public var buyer: String
        /// Ping or post.
        public var kind: Kind
        /// The request headers, names lower-cased (a repeated header's values joined with `,`).
        public var headers: [String: String]
        /// The raw body.
        public var body: [UInt8]
        /// The body parsed, or `nil` when it is not JSON.
        public var json: JSONValue?
        /// Whether the signature headers verified with the buyer's secret at the time.
        public var signatureVerified: Bool
        /// When the call arrived (before any latency the buyer was told to add).
        public var arrival: ContinuousClock.Instant

        /// Creates a record.
        public init(
            buyer: String, kind: Kind, headers: [String: String], body: [UInt8], json: JSONValue?, signatureVerified: Bool,
            arrival: ContinuousClock.Instant
        ) {
            self.buyer = buyer
            self.kind = kind
            self.headers = headers
            self.body = body
            self.json = json
            self.signatureVerified = signatureVerified
            self.arrival = arrival
        }

        /// A header's value by name, in any case.
        public func header(_ name: String) -> String? {
            headers[name.lowercased()]
        }

        /// The body as text.
        public var bodyText: String { String(decoding: body, as: UTF8.self) }

        /// The body's `fields` object (empty when missing).
        public var fields: [String: JSONValue] { json?["fields"]?.objectValue ?? [:] }

        /// The body's `ping_id`, when it has one.
        public var pingID: String? { json?["ping_id"]?.stringValue }

        /// The body's `lead_id` (posts), when it has one.
        public var leadID: String? { json?["lead_id"]?.stringValue }
    }
}
