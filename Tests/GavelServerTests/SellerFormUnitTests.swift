import Foundation
import GavelCore
import Testing

@testable import GavelServer

/// Reading a seller's form into the JSON document the same request would carry.
@Suite("Seller forms: reading")
struct SellerFormUnitTests {
    static func document(_ body: String, _ route: SellerForm.Route = .lead) throws -> JSONValue {
        try SellerForm.document(Array(body.utf8), route: route)
    }

    @Test func namesGoToTheEnvelopeTheConsentOrTheFields() throws {
        let lead = try Self.document(
            "vertical=auto_insurance&source=fb+spring&test=YES&zip=94105&fields%5Bsource%5D=7&tcpa_text=I+agree&consent%5Bip%5D=203.0.113.9"
        )
        #expect(
            lead == [
                "vertical": "auto_insurance", "source": "fb spring", "test": true,
                "fields": ["zip": "94105", "source": "7"], "consent": ["tcpa_text": "I agree", "ip": "203.0.113.9"],
            ])
        #expect(
            try Self.document("ping_id=P1&zip=94105&fields.state=CA", .post) == [
                "ping_id": "P1", "fields": ["zip": "94105", "state": "CA"],
            ])
        #expect(try Self.document("ping_id=P1", .lead) == ["fields": ["ping_id": "P1"]], "ping_id is a field name on /v1/leads")
        #expect(try Self.document("test=&leadid_token=&zip=") == ["fields": ["zip": ""]], "empty test and consent are absent")
        #expect(try Self.document("test=perhaps") == ["test": "perhaps", "fields": [:]], "refused later, as in JSON")
        #expect(try Self.document("") == ["fields": [:]])
    }

    @Test func malformedFormsAreProblems() {
        #expect(throws: Problem.self) { try Self.document("zip=%zz") }
        #expect(throws: Problem.self) { try Self.document("zip=%4") }
        #expect(throws: Problem.self) { try Self.document("zip=%C3%28") }
        do {
            _ = try Self.document("zip=1&zip=2&fields%5Bzip%5D=3")
            Issue.record("a repeated name was accepted")
        } catch let problem as Problem {
            #expect(problem.errors.map(\.description) == ["fields.zip: is given more than once", "fields.zip: is given more than once"])
        } catch {
            Issue.record("\(error)")
        }
        let many = (0...SellerForm.maxPairs).map { "f\($0)=1" }.joined(separator: "&")
        #expect(throws: Problem.self) { try Self.document(many) }
    }

    @Test func contentTypesPickTheReader() throws {
        #expect(try SellerBodyFormat(contentType: "application/x-www-form-urlencoded; charset=utf-8") == .form)
        #expect(try SellerBodyFormat(contentType: "application/json") == .json)
        #expect(try SellerBodyFormat(contentType: nil) == .json)
        #expect(try SellerBodyFormat(contentType: "text/plain") == .json, "v1 read any body as JSON")
        #expect(throws: Problem.self) { try SellerBodyFormat(contentType: "multipart/form-data; boundary=x") }
    }
}
