import GavelBuyers
import GavelCore
import Testing

@Suite struct BuyerSignatureTests {
    let body = Array(#"{"bid":12.5}"#.utf8)

    @Test func signsTimestampDotBodyWithHMACSHA256() {
        // HMAC-SHA256(key "secret", "1700000000.{"bid":12.5}"), computed independently with openssl.
        let signature = BuyerSignature.sign(body: body, timestamp: 1_700_000_000, secret: "secret")
        #expect(signature == "sha256=5d7e4cac20b19f9c07295982d15113b75ba217778c05e4629875996e4386d6b2")
    }

    @Test func verifiesItsOwnSignature() {
        let signature = BuyerSignature.sign(body: body, timestamp: 1_700_000_000, secret: "secret")
        #expect(BuyerSignature.isValid(signature: signature, timestamp: "1700000000", body: body, secret: "secret"))
        let upperHex = "sha256=" + signature.dropFirst(7).uppercased()
        #expect(BuyerSignature.isValid(signature: upperHex, timestamp: "1700000000", body: body, secret: "secret"))
    }

    @Test func rejectsWrongSecretBodyTimestampOrShape() {
        let signature = BuyerSignature.sign(body: body, timestamp: 1_700_000_000, secret: "secret")
        #expect(!BuyerSignature.isValid(signature: signature, timestamp: "1700000000", body: body, secret: "other"))
        #expect(!BuyerSignature.isValid(signature: signature, timestamp: "1700000001", body: body, secret: "secret"))
        #expect(!BuyerSignature.isValid(signature: signature, timestamp: "1700000000", body: body + [0x20], secret: "secret"))
        #expect(!BuyerSignature.isValid(signature: String(signature.dropFirst(7)), timestamp: "1700000000", body: body, secret: "secret"))
        #expect(!BuyerSignature.isValid(signature: "sha256=zz", timestamp: "1700000000", body: body, secret: "secret"))
        #expect(!BuyerSignature.isValid(signature: String(signature.dropLast(2)), timestamp: "1700000000", body: body, secret: "secret"))
        #expect(!BuyerSignature.isValid(signature: signature, timestamp: "-1700000000", body: body, secret: "secret"))
    }

    @Test func verifyChecksPresenceAndAge() {
        let now = Timestamp(seconds: 1_700_000_000)
        let signature = BuyerSignature.sign(body: body, timestamp: 1_700_000_000, secret: "secret")
        #expect(BuyerSignature.verify(signature: signature, timestamp: "1700000000", body: body, secret: "secret", now: now))
        #expect(!BuyerSignature.verify(signature: nil, timestamp: "1700000000", body: body, secret: "secret", now: now))
        #expect(!BuyerSignature.verify(signature: signature, timestamp: nil, body: body, secret: "secret", now: now))
        let later = Timestamp(seconds: 1_700_000_000 + 301)
        #expect(!BuyerSignature.verify(signature: signature, timestamp: "1700000000", body: body, secret: "secret", now: later))
        #expect(BuyerSignature.verify(signature: signature, timestamp: "1700000000", body: body, secret: "secret", now: nil))
    }

    @Test func headersCarryTimestampAndSignature() {
        let headers = BuyerSignature.headers(body: body, secret: "secret", at: Timestamp(seconds: 1_700_000_000))
        #expect(headers.map(\.name) == ["X-Gavel-Timestamp", "X-Gavel-Signature"])
        #expect(headers[0].value == "1700000000")
        #expect(headers[1].value == BuyerSignature.sign(body: body, timestamp: 1_700_000_000, secret: "secret"))
    }
}
