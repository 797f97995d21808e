import GavelCore
import Hummingbird

/// `/v1/api-keys`: create (the key is shown once), list, read and revoke API keys (role `admin`).
struct KeyRoutes {
    let store: any KeyStore
    let keys: KeyRing
    let market: MarketCache
    let clock: any WallClock

    func register(on router: Routes) {
        router.post("/v1/api-keys") { request, context in try await create(request, context) }
        router.get("/v1/api-keys") { _, context in
            _ = try context.require(.admin)
            return JSONIO.response(.array(try await store.apiKeys().sorted { $0.createdAt < $1.createdAt }.map(Self.json)))
        }
        router.get("/v1/api-keys/:id") { _, context in
            _ = try context.require(.admin)
            let id = try context.parameters.require("id")
            guard let key = try await store.apiKeys().first(where: { $0.id == id }) else { throw Problem.notFound("No API key '\(id)'.") }
            return JSONIO.response(Self.json(key))
        }
        router.delete("/v1/api-keys/:id") { _, context in
            _ = try context.require(.admin)
            let id = try context.parameters.require("id")
            keys.remove(keyID: id)
            guard try await store.deleteAPIKey(id: id) else { throw Problem.notFound("No API key '\(id)'.") }
            return Response(status: .noContent)
        }
    }

    private func create(_ request: Request, _ context: GavelRequestContext) async throws -> Response {
        _ = try context.require(.admin)
        let (role, subject, label) = try parse(try await JSONIO.body(request, context: context))
        let key = KeyRing.newKey()
        let record = APIKeyRecord(
            id: IDGenerator().make("K"), role: role, subjectID: subject, hash: KeyRing.hash(key), prefix: String(key.prefix(10)),
            label: label, createdAt: clock.now())
        try await store.createAPIKey(record)
        keys.add(hash: record.hash, identity: Identity(keyID: record.id, role: role, subjectID: subject))
        var body = Self.json(record).objectValue ?? [:]
        body["key"] = .string(key)
        return JSONIO.response(.object(body), status: .created, headers: [.location: "/v1/api-keys/\(record.id)"])
    }

    private func parse(_ json: JSONValue) throws -> (Role, String?, String) {
        let log = FieldErrorLog()
        guard let reader = JSONReader(json, log: log) else { throw Problem.invalid(ValidationFailure(log.errors)) }
        reader.rejectUnknown(["role", "subject_id", "label"])
        reader.rejectNulls()
        let role = reader.choice("role", Role.self, required: true)
        let subject = reader.string("subject_id", maxLength: 64)
        let label = reader.string("label", maxLength: 200) ?? ""
        let config = market.current.config
        switch role {
        case .seller?:
            if let subject, config.sellers[subject] == nil { reader.fail("subject_id", "seller '\(subject)' does not exist") }
            if subject == nil { reader.fail("subject_id", "a seller key needs the seller's id") }
        case .buyer?:
            if let subject, config.buyers[subject] == nil { reader.fail("subject_id", "buyer '\(subject)' does not exist") }
            if subject == nil { reader.fail("subject_id", "a buyer key needs the buyer's id") }
        case .admin?:
            if subject != nil { reader.fail("subject_id", "an admin key is not bound to a subject") }
        case nil: break
        }
        try log.throwIfAny()
        return (role!, subject, label)
    }

    static func json(_ key: APIKeyRecord) -> JSONValue {
        .object([
            "id": .string(key.id), "role": .string(key.role.rawValue), "subject_id": key.subjectID.map(JSONValue.string) ?? .null,
            "prefix": .string(key.prefix), "label": .string(key.label), "created_at": key.createdAt.json,
        ])
    }
}
