import Testing

@testable import GavelCore

// Shared helpers for the GavelCore tests: fixed instants, JSON literals and error paths.
// Nothing here reads the real clock.

/// A fixed UTC instant built from calendar arithmetic (independent of the RFC 3339 parser).
func utc(_ year: Int, _ month: Int, _ day: Int, _ hour: Int = 0, _ minute: Int = 0, _ second: Int = 0) -> Timestamp {
    let days = Int64(CivilDate(year: year, month: month, day: day).daysSinceEpoch)
    return Timestamp(seconds: days * 86_400 + Int64(hour * 3_600 + minute * 60 + second))
}

/// Parses JSON text with the exchange's parser, failing the test on a syntax error.
func json(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> JSONValue {
    do {
        return try JSONParser.parse(text)
    } catch {
        Issue.record("invalid JSON in test: \(error)", sourceLocation: sourceLocation)
        throw error
    }
}

/// A decimal number from text, e.g. `num("12.5")`.
func num(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Number {
    try #require(Number(text: text), sourceLocation: sourceLocation)
}

/// Money from cents, briefly.
func cents(_ value: Int64) -> Money { Money(cents: value) }

/// The field errors of a failed result (empty when it succeeded).
func fieldErrors<T>(_ result: Result<T, ValidationFailure>) -> [FieldError] {
    if case .failure(let failure) = result { return failure.errors }
    return []
}

/// The error paths of a failed result.
func errorPaths<T>(_ result: Result<T, ValidationFailure>) -> Set<String> {
    Set(fieldErrors(result).map(\.field))
}

/// The message reported for one path, if any.
func message<T>(_ result: Result<T, ValidationFailure>, at path: String) -> String? {
    fieldErrors(result).first { $0.field == path }?.message
}

/// The value of a successful result, failing the test (with the errors) otherwise.
func success<T>(_ result: Result<T, ValidationFailure>, sourceLocation: SourceLocation = #_sourceLocation) throws -> T {
    switch result {
    case .success(let value): return value
    case .failure(let failure):
        Issue.record("unexpected validation failure: \(failure.errors)", sourceLocation: sourceLocation)
        throw failure
    }
}

/// An exact decimal JSON number from text, e.g. `dec("10.5")` (JSONValue has no float literals,
/// on purpose: they would pass through binary floating point). Traps on a typo in a test.
func dec(_ text: String) -> JSONValue {
    guard let number = Number(text: text) else { preconditionFailure("bad number literal \(text) in a test") }
    return .number(number)
}
