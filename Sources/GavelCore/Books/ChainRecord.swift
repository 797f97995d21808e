/// A record of the books as the chain seals it: a ledger entry (sales, returns and payments are
/// all ledger entries), a sale, or a configuration change. Only columns that never change after
/// the record is written are sealed (a sale's `returned_at` and `return_reason` are not: a
/// return is evidenced by its sealed reversal entries).
///
/// Each record has a *name*, its identity in the chain (`ledger 456`, `sale L123#0`,
/// `config 12`), and a *canonical text* of its sealed columns, whose SHA-256 is its digest.
/// The canonical text is `|`-separated: integers in decimal, texts as their UTF-8 byte count,
/// `:` and the text (so no text can be mistaken for a separator), e.g.
/// `ledger|456|4:L123|12:acme-auto-ca|10:buyer:acme|1250|4:sale|1796050800080`.
public enum ChainRecord: Sendable, Hashable {
    /// A ledger entry.
    case ledger(Ledger)
    /// A sale.
    case sale(Sale)
    /// A configuration change.
    case config(Config)

    /// A ledger row's sealed columns: `ledger|id|lead|campaign|account|amount_cents|kind|at`.
    public struct Ledger: Sendable, Hashable {
        /// The row's id.
        public var id: Int64
        /// The lead (empty for a payment).
        public var leadID: String
        /// The campaign (empty for a payment).
        public var campaignID: String
        /// The account.
        public var account: String
        /// The signed amount in cents.
        public var cents: Int64
        /// The kind as stored (`sale`, `return`, `payment`).
        public var kind: String
        /// When, in epoch milliseconds.
        public var at: Int64

        /// Creates a record from stored columns.
        public init(id: Int64, leadID: String, campaignID: String, account: String, cents: Int64, kind: String, at: Int64) {
            self.id = id
            self.leadID = leadID
            self.campaignID = campaignID
            self.account = account
            self.cents = cents
            self.kind = kind
            self.at = at
        }

        /// Creates the record of a ledger entry stored with an id.
        public init(id: Int64, _ entry: LedgerEntry) {
            self.init(
                id: id, leadID: entry.leadID, campaignID: entry.campaignID, account: entry.account, cents: entry.amount.cents,
                kind: entry.kind.rawValue, at: entry.at.milliseconds)
        }
    }

    /// A sale row's sealed columns:
    /// `sale|lead|seq|campaign|buyer|seller|price_cents|payout_cents|margin_cents|return_window_days|at`.
    public struct Sale: Sendable, Hashable {
        /// The lead.
        public var leadID: String
        /// The sale's number among the lead's sales.
        public var seq: Int64
        /// The campaign that bought.
        public var campaignID: String
        /// Its buyer.
        public var buyerID: String
        /// The seller.
        public var sellerID: String
        /// The price in cents.
        public var priceCents: Int64
        /// The seller's payout in cents.
        public var payoutCents: Int64
        /// The exchange's margin in cents.
        public var marginCents: Int64
        /// The return window in days.
        public var returnWindowDays: Int64
        /// When, in epoch milliseconds.
        public var at: Int64

        /// Creates a record from stored columns.
        public init(
            leadID: String, seq: Int64, campaignID: String, buyerID: String, sellerID: String, priceCents: Int64, payoutCents: Int64,
            marginCents: Int64, returnWindowDays: Int64, at: Int64
        ) {
            self.leadID = leadID
            self.seq = seq
            self.campaignID = campaignID
            self.buyerID = buyerID
            self.sellerID = sellerID
            self.priceCents = priceCents
            self.payoutCents = payoutCents
            self.marginCents = marginCents
            self.returnWindowDays = returnWindowDays
            self.at = at
        }

        /// Creates the record of a lead's sale as the stores keep it.
        public init(_ sale: GavelCore.Sale, leadID: String, seq: Int, sellerID: String, at: Timestamp) {
            self.init(
                leadID: leadID, seq: Int64(seq), campaignID: sale.campaignID, buyerID: sale.buyerID, sellerID: sellerID,
                priceCents: sale.price.cents, payoutCents: sale.payout.cents, marginCents: sale.margin.cents,
                returnWindowDays: Int64(sale.returnWindowDays), at: at.milliseconds)
        }
    }

    /// A configuration journal row's sealed columns: `config|id|kind|record_id|op|body|at`.
    public struct Config: Sendable, Hashable {
        /// The journal row's id.
        public var id: Int64
        /// The kind of record changed.
        public var kind: String
        /// The record's id.
        public var recordID: String
        /// The operation as stored (`create`, `replace`, `delete`).
        public var op: String
        /// The record as it became (masked JSON text; empty for a deletion).
        public var body: String
        /// When, in epoch milliseconds.
        public var at: Int64

        /// Creates a record from stored columns.
        public init(id: Int64, kind: String, recordID: String, op: String, body: String, at: Int64) {
            self.id = id
            self.kind = kind
            self.recordID = recordID
            self.op = op
            self.body = body
            self.at = at
        }

        /// Creates the record of a change stored with an id.
        public init(id: Int64, _ change: ConfigChange) {
            self.init(
                id: id, kind: change.kind, recordID: change.recordID, op: change.op.rawValue, body: change.body, at: change.at.milliseconds)
        }
    }

    /// The record's identity in the chain: `ledger 456`, `sale L123#0`, `config 12`.
    public var name: String {
        switch self {
        case .ledger(let row): "ledger \(row.id)"
        case .sale(let row): "sale \(row.leadID)#\(row.seq)"
        case .config(let row): "config \(row.id)"
        }
    }

    /// How a report names it: `ledger entry 456 (lead L123)`, `sale L123#0`,
    /// `configuration change 12 (campaign acme-auto-ca)`.
    public var label: String {
        switch self {
        case .ledger(let row): "ledger entry \(row.id) (\(row.leadID.isEmpty ? "a payment" : "lead \(row.leadID)"))"
        case .sale: name
        case .config(let row): "configuration change \(row.id) (\(row.kind) \(row.recordID))"
        }
    }

    /// How a report names a record it knows only by name (one that is missing).
    public static func label(name: String) -> String {
        if name.hasPrefix("ledger ") { return "ledger entry " + name.dropFirst("ledger ".count) }
        if name.hasPrefix("config ") { return "configuration change " + name.dropFirst("config ".count) }
        return name
    }

    /// The canonical text of its sealed columns.
    public var canonical: String {
        switch self {
        case .ledger(let row):
            CanonicalText("ledger", row.id, row.leadID, row.campaignID, row.account, row.cents, row.kind, row.at).text
        case .sale(let row):
            CanonicalText(
                "sale", row.leadID, row.seq, row.campaignID, row.buyerID, row.sellerID, row.priceCents, row.payoutCents,
                row.marginCents, row.returnWindowDays, row.at
            ).text
        case .config(let row):
            CanonicalText("config", row.id, row.kind, row.recordID, row.op, row.body, row.at).text
        }
    }

    /// The SHA-256 of its canonical text, in lower-case hex.
    public func digest(_ hasher: some Digester) -> String {
        hasher.sha256Hex(canonical)
    }

    /// When it was written, in epoch milliseconds.
    public var at: Int64 {
        switch self {
        case .ledger(let row): row.at
        case .sale(let row): row.at
        case .config(let row): row.at
        }
    }
}

/// A canonical text: the record type, then each field after a `|`, integers in decimal and
/// texts as `<UTF-8 byte count>:<text>`.
struct CanonicalText {
    private(set) var text: String

    /// The text of a record type and its fields.
    init(_ type: String, _ fields: any CanonicalField...) {
        text = type
        for field in fields { text += "|" + field.canonicalField }
    }
}

/// A field of a canonical text.
protocol CanonicalField {
    /// The field as written in a canonical text.
    var canonicalField: String { get }
}

extension String: CanonicalField {
    var canonicalField: String { "\(utf8.count):\(self)" }
}

extension Int64: CanonicalField {
    var canonicalField: String { String(self) }
}
