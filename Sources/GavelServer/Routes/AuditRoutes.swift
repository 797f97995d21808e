import GavelCore
import Hummingbird

/// `GET /v1/audit/chain-head` (role `admin`): the books' chain head, `{pos, hash, at}`, for the
/// operator to anchor elsewhere and check later with `gavel audit --expect-head POS:HASH`.
struct AuditRoutes {
    let store: any ChainStore

    func register(on router: Routes) {
        router.get("/v1/audit/chain-head") { _, context in
            _ = try context.require(.admin)
            return JSONIO.response(try await store.chainHead().json)
        }
    }
}
